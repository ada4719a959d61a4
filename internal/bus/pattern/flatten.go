package pattern

// Flatten parses an event (a JSON object) once so that it can be matched
// by many patterns. The parser is strict JSON (RFC 8259); it keeps number
// texts, crushes array levels out of paths and records, for each leaf,
// the array elements that enclose it.
func Flatten(event []byte) (*Event, error) {
	fl := flattener{scanner: scanner{src: string(event)}}
	fl.ev.fields = make([]field, 0, len(event)/32+4)
	fl.pend = make([]pending, 0, cap(fl.ev.fields))
	// Paths repeat their parents' keys, so the arena outgrows the event
	// text a little (7.4 KB for the 6.1 KB GuardDuty finding); one growth
	// copy would cost more than the spare capacity.
	fl.arena = make([]byte, 0, len(event)*3/2)
	fl.skipWS()
	if fl.peek() != '{' {
		return nil, fl.fail("the event must be a JSON object")
	}
	if err := fl.value(pathRef{h: fnvOffset, n: -1}); err != nil {
		return nil, err
	}
	fl.skipWS()
	if fl.pos != len(fl.src) {
		return nil, fl.fail("unexpected data after the event object")
	}
	fl.finish()
	return &fl.ev, nil
}

// pathRef is a path under construction: its hash and its bytes in the
// arena (n < 0 for the top level). Paths and folded strings are written to one arena that becomes a
// single string at the end, instead of one allocation per member.
type pathRef struct {
	h      uint64
	off, n int32
}

// pending holds the arena positions of a field's path and folded value
// until the arena is converted to a string.
type pending struct {
	path           pathRef
	foldOff, foldN int32 // foldN < 0: the value is its own folded form
}

type flattener struct {
	scanner
	ev     Event
	arena  []byte
	pend   []pending  // parallel to ev.fields
	stack  []arrayPos // array elements enclosing the current value
	arrays int32      // arrays seen so far; the next array's id
	depth  int
}

// join returns the path of member key inside the object at parent.
func (fl *flattener) join(parent pathRef, key string) pathRef {
	off := int32(len(fl.arena))
	h := parent.h
	if parent.n >= 0 {
		fl.arena = append(fl.arena, fl.arena[parent.off:parent.off+parent.n]...)
		fl.arena = append(fl.arena, pathSep...)
		h = hashMore(h, pathSep)
	}
	enc := encodeKey(key)
	fl.arena = append(fl.arena, enc...)
	return pathRef{h: hashMore(h, enc), off: off, n: int32(len(fl.arena)) - off}
}

// value parses any JSON value whose path is p.
func (fl *flattener) value(p pathRef) error {
	fl.skipWS()
	switch c := fl.peek(); {
	case c == '{' || c == '[':
		if fl.depth++; fl.depth > MaxEventDepth {
			return fl.fail("nesting deeper than 1000 levels")
		}
		defer func() { fl.depth-- }()
		if c == '{' {
			return fl.object(p)
		}
		return fl.array(p)
	case c == '"':
		s, err := fl.str()
		if err != nil {
			return err
		}
		fl.stringLeaf(p, s)
	case c == '-' || ('0' <= c && c <= '9'):
		text, err := fl.number()
		if err != nil {
			return err
		}
		fl.leaf(p, parseNumber(text).field(), -1)
	default:
		return fl.literal(p)
	}
	return nil
}

// stringLeaf records a string and, if folding changes it, its folded form.
func (fl *flattener) stringLeaf(p pathRef, s string) {
	if !mayFold(s) {
		fl.leaf(p, field{kind: fString, str: s}, -1)
		return
	}
	off := int32(len(fl.arena))
	fl.arena = appendFold(fl.arena, s)
	fl.leaf(p, field{kind: fString, str: s}, off)
}

func (fl *flattener) literal(p pathRef) error {
	k, err := fl.scanner.literal()
	if err != nil {
		return err
	}
	fl.leaf(p, field{kind: k}, -1)
	return nil
}

func (fl *flattener) object(p pathRef) error {
	fl.pos++ // '{'
	fl.skipWS()
	if fl.consume("}") {
		return nil
	}
	for {
		fl.skipWS()
		if fl.peek() != '"' {
			return fl.fail("expected a string key")
		}
		key, err := fl.str()
		if err != nil {
			return err
		}
		fl.skipWS()
		if !fl.consume(":") {
			return fl.fail("expected ':'")
		}
		if err := fl.value(fl.join(p, key)); err != nil {
			return err
		}
		if done, err := fl.endOf('}'); done || err != nil {
			return err
		}
	}
}

func (fl *flattener) array(p pathRef) error {
	fl.pos++ // '['
	id := fl.arrays
	fl.arrays++
	fl.skipWS()
	if fl.consume("]") {
		return nil
	}
	for idx := int32(0); ; idx++ {
		fl.stack = append(fl.stack, arrayPos{id: id, idx: idx})
		err := fl.value(p)
		fl.stack = fl.stack[:len(fl.stack)-1]
		if err != nil {
			return err
		}
		if done, err := fl.endOf(']'); done || err != nil {
			return err
		}
	}
}

// endOf consumes ',' (more members follow) or the closing bracket.
func (s *scanner) endOf(closing byte) (bool, error) {
	s.skipWS()
	switch s.peek() {
	case ',':
		s.pos++
		return false, nil
	case closing:
		s.pos++
		return true, nil
	}
	return false, s.fail("expected ',' or '" + string(closing) + "'")
}

// leaf records a field with the current array membership; foldOff >= 0
// says that its folded form starts there in the arena and runs to the end.
func (fl *flattener) leaf(p pathRef, f field, foldOff int32) {
	f.m0, f.mn = int32(len(fl.ev.memb)), int32(len(fl.stack))
	fl.ev.memb = append(fl.ev.memb, fl.stack...)
	fl.ev.fields = append(fl.ev.fields, f)
	pd := pending{path: p, foldOff: foldOff, foldN: -1}
	if foldOff >= 0 {
		pd.foldN = int32(len(fl.arena)) - foldOff
	}
	fl.pend = append(fl.pend, pd)
}
