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
	ev       Event      // the event parsed by MatchJSON
	stack    []arrayPos // arrays enclosing the value MatchJSON is parsing
	arena    []byte     // folded strings of ev
	slab     []string   // unused rest of the chunk that results are cut from
}

// slabSize is the number of names allocated at once for results.
const slabSize = 256

// names returns a new slice of n strings for a result. Results are cut
// from a shared chunk, one malloc per slabSize names instead of one per
// match: with thousands of rules and a million events a second that
// allocation is a tenth of a match. Each result is capped at its length,
// so callers may modify or append to it without touching another result;
// the price is that a result kept alive keeps its chunk alive. The chunk
// is never written again once handed out, so this is safe across the
// pool's goroutines.
func (sc *scratch) names(n int) []string {
	if n > len(sc.slab) {
		sc.slab = make([]string, max(n, slabSize))
	}
	out := sc.slab[:n:n]
	sc.slab = sc.slab[n:]
	return out
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
	sc.ev.fields, sc.ev.memb = sc.ev.fields[:0], sc.ev.memb[:0]
	sc.stack, sc.arena = sc.stack[:0], sc.arena[:0]
}

// get takes a scratch from the automaton's pool.
func (a *automaton) get() *scratch { return a.scratch.Get().(*scratch) }

// put returns sc to the pool, first dropping the field strings that
// MatchJSON cut from the caller's event so the pool does not pin it.
func (a *automaton) put(sc *scratch) {
	clear(sc.ev.fields)
	a.scratch.Put(sc)
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
// match however many states test that path. Small enough to inline: the
// lookup proper is in resolve.
func (r *run) fields(p int32) int32 {
	if r.sc.pathGen[p] == r.sc.gen {
		return r.sc.pathHead[p]
	}
	return r.resolve(p)
}

func (r *run) resolve(p int32) int32 {
	sc := r.sc
	sc.pathGen[p] = sc.gen
	sc.pathHead[p] = r.ev.first(r.a.paths[p], r.a.hashes[p])
	return sc.pathHead[p]
}

// visit explores state s with the array positions in sc.acc fixed by the
// fields chosen so far.
func (r *run) visit(s int32) {
	st, sc, fields := &r.a.states[s], r.sc, r.ev.fields
	for _, rule := range st.accept {
		if sc.ruleGen[rule] != sc.gen {
			sc.ruleGen[rule] = sc.gen
			sc.hits = append(sc.hits, rule)
		}
	}
	for i := range st.edges {
		e := &st.edges[i]
		for fi := r.fields(e.path); fi >= 0; fi = fields[fi].next {
			r.take(&e.vi, &fields[fi])
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
	sc := r.sc
	pos := r.ev.membership(f)
	if len(pos) > 0 && !consistent(pos, sc.acc) {
		return
	}
	start := len(sc.next)
	if vi.tests == nil {
		// Only exact strings are tested here, as in most states past
		// the first: skip the general dispatch.
		if f.kind != fString {
			return
		}
		sc.next = vi.strs.collect(f.str, sc.next)
	} else {
		sc.next = vi.collect(f, sc.next)
	}
	end := len(sc.next)
	switch {
	case end == start:
		return // most fields pass no test of the state
	case end == start+1:
		// The usual case past the first step: one rule's next condition.
		// No list to keep on the stack, nothing to deduplicate.
		to := sc.next[start]
		sc.next = sc.next[:start]
		r.visitWith(pos, to)
		return
	}
	end = start + dedup(sc.next[start:end])
	sc.next = sc.next[:end]
	mark := len(sc.acc)
	sc.acc = append(sc.acc, pos...)
	for j := start; j < end; j++ {
		r.visit(sc.next[j]) // may grow sc.next beyond end; [start,end) stays
	}
	sc.acc = sc.acc[:mark]
	sc.next = sc.next[:start]
}

// visitWith visits state s with the array positions pos added to sc.acc.
func (r *run) visitWith(pos []arrayPos, s int32) {
	if len(pos) == 0 {
		r.visit(s)
		return
	}
	mark := len(r.sc.acc)
	r.sc.acc = append(r.sc.acc, pos...)
	r.visit(s)
	r.sc.acc = r.sc.acc[:mark]
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
