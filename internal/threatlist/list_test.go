package threatlist

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := "\ufeff" + `# corp C2 feed
198.51.100.7
  203.0.113.0/24   # a block, indented
10.1.2.3/8
2001:db8::/32
2001:db8:ffff::1
::ffff:192.0.2.9

Guarddutyc2activityb.COM.
*.evil.example
_srv.bad-host.example
`
	l, err := Parse("corp-c2", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	wantP := []string{"198.51.100.7/32", "203.0.113.0/24", "10.0.0.0/8", "2001:db8::/32", "2001:db8:ffff::1/128", "192.0.2.9/32"}
	if len(l.Prefixes) != len(wantP) {
		t.Fatalf("prefixes = %v", l.Prefixes)
	}
	for i, w := range wantP {
		if l.Prefixes[i].String() != w {
			t.Errorf("prefix %d = %s, want %s", i, l.Prefixes[i], w)
		}
	}
	wantD := []string{"guarddutyc2activityb.com", "evil.example", "_srv.bad-host.example"}
	if fmt.Sprint(l.Domains) != fmt.Sprint(wantD) {
		t.Errorf("domains = %v, want %v", l.Domains, wantD)
	}
	if l.Len() != 9 || l.Name != "corp-c2" {
		t.Errorf("len %d name %q", l.Len(), l.Name)
	}
}

func TestParseCRLF(t *testing.T) {
	l, err := Parse("win", strings.NewReader("198.51.100.7\r\n# note\r\nevil.example\r\n"))
	if err != nil || l.Len() != 2 || l.Domains[0] != "evil.example" {
		t.Fatalf("CRLF list: %+v, %v", l, err)
	}
}

func TestParseRefusesBadLines(t *testing.T) {
	cases := []struct{ in, want string }{
		{"1.2.3.4\n1.2.3.4/33\n", `corp:2: not a valid CIDR block (got "1.2.3.4/33")`},
		{"300.1.1.1\n", `corp:1: not a valid IP address, and a numeric top-level label is not a domain (got "300.1.1.1")`},
		{"\n\nlocalhost\n", `corp:3: not an IP address, CIDR block or domain (a domain needs at least two labels) (got "localhost")`},
		{"ev il.com\n", `corp:1: not an IP address, CIDR block or domain (invalid character) (got "ev il.com")`},
		{"a..b\n", `corp:1: empty label in domain (got "a..b")`},
		{"-a.com\n", `corp:1: domain label starts or ends with '-' (got "-a.com")`},
		{"fe80::1%eth0\n", `corp:1: IPv6 zone not allowed in a threat list (got "fe80::1%eth0")`},
		{"::ffff:1.2.3.4/64\n", `corp:1: IPv4-mapped prefix shorter than /96 (got "::ffff:1.2.3.4/64")`},
		{strings.Repeat("a", 64) + ".com\n", `corp:1: domain label longer than 63 characters`},
		{strings.Repeat("x", 5000) + "\n", `corp:1: line longer than 4096 bytes`},
	}
	for _, c := range cases {
		_, err := Parse("corp", strings.NewReader(c.in))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Parse(%.30q) error = %v\n want prefix %s", c.in, err, c.want)
		}
	}
}

func TestParseLimit(t *testing.T) {
	var b strings.Builder
	for i := range MaxEntries {
		fmt.Fprintf(&b, "10.%d.%d.%d\n", i>>16, (i>>8)&255, i&255)
	}
	if _, err := Parse("big", strings.NewReader(b.String())); err != nil {
		t.Fatalf("exactly %d entries refused: %v", MaxEntries, err)
	}
	b.WriteString("# a comment does not count\n\n11.0.0.1\n")
	_, err := Parse("big", strings.NewReader(b.String()))
	want := fmt.Sprintf("big:%d: more than 250000 entries", MaxEntries+3)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "corp-c2.txt")
	if err := os.WriteFile(path, []byte("198.51.100.7\nbad line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":2: ") {
		t.Fatalf("error = %v, want it to name %s:2", err, path)
	}
	if err := os.WriteFile(path, []byte("198.51.100.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := LoadFile(path)
	if err != nil || l.Name != "corp-c2" || l.Len() != 1 {
		t.Fatalf("LoadFile = %+v, %v", l, err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.txt")); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("missing file error = %v", err)
	}
}

// FuzzParse: Parse never panics, and every entry it accepts is matched by
// a set built from the list.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1.2.3.4\n", "10.0.0.0/8 # x\n", "2001:db8::/32\nexample.com.\n", "*.a.b\n", "\x00\n", "::ffff:1.2.3.4/120"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		l, err := Parse("fuzz", strings.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Fatalf("error without location: %v", err)
			}
			return
		}
		s := NewSet(l)
		for _, p := range l.Prefixes {
			if _, ok := s.MatchIP(p.Addr()); !ok {
				t.Fatalf("entry %s does not match its own address", p)
			}
		}
		for _, d := range l.Domains {
			if _, ok := s.MatchDomain("x." + d); !ok {
				t.Fatalf("entry %s does not match a subdomain", d)
			}
			if _, err := normalizeDomain(d); err != nil {
				t.Fatalf("accepted domain %q does not re-parse: %v", d, err)
			}
		}
	})
}
