package pattern

import "unsafe"

// jsonRun parses an event straight into a scratch's Event, guided by the
// automaton's key trie: only leaves at paths that some pattern tests are
// recorded, already chained per path id, and every other subtree is only
// validated. The event is still checked completely, so MatchJSON rejects
// exactly the texts Flatten rejects.
type jsonRun struct {
	scanner
	a      *automaton
	sc     *scratch
	arrays int32 // arrays entered so far; the next array's id
	depth  int
}

// matchJSON parses event and matches it; the ids land in sc.hits.
//
// The scanner reads event through an unsafe string view instead of a
// copy: copying a 4 KB event per match costs more than the whole match
// and feeds the garbage collector. The view and every field string cut
// from it live only until sc.release, which drops them before sc goes
// back to the pool; the caller must not modify event meanwhile.
func (a *automaton) matchJSON(event []byte, sc *scratch) ([]int32, error) {
	sc.reset()
	p := jsonRun{scanner: scanner{src: unsafe.String(unsafe.SliceData(event), len(event))}, a: a, sc: sc}
	p.skipWS()
	if p.peek() != '{' {
		return nil, p.fail("the event must be a JSON object")
	}
	if err := p.value(0); err != nil {
		return nil, err
	}
	p.skipWS()
	if p.pos != len(p.src) {
		return nil, p.fail("unexpected data after the event object")
	}
	r := run{a: a, ev: &sc.ev, sc: sc}
	r.visit(0)
	return sc.hits, nil
}

// value parses the value at trie node n, which some path goes through.
func (p *jsonRun) value(n int32) error {
	p.skipWS()
	nd := &p.a.keys.nodes[n]
	switch c := p.peek(); {
	case c == '[':
		return p.nested(func() error { return p.array(n) })
	case c == '{' && len(nd.kids) > 0:
		return p.nested(func() error { return p.object(n) })
	case nd.path < 0:
		return p.skip() // a leaf or object where no tested path ends
	}
	return p.leaf(nd.path)
}

// nested enforces the nesting limit around parsing one object or array.
func (p *jsonRun) nested(parse func() error) error {
	if p.depth++; p.depth > MaxEventDepth {
		return p.fail("nesting deeper than 1000 levels")
	}
	err := parse()
	p.depth--
	return err
}

func (p *jsonRun) object(n int32) error {
	p.pos++ // '{'
	p.skipWS()
	if p.consume("}") {
		return nil
	}
	for {
		p.skipWS()
		if p.peek() != '"' {
			return p.fail("expected a string key")
		}
		key, err := p.str()
		if err != nil {
			return err
		}
		p.skipWS()
		if !p.consume(":") {
			return p.fail("expected ':'")
		}
		if c := p.a.keys.child(n, encodeKey(key)); c >= 0 {
			err = p.value(c)
		} else {
			err = p.skip()
		}
		if err != nil {
			return err
		}
		if done, err := p.endOf('}'); done || err != nil {
			return err
		}
	}
}

// array parses the elements at node n, each in its own array position.
func (p *jsonRun) array(n int32) error {
	p.pos++ // '['
	id := p.arrays
	p.arrays++
	p.skipWS()
	if p.consume("]") {
		return nil
	}
	sc := p.sc
	for idx := int32(0); ; idx++ {
		sc.stack = append(sc.stack, arrayPos{id: id, idx: idx})
		err := p.value(n)
		sc.stack = sc.stack[:len(sc.stack)-1]
		if err != nil {
			return err
		}
		if done, err := p.endOf(']'); done || err != nil {
			return err
		}
	}
}

// leaf records the scalar at path id pid; objects there are skipped, as
// Flatten records no field for them at this path.
func (p *jsonRun) leaf(pid int32) error {
	switch c := p.peek(); {
	case c == '{':
		return p.skip()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return err
		}
		p.record(pid, field{kind: fString, str: s, fold: p.fold(s)})
	case c == '-' || ('0' <= c && c <= '9'):
		text, err := p.number()
		if err != nil {
			return err
		}
		p.record(pid, parseNumber(text).field())
	default:
		k, err := p.literal()
		if err != nil {
			return err
		}
		p.record(pid, field{kind: k})
	}
	return nil
}

// fold returns the folded form of s, written to the scratch arena when it
// differs (see matchJSON for why a view is safe).
func (p *jsonRun) fold(s string) string {
	if !mayFold(s) {
		return s
	}
	sc := p.sc
	off := len(sc.arena)
	sc.arena = appendFold(sc.arena, s)
	return unsafe.String(&sc.arena[off], len(sc.arena)-off)
}

// record appends field f at path pid, chained to the earlier fields there.
func (p *jsonRun) record(pid int32, f field) {
	sc, ev := p.sc, &p.sc.ev
	f.path = p.a.paths[pid]
	f.m0, f.mn = int32(len(ev.memb)), int32(len(sc.stack))
	ev.memb = append(ev.memb, sc.stack...)
	f.next = -1
	if sc.pathGen[pid] == sc.gen {
		f.next = sc.pathHead[pid]
	}
	sc.pathGen[pid], sc.pathHead[pid] = sc.gen, int32(len(ev.fields))
	ev.fields = append(ev.fields, f)
}
