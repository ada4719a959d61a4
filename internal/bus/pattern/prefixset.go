package pattern

import (
	"slices"
	"strings"
)

// prefixSet finds the keys that are prefixes of a string. Probing a hash
// map once per distinct key length costs as many probes as there are
// lengths (prefix operands of real rules have dozens); here the keys are
// sorted and each knows its longest proper prefix among the keys (its
// parent), so a lookup is one binary search and a walk up one chain:
//
// Let e be the greatest key <= s. A key p that is a prefix of s satisfies
// p <= e <= s, so e also starts with p: p is e or one of e's ancestors.
//
// Long sorted runs of keys that share a start (ARNs, paths) make each
// comparison of the search slow, so the keys are also bucketed by their
// first minLen bytes (minLen being the shortest key): one probe finds the
// run that can hold prefixes of s, and ancestors never leave their run.
type prefixSet[T any] struct {
	pending map[string][]T // while building; freeze sorts it out
	keys    []string       // sorted
	vals    [][]T
	parent  []int32 // index of the longest proper prefix key, or -1
	minLen  int
	buckets map[string]keyRun // nil when some key is empty or keys are few
}

// keyRun is the range keys[lo:hi] of the keys that share a bucket.
type keyRun struct{ lo, hi int32 }

// prefixBucketMin is the fewest keys worth bucketing.
const prefixBucketMin = 16

func (ps *prefixSet[T]) add(k string, v T) {
	if ps.pending == nil {
		ps.pending = map[string][]T{}
	}
	ps.pending[k] = append(ps.pending[k], v)
}

// freeze builds the sorted form; it must run before prefixes.
func (ps *prefixSet[T]) freeze() {
	if ps.pending == nil {
		return
	}
	ps.keys = make([]string, 0, len(ps.pending))
	for k := range ps.pending {
		ps.keys = append(ps.keys, k)
	}
	slices.Sort(ps.keys)
	ps.vals = make([][]T, len(ps.keys))
	ps.parent = make([]int32, len(ps.keys))
	var chain []int32 // the previous key and its ancestors
	for i, k := range ps.keys {
		ps.vals[i] = ps.pending[k]
		for len(chain) > 0 && !strings.HasPrefix(k, ps.keys[chain[len(chain)-1]]) {
			chain = chain[:len(chain)-1]
		}
		ps.parent[i] = -1
		if len(chain) > 0 {
			ps.parent[i] = chain[len(chain)-1]
		}
		chain = append(chain, int32(i))
	}
	ps.pending = nil
	ps.bucket()
}

func (ps *prefixSet[T]) bucket() {
	ps.minLen = len(ps.keys[0])
	for _, k := range ps.keys {
		ps.minLen = min(ps.minLen, len(k))
	}
	if ps.minLen == 0 || len(ps.keys) < prefixBucketMin {
		return
	}
	ps.buckets = map[string]keyRun{}
	for i, k := range ps.keys {
		b := ps.buckets[k[:ps.minLen]]
		if b.hi == 0 {
			b.lo = int32(i)
		}
		b.hi = int32(i + 1)
		ps.buckets[k[:ps.minLen]] = b
	}
}

// prefixes calls fn with the values of every key that is a prefix of s.
func (ps *prefixSet[T]) prefixes(s string, fn func([]T)) {
	lo, hi := 0, len(ps.keys)
	if ps.buckets != nil {
		if len(s) < ps.minLen {
			return
		}
		b, ok := ps.buckets[s[:ps.minLen]]
		if !ok {
			return
		}
		lo, hi = int(b.lo), int(b.hi)
	}
	i, found := slices.BinarySearch(ps.keys[lo:hi], s)
	if !found {
		i-- // the greatest key below s
	}
	if i < 0 {
		return // s sorts before every key of its run
	}
	for i += lo; i >= 0; i = int(ps.parent[i]) {
		if strings.HasPrefix(s, ps.keys[i]) {
			fn(ps.vals[i])
		}
	}
}
