package pattern

// fieldKind is the JSON type of a leaf.
type fieldKind uint8

const (
	fString fieldKind = iota
	fNumber
	fTrue
	fFalse
	fNull
)

// field is one leaf of a flattened event.
type field struct {
	path  string  // encoded path (array levels crushed out)
	str   string  // string value, or the text key of an inexact number
	fold  string  // case-folded string value (== str when already folded)
	num   float64 // number value when numOK
	next  int32   // next field with the same path, -1 at the end
	m0    int32   // membership: Event.memb[m0 : m0+mn]
	mn    int32
	kind  fieldKind
	numOK bool // num is finite
	exact bool // num is the exact-comparison key (see numKey)
}

// arrayPos says that a field lies in element idx of the array with id.
type arrayPos struct {
	id, idx int32
}

// Event is a flattened event: every leaf as (path, value) plus the array
// elements that enclose it. It is immutable once built and may be matched
// by many patterns and goroutines at once.
type Event struct {
	fields []field
	memb   []arrayPos
	heads  pathTable        // path hash → first field with that path
	byPath map[string]int32 // replaces heads when two paths share a hash
}

// membership returns the array positions enclosing field f.
func (e *Event) membership(f *field) []arrayPos {
	return e.memb[f.m0 : f.m0+f.mn]
}

// consistent reports whether f may be used together with fields that
// occupy the array positions acc: no array may be entered at two
// different elements (spec §3.6).
func consistent(pos, acc []arrayPos) bool {
	for _, p := range pos {
		for _, a := range acc {
			if a.id == p.id && a.idx != p.idx {
				return false
			}
		}
	}
	return true
}

// numKey returns the exact-comparison key of a number field.
func (f *field) numKey() numKey {
	if f.exact {
		return numKey{f: f.num}
	}
	return numKey{s: f.str}
}
