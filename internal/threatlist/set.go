package threatlist

import (
	"net/netip"
	"slices"
	"strings"
)

// Match says which list and which entry matched.
type Match struct {
	List  string
	Entry string
}

// Set holds several named lists for matching. It is immutable once built,
// so concurrent lookups need no locking; reload by building a new Set.
//
// Addresses are matched per prefix length: one map per length that occurs
// in the lists, probed from the longest length down. A lookup costs at most
// 33 (IPv4) or 129 (IPv6) map probes whatever the list size, and in
// practice as many as there are distinct lengths (a handful). Domains are
// matched by walking the suffixes of the queried name in one map.
type Set struct {
	v4, v6  []prefixTable // sorted by bits, longest first
	domains map[string]Match
	size    int
}

type prefixTable struct {
	bits    int
	entries map[netip.Addr]Match // keyed by the masked address
}

// NewSet indexes the lists. When several lists hold the same entry, the
// first list given wins, so callers order lists by priority.
func NewSet(lists ...*List) *Set {
	s := &Set{domains: map[string]Match{}}
	type length struct {
		v6   bool
		bits int
	}
	byLen := map[length]map[netip.Addr]Match{}
	for _, l := range lists {
		if l == nil {
			continue
		}
		for _, p := range l.Prefixes {
			k := length{p.Addr().Is6(), p.Bits()}
			t := byLen[k]
			if t == nil {
				t = map[netip.Addr]Match{}
				byLen[k] = t
			}
			if _, dup := t[p.Addr()]; !dup {
				t[p.Addr()] = Match{List: l.Name, Entry: p.String()}
				s.size++
			}
		}
		for _, d := range l.Domains {
			if _, dup := s.domains[d]; !dup {
				s.domains[d] = Match{List: l.Name, Entry: d}
				s.size++
			}
		}
	}
	for k, t := range byLen {
		if k.v6 {
			s.v6 = append(s.v6, prefixTable{k.bits, t})
		} else {
			s.v4 = append(s.v4, prefixTable{k.bits, t})
		}
	}
	longestFirst := func(a, b prefixTable) int { return b.bits - a.bits }
	slices.SortFunc(s.v4, longestFirst)
	slices.SortFunc(s.v6, longestFirst)
	return s
}

// Len is the number of distinct entries in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return s.size
}

// MatchIP reports the most specific entry containing a (an IPv4-mapped
// IPv6 address matches IPv4 entries). A nil Set matches nothing.
func (s *Set) MatchIP(a netip.Addr) (Match, bool) {
	if s == nil || !a.IsValid() {
		return Match{}, false
	}
	a = a.Unmap().WithZone("")
	tables := s.v4
	if a.Is6() {
		tables = s.v6
	}
	for _, t := range tables {
		p, err := a.Prefix(t.bits)
		if err != nil {
			continue
		}
		if m, ok := t.entries[p.Addr()]; ok {
			return m, true
		}
	}
	return Match{}, false
}

// MatchDomain reports the entry that name equals or is a subdomain of
// (c2.guarddutyc2activityb.com matches guarddutyc2activityb.com), most
// specific first; case and a trailing dot are ignored. A nil Set matches
// nothing.
func (s *Set) MatchDomain(name string) (Match, bool) {
	if s == nil || len(s.domains) == 0 {
		return Match{}, false
	}
	name = canonicalQuery(name)
	for name != "" {
		if m, ok := s.domains[name]; ok {
			return m, true
		}
		i := strings.IndexByte(name, '.')
		if i < 0 {
			break
		}
		name = name[i+1:]
	}
	return Match{}, false
}
