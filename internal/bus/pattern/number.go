package pattern

import (
	"math"
	"strconv"
	"strings"
)

// numKey identifies a number for exact comparison. Numbers that float64
// holds exactly are keyed by value, so 300, 300.0 and 3e2 are equal, as
// in event-ruler and quamina. Others (more precision than float64 keeps,
// or out of range) are keyed by their canonical decimal text: they still
// equal the same number spelled differently, never a nearby float.
type numKey struct {
	f float64
	s string
}

// number is a JSON number prepared for matching.
type number struct {
	key numKey
	f   float64
	ok  bool // f is finite: the number takes part in numeric ranges
}

// String spells the key for canonical pattern keys.
func (k numKey) String() string {
	if k.s != "" {
		return "d" + k.s
	}
	return "f" + strconv.FormatFloat(k.f, 'g', -1, 64)
}

// field is the event field for the number (small enough to inline on the
// flattening paths).
func (n number) field() field {
	return field{kind: fNumber, str: n.key.s, num: n.f, numOK: n.ok, exact: n.key.s == ""}
}

// parseNumber prepares the text of a valid JSON number.
func parseNumber(text string) number {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return number{key: numKey{s: canonicalDecimal(text)}}
	}
	n := number{f: f, ok: true}
	if f == 0 {
		f = 0 // -0 and 0 are one value
	}
	if fewDigits(text) || canonicalDecimal(strconv.FormatFloat(f, 'e', -1, 64)) == canonicalDecimal(text) {
		n.key.f = f
	} else {
		n.key.s = canonicalDecimal(text)
	}
	return n
}

// fewDigits is a fast sufficient test for exactness: a decimal with at
// most 15 significant digits and a modest exponent is the shortest
// round-trip form of its float64 (15 = DBL_DIG), so it loses nothing.
func fewDigits(text string) bool {
	digits, started := 0, false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == 'e' || c == 'E':
			e, err := strconv.Atoi(strings.TrimPrefix(text[i+1:], "+"))
			return err == nil && e > -280 && e < 280 && digits <= 15
		case c == '0' && !started:
		case '0' <= c && c <= '9':
			started = true
			digits++
		}
	}
	return digits <= 15 && len(text) < 300
}

// canonicalDecimal rewrites a JSON number as [-]digits"e"exponent with no
// leading or trailing zeros in digits; zero is "0" whatever its sign.
func canonicalDecimal(text string) string {
	neg := strings.HasPrefix(text, "-")
	s := strings.TrimPrefix(text, "-")
	mant, exp := s, int64(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e, err := strconv.ParseInt(strings.TrimPrefix(s[i+1:], "+"), 10, 64)
		if err != nil || e > 1e15 || e < -1e15 {
			// Such exponents never meet a float; keep the text so that
			// identical spellings still match.
			return "x" + text
		}
		exp = e
	}
	digits := mant
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		digits = mant[:i] + mant[i+1:]
		exp -= int64(len(mant) - i - 1)
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0"
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += int64(len(digits) - len(trimmed))
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + trimmed + "e" + strconv.FormatInt(exp, 10)
}
