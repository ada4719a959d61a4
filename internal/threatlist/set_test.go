package threatlist

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

func mustParse(t testing.TB, name, in string) *List {
	t.Helper()
	l, err := Parse(name, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestMatchIP(t *testing.T) {
	s := NewSet(
		mustParse(t, "first", "203.0.113.0/24\n198.51.100.7\n2001:db8::/32\n"),
		mustParse(t, "second", "203.0.113.128/25\n198.51.100.7\n0.0.0.0/0\n"),
	)
	cases := []struct {
		ip, list, entry string
	}{
		{"203.0.113.5", "first", "203.0.113.0/24"},
		{"203.0.113.200", "second", "203.0.113.128/25"}, // most specific wins
		{"198.51.100.7", "first", "198.51.100.7/32"},    // duplicate: first list wins
		{"::ffff:198.51.100.7", "first", "198.51.100.7/32"},
		{"2001:db8:1::5", "first", "2001:db8::/32"},
		{"8.8.8.8", "second", "0.0.0.0/0"},
		{"2001:db9::1", "", ""},
		{"fe80::1%eth0", "", ""},
	}
	for _, c := range cases {
		m, ok := s.MatchIP(netip.MustParseAddr(c.ip))
		if ok != (c.list != "") || m.List != c.list || m.Entry != c.entry {
			t.Errorf("MatchIP(%s) = %+v, %v; want %s %s", c.ip, m, ok, c.list, c.entry)
		}
	}
	if _, ok := s.MatchIP(netip.Addr{}); ok {
		t.Error("invalid address matched")
	}
	var nilSet *Set
	if _, ok := nilSet.MatchIP(netip.MustParseAddr("1.1.1.1")); ok || nilSet.Len() != 0 {
		t.Error("nil set matched")
	}
}

func TestMatchDomain(t *testing.T) {
	s := NewSet(mustParse(t, "c2", "guarddutyc2activityb.com\nevil.example\n"),
		mustParse(t, "specific", "c2.guarddutyc2activityb.com\n"))
	cases := []struct{ q, list, entry string }{
		{"guarddutyc2activityb.com", "c2", "guarddutyc2activityb.com"},
		{"c2.guarddutyc2activityb.com", "specific", "c2.guarddutyc2activityb.com"},
		{"x.C2.GuardDutyC2ActivityB.com.", "specific", "c2.guarddutyc2activityb.com"},
		{"a.b.evil.example", "c2", "evil.example"},
		{"notevil.example", "", ""},
		{"evil.example.org", "", ""},
		{"example", "", ""},
		{"", "", ""},
		{".", "", ""},
	}
	for _, c := range cases {
		m, ok := s.MatchDomain(c.q)
		if ok != (c.list != "") || m.List != c.list || m.Entry != c.entry {
			t.Errorf("MatchDomain(%q) = %+v, %v; want %s %s", c.q, m, ok, c.list, c.entry)
		}
	}
	if s.Len() != 3 {
		t.Errorf("Len = %d", s.Len())
	}
}

// bigSet is a set of MaxEntries entries: half single IPv4 addresses and
// blocks of several lengths, a few IPv6 blocks, the rest domains.
func bigSet(b *testing.B) *Set {
	var ips, doms strings.Builder
	for i := range MaxEntries / 2 {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&ips, "%d.%d.%d.0/24\n", 1+i>>16, (i>>8)&255, i&255)
		case 1:
			fmt.Fprintf(&ips, "2001:db8:%x:%x::/64\n", i>>16, i&0xffff)
		default:
			fmt.Fprintf(&ips, "%d.%d.%d.%d\n", 100+i>>16, (i>>8)&255, i&255, i%200)
		}
		fmt.Fprintf(&doms, "host%d.bad%d.example\n", i, i%1000)
	}
	return NewSet(mustParse(b, "ips", ips.String()), mustParse(b, "domains", doms.String()))
}

func BenchmarkMatchIP(b *testing.B) {
	s := bigSet(b)
	addrs := []netip.Addr{
		netip.MustParseAddr("1.1.2.77"),      // in a /24
		netip.MustParseAddr("9.9.9.9"),       // miss
		netip.MustParseAddr("2001:db8:5::1"), // v6 in a /48
		netip.MustParseAddr("2001:db9::1"),   // v6 miss
		netip.MustParseAddr("100.0.2.2"),     // exact
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.MatchIP(addrs[i%len(addrs)])
	}
}

func BenchmarkMatchDomain(b *testing.B) {
	s := bigSet(b)
	names := []string{"host7.bad7.example", "a.b.c.host9.bad9.example", "www.example.org", "Host7.Bad7.Example."}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.MatchDomain(names[i%len(names)])
	}
}
