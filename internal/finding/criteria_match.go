package finding

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Matches reports whether f meets every criterion. It is pure and works
// on unnormalized criteria too (deprecated operators count as their
// current names). What NormalizeFilter would refuse fails closed: an
// unknown attribute, or patterns on a non-string attribute, never match,
// so a typo in a suppression rule cannot archive findings.
//
// Semantics, decided where GuardDuty's documentation is silent:
//   - An attribute absent from the finding (nil object, empty array, a
//     member its JSON omits, zero timestamp) has no values: equals,
//     matches and comparisons fail, notEquals and notMatches hold.
//   - Arrays (lineage, containers, flags…) yield one value per element.
//     equals/matches hold if any element matches any value; notEquals and
//     notMatches are their negations (no element matches); the bounds of
//     one condition must all hold for a single element, so lineage
//     startTime gt A and lt B means one ancestor started in (A, B).
//   - Operators set in one condition are ANDed (equals plus notEquals, or
//     a range).
//   - severity compares by integer bucket (floor of the value) for every
//     operator: "7" is 7.0–7.9 as GuardDuty's buckets say, lessThanOrEqual
//     8 includes 8.9 and greaterThan 7 starts at 8.0.
//   - Timestamps compare in epoch milliseconds.
//   - service.additionalInfo.<path> walks the JSON text of
//     additionalInfo.value; its strings and booleans compare as text, its
//     numbers numerically (or as their JSON text for patterns).
func (c Criteria) Matches(f Finding) bool {
	sub := newSubject(&f)
	return c.matches(sub)
}

func (c Criteria) matches(sub *subject) bool {
	for path, cond := range c.Criterion {
		a, ok := lookupAttribute(path)
		if !ok || !cond.holds(a, sub) {
			return false
		}
	}
	return true
}

// scalar is one value of an attribute: str for strings and booleans (and
// the text of additionalInfo numbers), num for numbers and timestamps.
type scalar struct {
	str   string
	num   float64
	isNum bool
}

// subject is a finding being evaluated, with what is worth computing once
// per finding across criteria and filters.
type subject struct {
	f         *Finding
	root      reflect.Value
	info      any
	infoState uint8 // 0 not parsed, 1 parsed, 2 unparseable
	buf       []scalar
}

func newSubject(f *Finding) *subject {
	return &subject{f: f, root: reflect.ValueOf(f).Elem(), buf: make([]scalar, 0, 8)}
}

func (c Condition) holds(a *attribute, sub *subject) bool {
	vals := sub.values(a)
	if len(c.Equals)+len(c.Eq) > 0 && !anyEqual(a.kind, vals, c.Equals) && !anyEqual(a.kind, vals, c.Eq) {
		return false
	}
	if anyEqual(a.kind, vals, c.NotEquals) || anyEqual(a.kind, vals, c.Neq) {
		return false
	}
	if r := c.rangeBounds(); r.set() && !slices.ContainsFunc(vals, r.contains) {
		return false
	}
	if len(c.Matches)+len(c.NotMatches) > 0 && !a.kind.textual() {
		return false // invalid (NormalizeFilter refuses it): fail closed
	}
	if len(c.Matches) > 0 && !anyMatch(vals, c.Matches) {
		return false
	}
	return !anyMatch(vals, c.NotMatches)
}

func anyEqual(k attrKind, vals []scalar, wants []string) bool {
	for _, w := range wants {
		for _, v := range vals {
			if equalValue(k, v, w) {
				return true
			}
		}
	}
	return false
}

// equalValue compares one attribute value with one criterion value,
// which is text in GuardDuty's API whatever the attribute's type.
func equalValue(k attrKind, v scalar, want string) bool {
	switch k {
	case kindString, kindBool:
		return v.str == want
	case kindDynamic:
		if v.str == want {
			return true
		}
		n, err := strconv.ParseFloat(want, 64)
		return v.isNum && err == nil && n == v.num
	case kindFloat:
		n, err := strconv.ParseFloat(want, 64)
		return err == nil && n == v.num
	default: // integers, severity buckets, timestamps (epoch ms)
		n, err := strconv.ParseInt(want, 10, 64)
		return err == nil && float64(n) == v.num
	}
}

func anyMatch(vals []scalar, pats []string) bool {
	for _, p := range pats {
		for _, v := range vals {
			if wildcardMatch(p, v.str) {
				return true
			}
		}
	}
	return false
}

// valueRange is the bounds of one condition, current names first.
type valueRange struct{ gt, gte, lt, lte *int64 }

func (c Condition) rangeBounds() valueRange {
	pick := func(cur, old *int64) *int64 {
		if cur != nil {
			return cur
		}
		return old
	}
	return valueRange{pick(c.GreaterThan, c.Gt), pick(c.GreaterThanOrEqual, c.Gte),
		pick(c.LessThan, c.Lt), pick(c.LessThanOrEqual, c.Lte)}
}

func (r valueRange) set() bool { return r.gt != nil || r.gte != nil || r.lt != nil || r.lte != nil }

func (r valueRange) contains(v scalar) bool {
	return v.isNum &&
		(r.gt == nil || v.num > float64(*r.gt)) && (r.gte == nil || v.num >= float64(*r.gte)) &&
		(r.lt == nil || v.num < float64(*r.lt)) && (r.lte == nil || v.num <= float64(*r.lte))
}

// values collects the attribute's values into the subject's buffer, which
// the next call reuses.
func (s *subject) values(a *attribute) []scalar {
	s.buf = s.buf[:0]
	if a.kind == kindDynamic {
		if info := s.additionalInfo(); info != nil {
			s.buf = appendJSONValues(s.buf, info, strings.TrimPrefix(a.path, additionalInfoPrefix))
		}
		return s.buf
	}
	s.buf = appendValues(s.buf, s.root, a, a.steps)
	return s.buf
}

// appendValues walks the struct along steps: nil pointers end the walk
// (absent), slices fan out to their elements.
func appendValues(out []scalar, v reflect.Value, a *attribute, steps []int) []scalar {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return out
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Slice {
		for i := range v.Len() {
			out = appendValues(out, v.Index(i), a, steps)
		}
		return out
	}
	if len(steps) > 0 {
		return appendValues(out, v.Field(steps[0]), a, steps[1:])
	}
	if a.omitZero && v.IsZero() {
		return out
	}
	if s, ok := scalarOf(v, a.kind); ok {
		out = append(out, s)
	}
	return out
}

func scalarOf(v reflect.Value, k attrKind) (scalar, bool) {
	switch k {
	case kindString:
		return scalar{str: v.String()}, true
	case kindBool:
		return scalar{str: strconv.FormatBool(v.Bool())}, true
	case kindInt:
		if v.CanInt() {
			return scalar{num: float64(v.Int()), isNum: true}, true
		}
		return scalar{num: float64(v.Uint()), isNum: true}, true
	case kindSeverity:
		return scalar{num: math.Floor(v.Float()), isNum: true}, true
	case kindFloat:
		return scalar{num: v.Float(), isNum: true}, true
	case kindEpoch:
		// Addr avoids copying the struct into an interface per value.
		t := v.Addr().Interface().(*EpochTime)
		if t.IsZero() { // marshals as null: absent
			return scalar{}, false
		}
		return scalar{num: float64(t.UnixMilli()), isNum: true}, true
	case kindISOTime:
		t, err := time.Parse(time.RFC3339Nano, v.String())
		if err != nil {
			return scalar{}, false
		}
		return scalar{num: float64(t.UnixMilli()), isNum: true}, true
	}
	return scalar{}, false
}

// additionalInfo decodes additionalInfo.value once per subject. Numbers
// stay json.Number so that equals compares their exact text first.
func (s *subject) additionalInfo() any {
	if s.infoState == 0 {
		s.infoState = 2
		dec := json.NewDecoder(strings.NewReader(s.f.Service.AdditionalInfo.Value))
		dec.UseNumber()
		if dec.Decode(&s.info) == nil {
			s.infoState = 1
		}
	}
	if s.infoState != 1 {
		return nil
	}
	return s.info
}

// appendJSONValues walks decoded JSON along a dotted path; arrays fan out,
// objects and null are not values.
func appendJSONValues(out []scalar, v any, path string) []scalar {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			out = appendJSONValues(out, e, path)
		}
		return out
	}
	if path == "" {
		switch x := v.(type) {
		case string:
			out = append(out, scalar{str: x})
		case bool:
			out = append(out, scalar{str: strconv.FormatBool(x)})
		case json.Number:
			n, err := x.Float64()
			out = append(out, scalar{str: x.String(), num: n, isNum: err == nil})
		}
		return out
	}
	m, ok := v.(map[string]any)
	if !ok {
		return out
	}
	key, rest, _ := strings.Cut(path, ".")
	if child, ok := m[key]; ok {
		out = appendJSONValues(out, child, rest)
	}
	return out
}
