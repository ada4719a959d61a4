package finding

import (
	"strings"
	"unicode/utf8"
)

// wildcardMatch reports whether s matches pattern as a whole. GuardDuty
// calls matches/notMatches a "wildcard match" without defining the
// syntax; vigil takes the common shell-like form AWS uses elsewhere (ELB
// path patterns, IAM StringLike): `*` is any run of characters (also
// none), `?` exactly one character, anything else itself, case-sensitive
// like equals. There is no escape: a literal `*` or `?` is matched by the
// wildcard itself, which is the only way GuardDuty users could write it.
//
// The single-backtrack algorithm is O(len(s)·len(pattern)) at worst, never
// exponential: patterns come from API users and must not stall the
// pipeline.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			switch pattern[p] {
			case '*':
				starP, starI = p, i
				p++
				continue
			case '?':
				_, w := utf8.DecodeRuneInString(s[i:])
				p, i = p+1, i+w
				continue
			default:
				_, pw := utf8.DecodeRuneInString(pattern[p:])
				if strings.HasPrefix(s[i:], pattern[p:p+pw]) {
					p, i = p+pw, i+pw
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last star absorb one more character and retry after it.
		_, w := utf8.DecodeRuneInString(s[starI:])
		starI += w
		p, i = starP+1, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
