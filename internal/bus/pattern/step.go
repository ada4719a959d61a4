package pattern

import (
	"cmp"
	"slices"
	"strings"
)

// step is one condition of a branch: the field at path satisfies one of
// the matchers, or (absent) no field is at path.
type step struct {
	path   string
	ms     []matcher // sorted by key, no duplicates
	absent bool
	class  int
	key    string // path + matcher keys: equal keys mean equal steps
}

// branch is one alternative of a pattern: all steps must hold. Steps are
// sorted by (absent, class, path), so absence is checked after the fields
// that decide which array elements are in play (spec §3.6).
type branch []*step

func newStep(at where, ms []matcher, absent bool) *step {
	st := &step{path: at.path, absent: absent}
	slices.SortFunc(ms, func(a, b matcher) int { return strings.Compare(a.key(), b.key()) })
	ms = slices.CompactFunc(ms, func(a, b matcher) bool { return a.key() == b.key() })
	st.ms = ms
	var kb strings.Builder
	kb.WriteString(at.path)
	for _, m := range ms {
		kb.WriteString(pathSep)
		kb.WriteString(m.key())
		st.class = max(st.class, m.class())
	}
	st.key = kb.String()
	if absent && len(ms) == 0 {
		st.key = at.path + pathSep + "absent"
	}
	return st
}

// split separates a step whose list mixes {"exists":false} with other
// values into its two alternatives: "absent" or "one of the values".
func (st *step) split() (pos, neg *step) {
	if !st.absent || len(st.ms) == 0 {
		return nil, nil
	}
	pos = &step{path: st.path, ms: st.ms, class: st.class, key: st.key}
	neg = &step{path: st.path, absent: true, key: st.path + pathSep + "absent"}
	return pos, neg
}

// buildBranches turns the alternatives into sorted branches, splitting
// mixed absent/value steps into separate alternatives.
func buildBranches(sets []stepSet) ([]branch, error) {
	var out []branch
	for _, set := range sets {
		alts := []branch{nil}
		for _, st := range set {
			pos, neg := st.split()
			if pos == nil {
				for i := range alts {
					alts[i] = append(alts[i], st)
				}
				continue
			}
			if len(out)+2*len(alts) > maxBranches {
				return nil, &PatternError{Reason: "too many combinations of alternatives"}
			}
			next := make([]branch, 0, 2*len(alts))
			for _, a := range alts {
				next = append(next, append(slices.Clone(a), pos), append(slices.Clone(a), neg))
			}
			alts = next
		}
		out = append(out, alts...)
		if len(out) > maxBranches {
			return nil, &PatternError{Reason: "too many combinations of alternatives"}
		}
	}
	for _, b := range out {
		slices.SortFunc(b, compareSteps)
	}
	return out, nil
}

func compareSteps(a, b *step) int {
	if a.absent != b.absent {
		if a.absent {
			return 1
		}
		return -1
	}
	return cmp.Or(cmp.Compare(a.class, b.class), strings.Compare(a.path, b.path))
}
