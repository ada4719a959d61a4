package wire

import (
	"strings"
	"time"
	"unicode/utf8"
)

// The helpers below make what the agent sends fit the bounds Validate
// enforces (limits.go). ToProto applies them to every field, so an event
// the kernel really saw is never refused for its size or encoding: argv,
// paths, comm and user names are arbitrary bytes of arbitrary length on
// Linux, and they are also attacker-controlled. Refusing such an event would
// lose it, and with it every event of every descendant (lineage carries the
// ancestors' argv): a parent with one 5 KB argument, or a binary named with
// a stray 0xff byte, would hide all its children from detection.

// text makes s valid UTF-8 (U+FFFD for each invalid run, as protobuf
// requires of string fields) and at most max bytes, cut at a character
// boundary.
func text(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// token makes s an identifier Validate accepts: at most max bytes of
// printable ASCII without spaces; other bytes become '_'.
func token(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	for i := 0; i < len(s); i++ {
		if !tokenByte(s[i]) {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if !tokenByte(b[j]) {
					b[j] = '_'
				}
			}
			return string(b)
		}
	}
	return s
}

// arn is token for an ARN; a value that is not one is left out.
func arn(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return ""
	}
	return token(s, MaxARNLen)
}

// argv keeps at most MaxArgs entries of at most MaxArgLen bytes each and
// MaxArgsBytes in all: the first arguments say what ran, so the tail goes.
func argv(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	out := make([]string, 0, min(len(args), MaxArgs))
	room := MaxArgsBytes
	for _, a := range args {
		if len(out) == MaxArgs || room == 0 {
			break
		}
		a = text(a, min(MaxArgLen, room))
		room -= len(a)
		out = append(out, a)
	}
	return out
}

// plausible drops a time Validate would refuse as an optional field (before
// 2000, or over a day ahead): a corrupt start time is unknown, not a reason
// to lose the event.
func plausible(t time.Time) time.Time {
	if t.IsZero() || t.Before(minTime) || t.After(time.Now().Add(maxFutureSkew)) {
		return time.Time{}
	}
	return t
}
