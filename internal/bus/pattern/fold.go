package pattern

import (
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// foldString maps s to a case-insensitive comparison form using Unicode
// simple case folding, one rune at a time. Folding per rune keeps rune
// boundaries aligned, so prefix and suffix tests on folded strings are
// valid case-insensitive prefix and suffix tests.
func foldString(s string) string {
	if !mayFold(s) {
		return s // already folded: no allocation on the common path
	}
	return foldSlow(s)
}

// mayFold reports whether folding could change s: it has upper-case ASCII
// or any non-ASCII byte.
func mayFold(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || ('A' <= c && c <= 'Z') {
			return true
		}
	}
	return false
}

func foldSlow(s string) string {
	b := appendFold(make([]byte, 0, len(s)), s)
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is not used again
}

// appendFold appends the folded form of s (foldRune of each rune) to dst.
func appendFold(dst []byte, s string) []byte {
	for _, r := range s {
		dst = utf8.AppendRune(dst, foldRune(r))
	}
	return dst
}

// foldRune returns one fixed representative of r's simple-fold orbit:
// the lower-case ASCII member when the orbit has one (so that K, k and the
// Kelvin sign agree), otherwise the smallest member (Ⱥ and ⱥ agree although
// their UTF-8 lengths differ).
func foldRune(r rune) rune {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < 0x80 {
			return unicode.ToLower(f)
		}
		least = min(least, f)
	}
	return least
}
