package pattern

// skip validates one JSON value and passes over it without recording
// anything: the bulk of an event lies in subtrees that no pattern
// mentions, and checking them must cost no more than reading them.
func (p *jsonRun) skip() error {
	p.skipWS()
	switch c := p.peek(); {
	case c == '{':
		return p.nested(p.skipObject)
	case c == '[':
		return p.nested(p.skipArray)
	case c == '"':
		return p.skipString()
	case c == '-' || ('0' <= c && c <= '9'):
		_, err := p.number()
		return err
	}
	_, err := p.literal()
	return err
}

func (p *jsonRun) skipObject() error {
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
		if err := p.skipString(); err != nil {
			return err
		}
		p.skipWS()
		if !p.consume(":") {
			return p.fail("expected ':'")
		}
		if err := p.skip(); err != nil {
			return err
		}
		if done, err := p.endOf('}'); done || err != nil {
			return err
		}
	}
}

func (p *jsonRun) skipArray() error {
	p.pos++ // '['
	p.skipWS()
	if p.consume("]") {
		return nil
	}
	for {
		if err := p.skip(); err != nil {
			return err
		}
		if done, err := p.endOf(']'); done || err != nil {
			return err
		}
	}
}

// skipString checks a string from its opening quote as str does (control
// characters, escapes) without decoding it.
func (s *scanner) skipString() error {
	i := s.pos + 1
	for i < len(s.src) {
		c := s.src[i]
		switch {
		case plainByte[c]:
			i++
		case c == '"':
			s.pos = i + 1
			return nil
		case c == '\\':
			n, ok := s.escapeLen(i)
			if !ok {
				s.pos = i
				return s.fail("invalid escape")
			}
			i += n
		default:
			s.pos = i
			return s.fail("control character in string")
		}
	}
	s.pos = len(s.src)
	return s.fail("unterminated string")
}

// escapeLen returns the length of the valid escape sequence at i. A lone
// surrogate is valid (it decodes to U+FFFD), so each \u stands alone.
func (s *scanner) escapeLen(i int) (int, bool) {
	if i+1 >= len(s.src) {
		return 0, false
	}
	e := s.src[i+1]
	if simpleEscapes[e] != 0 {
		return 2, true
	}
	if e != 'u' {
		return 0, false
	}
	_, ok := s.hex4(i + 2)
	return 6, ok
}

// literal reads true, false or null.
func (s *scanner) literal() (fieldKind, error) {
	switch {
	case s.consume("true"):
		return fTrue, nil
	case s.consume("false"):
		return fFalse, nil
	case s.consume("null"):
		return fNull, nil
	}
	return 0, s.fail("unexpected character")
}
