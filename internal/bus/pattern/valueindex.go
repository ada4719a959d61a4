package pattern

// valueIndex holds the transitions that leave one automaton state through
// one path: for each kind of test, the states reached when an event field
// at that path passes it. Exact values, affixes and CIDR blocks are
// hash-indexed; only wildcards sharing a literal start, anything-but and
// small numeric sets are tested one by one.
type valueIndex struct {
	exists  []int32
	strs    map[string][]int32
	nums    map[numKey][]int32
	lits    [3][]int32 // true, false, null
	folds   map[string][]int32
	prefix  affixIndex[int32]
	suffix  affixIndex[int32]
	prefixF affixIndex[int32] // on folded strings
	suffixF affixIndex[int32]
	wilds   affixIndex[wildEdge] // keyed by the literal before the first '*'
	ranges  rangeIndex
	cidrs   cidrIndex
	buts    []butEdge
}

type wildEdge struct {
	w  *wildcard
	to int32
}

type butEdge struct {
	b  *butMatcher
	to int32
}

func addTo(m *map[string][]int32, k string, to int32) {
	if *m == nil {
		*m = map[string][]int32{}
	}
	(*m)[k] = append((*m)[k], to)
}

// add registers that values passing m lead to state to.
func (vi *valueIndex) add(m matcher, to int32) {
	switch m.kind {
	case mString:
		addTo(&vi.strs, m.s, to)
	case mNumber:
		if vi.nums == nil {
			vi.nums = map[numKey][]int32{}
		}
		vi.nums[m.num] = append(vi.nums[m.num], to)
	case mTrue, mFalse, mNull:
		vi.lits[m.kind-mTrue] = append(vi.lits[m.kind-mTrue], to)
	case mFold:
		addTo(&vi.folds, m.s, to)
	case mPrefix:
		vi.prefix.add(m.s, to)
	case mSuffix:
		vi.suffix.add(m.s, to)
	case mPrefixFold:
		vi.prefixF.add(m.s, to)
	case mSuffixFold:
		vi.suffixF.add(m.s, to)
	case mWildcard:
		vi.wilds.add(m.wc.pieces[0], wildEdge{m.wc, to})
	case mNumeric:
		vi.ranges.add(m.rng, to)
	case mCIDR:
		vi.cidrs.add(m.pfx, to)
	case mExists:
		vi.exists = append(vi.exists, to)
	case mAnythingBut:
		vi.buts = append(vi.buts, butEdge{m.but, to})
	}
}

// collect appends the states that field f leads to; duplicates are
// possible and removed by the caller.
func (vi *valueIndex) collect(f *field, out []int32) []int32 {
	out = append(out, vi.exists...)
	switch f.kind {
	case fString:
		out = vi.collectString(f, out)
	case fNumber:
		out = append(out, vi.nums[f.numKey()]...)
		if f.numOK {
			out = vi.ranges.collect(f.num, out)
		}
	default:
		out = append(out, vi.lits[f.kind-fTrue]...)
	}
	for _, e := range vi.buts {
		if e.b.matches(f) {
			out = append(out, e.to)
		}
	}
	return out
}

func (vi *valueIndex) collectString(f *field, out []int32) []int32 {
	out = append(out, vi.strs[f.str]...)
	out = append(out, vi.folds[f.fold]...)
	add := func(tos []int32) { out = append(out, tos...) }
	vi.prefix.prefixes(f.str, add)
	vi.suffix.suffixes(f.str, add)
	vi.prefixF.prefixes(f.fold, add)
	vi.suffixF.suffixes(f.fold, add)
	vi.wilds.prefixes(f.str, func(es []wildEdge) {
		for _, e := range es {
			if e.w.match(f.str) {
				out = append(out, e.to)
			}
		}
	})
	return vi.cidrs.collect(f.str, out)
}
