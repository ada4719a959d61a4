package pattern

// valueIndex holds the transitions that leave one automaton state through
// one path: for each kind of test, the states reached when an event field
// at that path passes it. Exact values, affixes and CIDR blocks are
// indexed; only wildcards sharing a literal start, anything-but and small
// numeric sets are tested one by one.
//
// Exact strings are by far the most common test, so they stay in the
// index itself and every other kind lives in a separate valueTests: with
// thousands of rules there are tens of thousands of indexes, and a match
// that only compares strings then reads one or two cache lines of each
// instead of ten.
type valueIndex struct {
	has   uint16 // bit 1<<kind: some test of that kind was added
	strs  stateSet[string]
	tests *valueTests // nil when only exact strings are tested
}

type valueTests struct {
	exists  []int32
	nums    stateSet[numKey]
	lits    [3][]int32 // true, false, null
	folds   stateSet[string]
	prefix  prefixSet[int32]
	suffix  affixIndex[int32]
	prefixF prefixSet[int32] // on folded strings
	suffixF affixIndex[int32]
	wilds   prefixSet[wildEdge] // keyed by the literal before the first '*'
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

// freeze finishes the indexes that are built in two phases.
func (vi *valueIndex) freeze() {
	if t := vi.tests; t != nil {
		t.ranges.freeze()
		t.prefix.freeze()
		t.prefixF.freeze()
		t.wilds.freeze()
	}
}

// Kinds that collectString handles beyond exact strings.
const stringOps = 1<<mFold | 1<<mPrefix | 1<<mSuffix | 1<<mPrefixFold |
	1<<mSuffixFold | 1<<mWildcard | 1<<mCIDR

// add registers that values passing m lead to state to.
func (vi *valueIndex) add(m matcher, to int32) {
	vi.has |= 1 << m.kind
	if m.kind == mString {
		vi.strs.add(m.s, to)
		return
	}
	if vi.tests == nil {
		vi.tests = &valueTests{}
	}
	vi.tests.add(m, to)
}

func (t *valueTests) add(m matcher, to int32) {
	switch m.kind {
	case mNumber:
		t.nums.add(m.num, to)
	case mTrue, mFalse, mNull:
		t.lits[m.kind-mTrue] = append(t.lits[m.kind-mTrue], to)
	case mFold:
		t.folds.add(m.s, to)
	case mPrefix:
		t.prefix.add(m.s, to)
	case mSuffix:
		t.suffix.add(m.s, to)
	case mPrefixFold:
		t.prefixF.add(m.s, to)
	case mSuffixFold:
		t.suffixF.add(m.s, to)
	case mWildcard:
		t.wilds.add(m.wc.pieces[0], wildEdge{m.wc, to})
	case mNumeric:
		t.ranges.add(m.rng, to)
	case mCIDR:
		t.cidrs.add(m.pfx, to)
	case mExists:
		t.exists = append(t.exists, to)
	case mAnythingBut:
		t.buts = append(t.buts, butEdge{m.but, to})
	}
}

// collect appends the states that field f leads to; duplicates are
// possible and removed by the caller.
func (vi *valueIndex) collect(f *field, out []int32) []int32 {
	if f.kind == fString {
		out = vi.strs.collect(f.str, out)
	}
	if vi.tests != nil {
		out = vi.tests.collect(vi.has, f, out)
	}
	return out
}

func (t *valueTests) collect(has uint16, f *field, out []int32) []int32 {
	out = append(out, t.exists...)
	switch f.kind {
	case fString:
		if has&stringOps != 0 {
			out = t.collectString(f, out)
		}
	case fNumber:
		out = t.nums.collect(f.numKey(), out)
		if f.numOK && has&(1<<mNumeric) != 0 {
			out = t.ranges.collect(f.num, out)
		}
	default:
		out = append(out, t.lits[f.kind-fTrue]...)
	}
	for _, e := range t.buts {
		if e.b.matches(f) {
			out = append(out, e.to)
		}
	}
	return out
}

// collectString tests the string operators other than exact equality.
func (t *valueTests) collectString(f *field, out []int32) []int32 {
	out = t.folds.collect(f.fold, out)
	add := func(tos []int32) { out = append(out, tos...) }
	t.prefix.prefixes(f.str, add)
	t.suffix.suffixes(f.str, add)
	t.prefixF.prefixes(f.fold, add)
	t.suffixF.suffixes(f.fold, add)
	t.wilds.prefixes(f.str, func(es []wildEdge) {
		for _, e := range es {
			if e.w.match(f.str) {
				out = append(out, e.to)
			}
		}
	})
	return t.cidrs.collect(f.str, out)
}
