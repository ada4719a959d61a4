package pattern

// stateSet maps keys (exact strings, folded strings, numbers) to the
// states they lead to.
//
// Most automaton states past the first test one value at a path (the
// rest of one rule's conditions), so a set of a few keys is a slice
// scanned with plain comparisons: for short keys that is cheaper than
// hashing. Larger sets use a map whose values are the states themselves:
// nearly every key leads to one state, and a one-element slice per key
// would mean, with thousands of rules, many more heap objects for the
// garbage collector to trace and sparser maps to probe. A key that leads
// to several states holds ^i, the index of its list in more.
type stateSet[K comparable] struct {
	keys []K     // small form: keys[i] leads to vals[i]
	vals []int32 // (as in m: a state or ^index into more)
	m    map[K]int32
	more [][]int32
}

// stateSetScanMax is the most keys kept in the scanned form.
const stateSetScanMax = 4

func (s *stateSet[K]) add(k K, to int32) {
	v, ok := s.lookup(k)
	switch {
	case !ok:
		v = to
	case v >= 0:
		s.more = append(s.more, []int32{v, to})
		v = ^int32(len(s.more) - 1)
	default:
		s.more[^v] = append(s.more[^v], to)
		return
	}
	s.store(k, v, ok)
}

// store sets the value of k, which existed before when replace is true.
func (s *stateSet[K]) store(k K, v int32, replace bool) {
	if s.m != nil {
		s.m[k] = v
		return
	}
	if i := s.index(k); replace && i >= 0 {
		s.vals[i] = v
		return
	}
	if len(s.keys) < stateSetScanMax {
		s.keys, s.vals = append(s.keys, k), append(s.vals, v)
		return
	}
	s.m = make(map[K]int32, len(s.keys)+1)
	for i, key := range s.keys {
		s.m[key] = s.vals[i]
	}
	s.m[k] = v
	s.keys, s.vals = nil, nil
}

func (s *stateSet[K]) index(k K) int {
	for i, key := range s.keys {
		if key == k {
			return i
		}
	}
	return -1
}

func (s *stateSet[K]) lookup(k K) (int32, bool) {
	if s.m != nil {
		v, ok := s.m[k]
		return v, ok
	}
	if i := s.index(k); i >= 0 {
		return s.vals[i], true
	}
	return 0, false
}

// collect appends the states that k leads to.
func (s *stateSet[K]) collect(k K, out []int32) []int32 {
	v, ok := s.lookup(k)
	switch {
	case !ok:
		return out
	case v >= 0:
		return append(out, v)
	}
	return append(out, s.more[^v]...)
}
