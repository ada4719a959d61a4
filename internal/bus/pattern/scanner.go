package pattern

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads JSON tokens from src. Strings without escapes are returned
// as substrings of src, so flattening allocates little.
type scanner struct {
	src string
	pos int
}

func (s *scanner) fail(reason string) error {
	return &EventError{Offset: s.pos, Reason: reason}
}

func (s *scanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

// skipWS passes over whitespace. Pretty-printed events are about a third
// indentation, so runs of spaces are taken eight at a time (comparing with
// a constant 8-byte string is one load and one compare).
func (s *scanner) skipWS() {
	i := s.pos
	for i < len(s.src) && wsByte[s.src[i]] {
		i++
		for i+8 <= len(s.src) && s.src[i:i+8] == "        " {
			i += 8
		}
	}
	s.pos = i
}

var wsByte = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func (s *scanner) consume(tok string) bool {
	if strings.HasPrefix(s.src[s.pos:], tok) {
		s.pos += len(tok)
		return true
	}
	return false
}

// plainByte marks the string bytes that need no attention: not the
// closing quote, a backslash or a control character.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a string starting at the opening quote.
func (s *scanner) str() (string, error) {
	start := s.pos + 1
	for i := start; i < len(s.src); i++ {
		if plainByte[s.src[i]] {
			continue
		}
		switch c := s.src[i]; {
		case c == '"':
			s.pos = i + 1
			return s.src[start:i], nil
		case c == '\\':
			s.pos = start
			return s.escaped()
		}
		s.pos = i
		return "", s.fail("control character in string")
	}
	s.pos = len(s.src)
	return "", s.fail("unterminated string")
}

// escaped decodes a string containing escapes, from s.pos (after the quote).
func (s *scanner) escaped() (string, error) {
	var b strings.Builder
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			return b.String(), nil
		case c < 0x20:
			return "", s.fail("control character in string")
		case c != '\\':
			b.WriteByte(c)
			s.pos++
			continue
		}
		if err := s.escape(&b); err != nil {
			return "", err
		}
	}
	return "", s.fail("unterminated string")
}

var simpleEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// escape decodes one escape sequence at s.pos (the backslash).
func (s *scanner) escape(b *strings.Builder) error {
	if s.pos+1 >= len(s.src) {
		return s.fail("unterminated escape")
	}
	e := s.src[s.pos+1]
	if r := simpleEscapes[e]; r != 0 {
		b.WriteByte(r)
		s.pos += 2
		return nil
	}
	if e != 'u' {
		return s.fail("invalid escape")
	}
	r, ok := s.hex4(s.pos + 2)
	if !ok {
		return s.fail("invalid \\u escape")
	}
	s.pos += 6
	if utf16.IsSurrogate(r) {
		// A valid pair forms one rune; a lone surrogate becomes U+FFFD,
		// as in encoding/json.
		r = s.lowSurrogate(r)
	}
	b.WriteRune(r)
	return nil
}

// lowSurrogate combines high surrogate hi with a following \uXXXX low
// surrogate, consuming it, or returns U+FFFD.
func (s *scanner) lowSurrogate(hi rune) rune {
	if !strings.HasPrefix(s.src[s.pos:], `\u`) {
		return utf8.RuneError
	}
	lo, ok := s.hex4(s.pos + 2)
	if !ok {
		return utf8.RuneError
	}
	dec := utf16.DecodeRune(hi, lo)
	if dec == utf8.RuneError {
		return utf8.RuneError
	}
	s.pos += 6
	return dec
}

func (s *scanner) hex4(at int) (rune, bool) {
	if at+4 > len(s.src) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s.src[at : at+4]) {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// number reads a number per the JSON grammar and returns its text.
func (s *scanner) number() (string, error) {
	start := s.pos
	s.consume("-")
	switch {
	case s.consume("0"):
	case '1' <= s.peek() && s.peek() <= '9':
		s.digits()
	default:
		return "", s.fail("invalid number")
	}
	if s.consume(".") && s.digits() == 0 {
		return "", s.fail("invalid number: digits expected after '.'")
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		if s.digits() == 0 {
			return "", s.fail("invalid number: digits expected in exponent")
		}
	}
	return s.src[start:s.pos], nil
}

func (s *scanner) digits() int {
	n := 0
	for s.pos < len(s.src) && '0' <= s.src[s.pos] && s.src[s.pos] <= '9' {
		s.pos++
		n++
	}
	return n
}
