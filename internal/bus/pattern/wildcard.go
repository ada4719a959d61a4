package pattern

import (
	"errors"
	"strings"
)

// wildcard is a parsed wildcard value: literal pieces separated by '*'.
// len(pieces) == number of stars + 1; a value without stars is a plain
// string and is indexed as an exact value instead.
type wildcard struct {
	raw    string
	pieces []string
}

// parseWildcard validates the escapes (\* and \\ only) and rejects two
// unescaped stars in a row, as EventBridge does.
func parseWildcard(s string) (*wildcard, error) {
	var pieces []string
	var cur strings.Builder
	prevStar := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 == len(s) {
				return nil, errors.New("trailing backslash")
			}
			if n := s[i+1]; n != '*' && n != '\\' {
				return nil, errors.New(`invalid escape \` + string(rune(n)) + ` (only \* and \\ are allowed)`)
			}
			cur.WriteByte(s[i+1])
			i++
			prevStar = false
		case '*':
			if prevStar {
				return nil, errors.New("consecutive '*' characters are not allowed")
			}
			pieces = append(pieces, cur.String())
			cur.Reset()
			prevStar = true
		default:
			cur.WriteByte(c)
			prevStar = false
		}
	}
	return &wildcard{raw: s, pieces: append(pieces, cur.String())}, nil
}

// literal reports whether the wildcard has no star.
func (w *wildcard) literal() bool { return len(w.pieces) == 1 }

// match reports whether s matches the whole wildcard. With '*' as the only
// metacharacter, taking each middle piece at its leftmost occurrence is
// optimal, so matching is linear and never backtracks.
func (w *wildcard) match(s string) bool {
	n := len(w.pieces)
	if n == 1 {
		return s == w.pieces[0]
	}
	first, last := w.pieces[0], w.pieces[n-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, p := range w.pieces[1 : n-1] {
		i := strings.Index(mid, p)
		if i < 0 {
			return false
		}
		mid = mid[i+len(p):]
	}
	return true
}
