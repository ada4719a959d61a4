package finding

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Criteria is GuardDuty's FindingCriteria: conditions keyed by the
// finding's JSON path (`resource.containerDetails.image`). Attributes are
// ANDed; the values of one operator are ORed.
type Criteria struct {
	Criterion map[string]Condition `json:"criterion"`
}

// Condition is GuardDuty's Condition. The short names (eq … lte) are
// deprecated in GuardDuty's API but still accepted there, so they are
// accepted here and folded into the long names by NormalizeFilter.
// Bounds are epoch milliseconds for timestamps.
type Condition struct {
	Eq  []string `json:"eq,omitempty"`  // Deprecated: use Equals.
	Neq []string `json:"neq,omitempty"` // Deprecated: use NotEquals.
	Gt  *int64   `json:"gt,omitempty"`  // Deprecated: use GreaterThan.
	Gte *int64   `json:"gte,omitempty"` // Deprecated: use GreaterThanOrEqual.
	Lt  *int64   `json:"lt,omitempty"`  // Deprecated: use LessThan.
	Lte *int64   `json:"lte,omitempty"` // Deprecated: use LessThanOrEqual.

	Equals             []string `json:"equals,omitempty"`
	NotEquals          []string `json:"notEquals,omitempty"`
	GreaterThan        *int64   `json:"greaterThan,omitempty"`
	GreaterThanOrEqual *int64   `json:"greaterThanOrEqual,omitempty"`
	LessThan           *int64   `json:"lessThan,omitempty"`
	LessThanOrEqual    *int64   `json:"lessThanOrEqual,omitempty"`
	Matches            []string `json:"matches,omitempty"`
	NotMatches         []string `json:"notMatches,omitempty"`
}

// Limits of GuardDuty's Condition and FindingCriteria (spec §6.3).
const (
	MaxCriterionAttributes = 50
	MaxConditionValues     = 50
	MaxConditionPatterns   = 5
	MaxPatternLength       = 512
)

// NormalizeCriteria validates c as GuardDuty validates FindingCriteria and
// returns it with deprecated operators folded into their current names and
// values deduplicated. Errors name the field: criterion["pid"].equals[0].
// matches/notMatches are accepted; GuardDuty only takes them in filters,
// which is the caller's rule to enforce for ListFindings-like uses.
func NormalizeCriteria(c Criteria) (Criteria, error) {
	var p problems
	out := normalizeCriteria(c, "criterion", &p)
	if err := p.err(); err != nil {
		return Criteria{}, err
	}
	return out, nil
}

// normalizeCriteria returns a new map: the input belongs to the caller.
func normalizeCriteria(c Criteria, field string, p *problems) Criteria {
	if n := len(c.Criterion); n < 1 || n > MaxCriterionAttributes {
		p.addf("%s: want 1–%d attributes, got %d", field, MaxCriterionAttributes, n)
	}
	out := Criteria{Criterion: make(map[string]Condition, len(c.Criterion))}
	// Sorted, so that the same bad filter always gets the same message.
	for _, key := range slices.Sorted(maps.Keys(c.Criterion)) {
		at := fmt.Sprintf("%s[%q]", field, key)
		a, ok := lookupAttribute(key)
		if !ok {
			p.addf("%s: unknown attribute; attributes are the finding's JSON paths, e.g. %s",
				at, strings.Join(suggestAttributes(key, 4), ", "))
			continue
		}
		out.Criterion[key] = normalizeCondition(c.Criterion[key], a, at, p)
	}
	return out
}

func normalizeCondition(c Condition, a *attribute, at string, p *problems) Condition {
	n := Condition{
		Equals:             dedupe(c.Equals, c.Eq),
		NotEquals:          dedupe(c.NotEquals, c.Neq),
		GreaterThan:        foldBound(c.GreaterThan, c.Gt, at, "greaterThan", "gt", p),
		GreaterThanOrEqual: foldBound(c.GreaterThanOrEqual, c.Gte, at, "greaterThanOrEqual", "gte", p),
		LessThan:           foldBound(c.LessThan, c.Lt, at, "lessThan", "lt", p),
		LessThanOrEqual:    foldBound(c.LessThanOrEqual, c.Lte, at, "lessThanOrEqual", "lte", p),
		Matches:            dedupe(c.Matches, nil),
		NotMatches:         dedupe(c.NotMatches, nil),
	}
	if n.empty() {
		p.addf("%s: no operator; want equals, notEquals, greaterThan, greaterThanOrEqual, "+
			"lessThan, lessThanOrEqual, matches or notMatches", at)
		return n
	}
	checkValues(n.Equals, a, at+".equals", p)
	checkValues(n.NotEquals, a, at+".notEquals", p)
	for _, b := range n.bounds() {
		if b.v != nil && !a.kind.ordered() {
			p.addf("%s.%s: %s is %s attribute; comparisons apply to numbers, severity and timestamps",
				at, b.name, a.path, a.kind)
		}
	}
	checkPatterns(n.Matches, a, at+".matches", p)
	checkPatterns(n.NotMatches, a, at+".notMatches", p)
	return n
}

func (c Condition) empty() bool {
	return len(c.Equals)+len(c.NotEquals)+len(c.Matches)+len(c.NotMatches) == 0 &&
		c.GreaterThan == nil && c.GreaterThanOrEqual == nil && c.LessThan == nil && c.LessThanOrEqual == nil
}

// namedBound is a bound with its JSON name, for messages.
type namedBound struct {
	name string
	v    *int64
}

// bounds lists the current-name bounds in a fixed order (messages must be
// deterministic).
func (c Condition) bounds() [4]namedBound {
	return [4]namedBound{
		{"greaterThan", c.GreaterThan}, {"greaterThanOrEqual", c.GreaterThanOrEqual},
		{"lessThan", c.LessThan}, {"lessThanOrEqual", c.LessThanOrEqual},
	}
}

// foldBound merges a deprecated bound into its current name. Both set to
// different values has no meaning GuardDuty documents, so it is refused
// rather than silently picking one.
func foldBound(cur, old *int64, at, curName, oldName string, p *problems) *int64 {
	switch {
	case old == nil && cur == nil:
		return nil
	case old == nil:
		v := *cur
		return &v
	case cur != nil && *cur != *old:
		p.addf("%s.%s: %d conflicts with %s %d; set only %s (%s is deprecated)",
			at, oldName, *old, curName, *cur, curName, oldName)
	}
	v := *old
	return &v
}

// dedupe concatenates a and b without repeats, keeping first occurrences
// in order: the values are ORed, so repeats mean nothing, and a canonical
// form makes normalization idempotent. Empty yields nil (omitted in JSON).
func dedupe(a, b []string) []string {
	var out []string
	for _, v := range slices.Concat(a, b) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func checkValues(vals []string, a *attribute, at string, p *problems) {
	if len(vals) > MaxConditionValues {
		p.addf("%s: %d values; at most %d", at, len(vals), MaxConditionValues)
	}
	for i, v := range vals {
		if msg := valueProblem(a.kind, v); msg != "" {
			p.addf("%s[%d]: %q %s", at, i, v, msg)
		}
	}
}

// valueProblem checks an equals/notEquals value against the attribute's
// kind, so that a filter that can never match is reported, not stored.
func valueProblem(k attrKind, v string) string {
	switch k {
	case kindBool:
		if v != "true" && v != "false" {
			return `is not a boolean; want "true" or "false"`
		}
	case kindInt:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "is not an integer"
		}
	case kindEpoch, kindISOTime:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "is not a timestamp; criteria take epoch milliseconds (1486685375000)"
		}
	case kindSeverity:
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 0 || n > 10 {
			return `is not a severity bucket; want an integer 0–10 ("7" is 7.0–7.9)`
		}
	case kindFloat:
		if f, err := strconv.ParseFloat(v, 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "is not a number"
		}
	}
	return ""
}

func checkPatterns(pats []string, a *attribute, at string, p *problems) {
	if len(pats) == 0 {
		return
	}
	if !a.kind.textual() {
		p.addf("%s: %s is %s attribute; wildcard patterns apply to strings", at, a.path, a.kind)
	}
	if len(pats) > MaxConditionPatterns {
		p.addf("%s: %d patterns; at most %d", at, len(pats), MaxConditionPatterns)
	}
	for i, s := range pats {
		if n := utf8.RuneCountInString(s); n < 1 || n > MaxPatternLength {
			p.addf("%s[%d]: pattern of %d characters; want 1–%d", at, i, n, MaxPatternLength)
		}
	}
}
