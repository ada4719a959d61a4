package sensor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// ErrNotDNS means a payload forwarded by the kernel's cheap header check
// (UDP, QR=0, QDCOUNT>=1) is not a well-formed DNS query after all. Run
// drops such records silently: they are filter misses, not decode errors.
var ErrNotDNS = errors.New("not a DNS query")

const (
	dnsHeaderLen  = 12
	dnsMaxLabel   = 63
	dnsMaxWireLen = 255 // RFC 1035: a name is at most 255 octets on the wire (253 as text)
)

// ParseDNSQuery returns the first question of a DNS query message: the name
// (lower-case, no trailing dot, "." for the root; bytes other than letters,
// digits, '-', '_' and printable punctuation are escaped as \DDD, '.' and
// '\' inside a label as \. and \\) and its QTYPE. It refuses responses,
// messages without a question, compression pointers or extended label types
// in the question, labels over 63 bytes, names over 253 characters and
// truncated messages. Errors wrap ErrNotDNS.
func ParseDNSQuery(payload []byte) (name string, qtype uint16, err error) {
	if len(payload) < dnsHeaderLen {
		return "", 0, fmt.Errorf("%w: %d bytes, shorter than a header", ErrNotDNS, len(payload))
	}
	if payload[2]&0x80 != 0 {
		return "", 0, fmt.Errorf("%w: QR bit set (a response)", ErrNotDNS)
	}
	if binary.BigEndian.Uint16(payload[4:6]) == 0 {
		return "", 0, fmt.Errorf("%w: no question", ErrNotDNS)
	}
	name, end, err := parseQName(payload, dnsHeaderLen)
	if err != nil {
		return "", 0, err
	}
	if len(payload) < end+4 {
		return "", 0, fmt.Errorf("%w: question truncated before QTYPE/QCLASS", ErrNotDNS)
	}
	return name, binary.BigEndian.Uint16(payload[end : end+2]), nil
}

// parseQName reads an uncompressed name starting at off and returns it with
// the offset just past its terminating zero label.
func parseQName(msg []byte, off int) (string, int, error) {
	var b strings.Builder
	wire := 0
	for {
		if off >= len(msg) {
			return "", 0, fmt.Errorf("%w: name truncated", ErrNotDNS)
		}
		l := int(msg[off])
		off++
		wire++
		if l == 0 {
			break
		}
		if l&0xC0 != 0 {
			return "", 0, fmt.Errorf("%w: compression pointer or extended label 0x%02x in question", ErrNotDNS, l)
		}
		if l > dnsMaxLabel { // unreachable with the 0xC0 test; kept as the rule
			return "", 0, fmt.Errorf("%w: label of %d bytes", ErrNotDNS, l)
		}
		if off+l > len(msg) {
			return "", 0, fmt.Errorf("%w: label truncated", ErrNotDNS)
		}
		wire += l
		if wire+1 > dnsMaxWireLen {
			return "", 0, fmt.Errorf("%w: name longer than 253 characters", ErrNotDNS)
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		writeLabel(&b, msg[off:off+l])
		off += l
	}
	if b.Len() == 0 {
		return ".", off, nil
	}
	return b.String(), off, nil
}

// writeLabel appends one label in presentation form, lower-cased.
func writeLabel(b *strings.Builder, label []byte) {
	for _, c := range label {
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c == '.' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c > ' ' && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(b, "\\%03d", c)
		}
	}
}
