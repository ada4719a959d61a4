package sensor

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// dnsQuery builds a standard query (RD set) for name and qtype, without
// compression, as a stub resolver sends it.
func dnsQuery(t testing.TB, name string, qtype uint16) []byte {
	t.Helper()
	msg := []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if l == "" {
			continue
		}
		msg = append(msg, byte(len(l)))
		msg = append(msg, l...)
	}
	msg = append(msg, 0)
	msg = binary.BigEndian.AppendUint16(msg, qtype)
	return binary.BigEndian.AppendUint16(msg, 1) // class IN
}

func TestParseDNSQuery(t *testing.T) {
	header := []byte{0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	raw := func(parts ...[]byte) []byte {
		out := append([]byte{}, header...)
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	long63 := strings.Repeat("a", 63)
	name253 := strings.Join([]string{long63, long63, long63, strings.Repeat("b", 61)}, ".")
	tests := []struct {
		name    string
		msg     []byte
		want    string
		qtype   uint16
		wantErr bool
	}{
		{"simple A", dnsQuery(t, "example.com", 1), "example.com", 1, false},
		{"upper case AAAA", dnsQuery(t, "WWW.Example.ORG", 28), "www.example.org", 28, false},
		{"trailing dot given", dnsQuery(t, "a.b.", 16), "a.b", 16, false},
		{"root", raw([]byte{0, 0, 2, 0, 1}), ".", 2, false},
		{"253 characters", dnsQuery(t, name253, 1), name253, 1, false},
		{"escaped bytes", raw([]byte{3, 'a', '.', 0xff, 0, 0, 1, 0, 1}), `a\.\255`, 1, false},
		{"254 characters", dnsQuery(t, name253+"b", 1), "", 0, true},
		{"label 64", raw([]byte{64}, []byte(strings.Repeat("x", 64)), []byte{0, 0, 1, 0, 1}), "", 0, true},
		{"compression pointer", raw([]byte{0xc0, 0x0c, 0, 1, 0, 1}), "", 0, true},
		{"extended label", raw([]byte{0x41, 0, 0, 1, 0, 1}), "", 0, true},
		{"response", append([]byte{0, 1, 0x81, 0x80}, dnsQuery(t, "a", 1)[4:]...), "", 0, true},
		{"no question", append([]byte{0, 1, 1, 0, 0, 0}, dnsQuery(t, "a", 1)[6:]...), "", 0, true},
		{"short header", []byte{1, 2, 3}, "", 0, true},
		{"label truncated", raw([]byte{5, 'a', 'b'}), "", 0, true},
		{"no terminator", raw([]byte{1, 'a'}), "", 0, true},
		{"no qtype", raw([]byte{1, 'a', 0, 0}), "", 0, true},
		{"no qclass", raw([]byte{1, 'a', 0, 0, 1, 0}), "", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name, qtype, err := ParseDNSQuery(tc.msg)
			if tc.wantErr {
				if err == nil || !errors.Is(err, ErrNotDNS) {
					t.Fatalf("got (%q, %d, %v), want an ErrNotDNS error", name, qtype, err)
				}
				return
			}
			if err != nil || name != tc.want || qtype != tc.qtype {
				t.Fatalf("got (%q, %d, %v), want (%q, %d)", name, qtype, err, tc.want, tc.qtype)
			}
		})
	}
}

func FuzzParseDNSQuery(f *testing.F) {
	f.Add(dnsQuery(f, "example.com", 1))
	f.Add(dnsQuery(f, "xn--bcher-kva.example", 28))
	f.Add([]byte{0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1})
	f.Fuzz(func(t *testing.T, msg []byte) {
		name, _, err := ParseDNSQuery(msg)
		if err != nil {
			return
		}
		if name == "" || len(name) > 4*253 || strings.HasSuffix(name, ".") && name != "." {
			t.Fatalf("bad name %q", name)
		}
		if strings.ToLower(name) != name {
			t.Fatalf("name %q not lower-case", name)
		}
	})
}
