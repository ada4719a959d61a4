package finding

import (
	"reflect"
	"slices"
	"strings"
	"sync"
)

// attrKind says how a criterion attribute's values compare. It is derived
// from the Go type behind the JSON path, so a new Finding field becomes
// filterable without touching the filter code.
type attrKind uint8

const (
	kindString   attrKind = iota // exact equality, wildcard patterns
	kindBool                     // equals "true" / "false"
	kindInt                      // integers: equality and ranges
	kindFloat                    // a float other than severity: exact equality and ranges
	kindSeverity                 // float severity: equality by integer bucket, ranges on the value
	kindEpoch                    // EpochTime, compared in epoch milliseconds
	kindISOTime                  // ISO-8601 string timestamp, compared in epoch milliseconds
	kindDynamic                  // inside service.additionalInfo's JSON text: type known per value
)

// String names the kind with its article, for messages ("an integer").
func (k attrKind) String() string {
	return [...]string{"a string", "a boolean", "an integer", "a number", "a severity", "a timestamp",
		"a timestamp", "an additionalInfo"}[k]
}

// ordered reports whether greaterThan and friends apply to the kind.
func (k attrKind) ordered() bool { return k != kindString && k != kindBool }

// textual reports whether matches/notMatches apply to the kind. Patterns
// on numbers or timestamps would match their text form, which is not what
// anyone filtering "pid 1*" means, so they are refused instead.
func (k attrKind) textual() bool { return k == kindString || k == kindDynamic }

// attribute is one filterable leaf of the finding: the chain of struct
// field indices from Finding to it. Pointers are followed and slices fan
// out while walking, so one attribute may yield several values.
type attribute struct {
	path  string
	kind  attrKind
	steps []int
	// omitZero marks leaves whose zero value is absent from the JSON
	// (omitempty/omitzero), so criteria see what a GuardDuty user sees.
	omitZero bool
}

// isoTimestamps are the string fields that hold timestamps. Their Go type
// (string) cannot say so, and GuardDuty compares them as epoch ms.
var isoTimestamps = map[string]bool{
	"createdAt": true, "updatedAt": true,
	"service.eventFirstSeen": true, "service.eventLastSeen": true,
}

// additionalInfoPrefix addresses members of the JSON document carried in
// service.additionalInfo.value by their full path, as GuardDuty documents
// (`service.additionalInfo.threatListName`).
const additionalInfoPrefix = "service.additionalInfo."

var (
	epochType = reflect.TypeFor[EpochTime]()
	schema    = sync.OnceValue(buildSchema)
)

// attributeSchema is every filterable attribute by JSON path, plus the
// sorted names for suggestions.
type attributeSchema struct {
	byPath map[string]*attribute
	names  []string
}

func buildSchema() attributeSchema {
	s := attributeSchema{byPath: map[string]*attribute{}}
	addLeaves(&s, reflect.TypeFor[Finding](), "", nil, 0)
	for p := range s.byPath {
		s.names = append(s.names, p)
	}
	slices.Sort(s.names)
	return s
}

// maxDepth stops a future self-referencing type from recursing forever;
// the deepest real path (context.modifyingProcess.lineage.x) is 6.
const maxDepth = 12

// addLeaves records the JSON leaves under t. Objects and arrays of objects
// are not attributes themselves: GuardDuty filters name scalar leaves.
func addLeaves(s *attributeSchema, t reflect.Type, prefix string, steps []int, depth int) {
	if depth > maxDepth {
		return
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || name == "-" || name == "" {
			continue
		}
		path := prefix + name
		st := append(slices.Clip(steps), i)
		ft := sf.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != epochType {
			addLeaves(s, ft, path+".", st, depth+1)
			continue
		}
		k, ok := kindOf(ft, path)
		if !ok {
			continue
		}
		omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		s.byPath[path] = &attribute{path: path, kind: k, steps: st, omitZero: omit}
	}
}

func kindOf(t reflect.Type, path string) (attrKind, bool) {
	switch {
	case t == epochType:
		return kindEpoch, true
	case t.Kind() == reflect.String && isoTimestamps[path]:
		return kindISOTime, true
	case t.Kind() == reflect.String:
		return kindString, true
	case t.Kind() == reflect.Bool:
		return kindBool, true
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return kindInt, true
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		if path == "severity" {
			return kindSeverity, true
		}
		return kindFloat, true
	}
	return 0, false
}

// lookupAttribute resolves a criterion key. Keys under
// service.additionalInfo that are not the struct's own members address
// the JSON text; their types are only known per finding.
func lookupAttribute(path string) (*attribute, bool) {
	s := schema()
	if a, ok := s.byPath[path]; ok {
		return a, true
	}
	rest, ok := strings.CutPrefix(path, additionalInfoPrefix)
	if !ok || rest == "" || slices.Contains(strings.Split(rest, "."), "") {
		return nil, false
	}
	return &attribute{path: path, kind: kindDynamic}, true
}

// AttributeNames lists the criterion attributes a filter may name (besides
// service.additionalInfo.<member>), sorted: for API help and completion.
func AttributeNames() []string { return slices.Clone(schema().names) }

// suggestAttributes names up to n valid attributes close to a mistyped
// one: those ending in the same member first, then those sharing the
// longest leading path.
func suggestAttributes(bad string, n int) []string {
	names := schema().names
	last := bad[strings.LastIndexByte(bad, '.')+1:]
	score := func(name string) int {
		sc := commonPrefixLen(strings.ToLower(name), strings.ToLower(bad))
		if strings.EqualFold(name[strings.LastIndexByte(name, '.')+1:], last) {
			sc += 1000
		}
		return sc
	}
	ranked := slices.Clone(names)
	slices.SortStableFunc(ranked, func(a, b string) int { return score(b) - score(a) })
	return ranked[:min(n, len(ranked))]
}

func commonPrefixLen(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
