package pattern

import "slices"

// scratch is the per-call working memory of a match, pooled per automaton
// so that matching a pre-flattened event does not allocate.
type scratch struct {
	gen      uint32
	pathGen  []uint32 // pathHead[i] is valid when pathGen[i] == gen
	pathHead []int32
	ruleGen  []uint32 // rule i already reported when ruleGen[i] == gen
	hits     []int32
	next     []int32 // stack of pending target states
	acc      []arrayPos
}

func newScratch(npaths, nrules int) *scratch {
	return &scratch{
		pathGen: make([]uint32, npaths), pathHead: make([]int32, npaths),
		ruleGen: make([]uint32, nrules),
	}
}

// reset starts a new match; stamps make clearing the tables unnecessary.
func (sc *scratch) reset() {
	sc.gen++
	if sc.gen == 0 { // wrapped: old stamps could look current
		clear(sc.pathGen)
		clear(sc.ruleGen)
		sc.gen = 1
	}
	sc.hits, sc.next, sc.acc = sc.hits[:0], sc.next[:0], sc.acc[:0]
}

// run walks the automaton over one event.
type run struct {
	a  *automaton
	ev *Event
	sc *scratch
}

// match returns the ids of the matching rules (unsorted) in sc.hits.
func (a *automaton) match(ev *Event, sc *scratch) []int32 {
	sc.reset()
	r := run{a: a, ev: ev, sc: sc}
	r.visit(0)
	return sc.hits
}

// fields returns the first event field at path id p, looked up once per
// match however many states test that path.
func (r *run) fields(p int32) int32 {
	sc := r.sc
	if sc.pathGen[p] != sc.gen {
		sc.pathGen[p] = sc.gen
		sc.pathHead[p] = r.ev.first(r.a.paths[p], r.a.hashes[p])
	}
	return sc.pathHead[p]
}

// visit explores state s with the array positions in sc.acc fixed by the
// fields chosen so far.
func (r *run) visit(s int32) {
	st := &r.a.states[s]
	for _, rule := range st.accept {
		if r.sc.ruleGen[rule] != r.sc.gen {
			r.sc.ruleGen[rule] = r.sc.gen
			r.sc.hits = append(r.sc.hits, rule)
		}
	}
	for i := range st.edges {
		e := &st.edges[i]
		for fi := r.fields(e.path); fi >= 0; fi = r.ev.fields[fi].next {
			r.take(e.vi, &r.ev.fields[fi])
		}
	}
	for _, ab := range st.absent {
		if !r.present(ab.path) {
			r.visit(ab.to)
		}
	}
}

// take follows the transitions that field f passes, if f may be combined
// with the fields already chosen.
func (r *run) take(vi *valueIndex, f *field) {
	pos := r.ev.membership(f)
	if !consistent(pos, r.sc.acc) {
		return
	}
	start := len(r.sc.next)
	r.sc.next = vi.collect(f, r.sc.next)
	end := start + dedup(r.sc.next[start:])
	r.sc.next = r.sc.next[:end]
	mark := len(r.sc.acc)
	r.sc.acc = append(r.sc.acc, pos...)
	for j := start; j < end; j++ {
		r.visit(r.sc.next[j]) // may grow sc.next beyond end; [start,end) stays
	}
	r.sc.acc = r.sc.acc[:mark]
	r.sc.next = r.sc.next[:start]
}

// present reports whether a field at path p can be used with the fields
// already chosen (exists:false fails when one can).
func (r *run) present(p int32) bool {
	for fi := r.fields(p); fi >= 0; fi = r.ev.fields[fi].next {
		if consistent(r.ev.membership(&r.ev.fields[fi]), r.sc.acc) {
			return true
		}
	}
	return false
}

// dedup removes repeated states (a value may pass several tests that lead
// to the same state) and returns the new length.
func dedup(xs []int32) int {
	if len(xs) < 2 {
		return len(xs)
	}
	if len(xs) > 16 {
		slices.Sort(xs)
		return len(slices.Compact(xs))
	}
	n := 0
	for _, x := range xs {
		if !slices.Contains(xs[:n], x) {
			xs[n] = x
			n++
		}
	}
	return n
}
