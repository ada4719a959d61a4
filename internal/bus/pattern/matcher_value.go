package pattern

import (
	"net/netip"
	"strconv"
)

// kind is what one element of a value list tests.
type kind uint8

const (
	mString      kind = iota // exact string (also "exactly" and star-less wildcards)
	mNumber                  // exact number, compared numerically
	mTrue                    // JSON true
	mFalse                   // JSON false
	mNull                    // JSON null
	mFold                    // equals-ignore-case
	mPrefix                  // prefix
	mSuffix                  // suffix
	mPrefixFold              // prefix + equals-ignore-case
	mSuffixFold              // suffix + equals-ignore-case
	mCIDR                    // cidr
	mWildcard                // wildcard with at least one star
	mNumeric                 // numeric range
	mExists                  // exists: true
	mAnythingBut             // anything-but, any form
)

// matcher is one element of a value list. Only the members that its kind
// needs are set; s is the string operand (already folded for the *Fold
// kinds, the canonical number key for mNumber).
type matcher struct {
	kind kind
	s    string
	num  numKey
	rng  numRange
	pfx  netip.Prefix
	wc   *wildcard
	but  *butMatcher
}

// key is a canonical spelling of the matcher: equal keys mean equal tests,
// which lets steps shared by several patterns share automaton states.
func (m matcher) key() string {
	tag := strconv.Itoa(int(m.kind)) + ":"
	switch m.kind {
	case mNumeric:
		return tag + m.rng.key()
	case mCIDR:
		return tag + m.pfx.String()
	case mWildcard:
		return tag + m.wc.raw
	case mAnythingBut:
		return tag + m.but.key
	case mNumber:
		return tag + m.num.String()
	}
	return tag + strconv.Quote(m.s)
}

// class orders the steps of a branch: the automaton tests selective,
// hash-indexed conditions first so that broad ones (anything-but, exists)
// are only reached by events that already satisfied the rest.
func (m matcher) class() int {
	switch m.kind {
	case mString, mNumber, mTrue, mFalse, mNull, mFold:
		return 0
	case mPrefix, mSuffix, mPrefixFold, mSuffixFold, mCIDR:
		return 1
	case mWildcard, mNumeric:
		return 2
	}
	return 3
}
