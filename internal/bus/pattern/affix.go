package pattern

import "slices"

// affixIndex finds the suffixes of a string among many: it
// keys the operands by text and remembers their distinct lengths, so a
// lookup costs one map probe per distinct length, whatever the number of
// patterns.
type affixIndex[T any] struct {
	lens []int
	m    map[string][]T
}

func (ix *affixIndex[T]) add(s string, v T) {
	if ix.m == nil {
		ix.m = map[string][]T{}
	}
	if _, ok := ix.m[s]; !ok && !slices.Contains(ix.lens, len(s)) {
		ix.lens = append(ix.lens, len(s))
		slices.Sort(ix.lens)
	}
	ix.m[s] = append(ix.m[s], v)
}

// suffixes calls fn with the values of every indexed suffix of s.
func (ix *affixIndex[T]) suffixes(s string, fn func([]T)) {
	for _, n := range ix.lens {
		if n > len(s) {
			return
		}
		if vs, ok := ix.m[s[len(s)-n:]]; ok {
			fn(vs)
		}
	}
}
