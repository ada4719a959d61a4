package pattern

import (
	"net/netip"
	"slices"
)

// cidrIndex finds the blocks containing an address with one map probe
// per distinct (family, mask length) rather than one test per block.
type cidrIndex struct {
	masks []cidrMask
	m     map[netip.Prefix][]int32
}

type cidrMask struct {
	v4   bool
	bits int
}

func (ix *cidrIndex) add(p netip.Prefix, to int32) {
	if ix.m == nil {
		ix.m = map[netip.Prefix][]int32{}
	}
	mk := cidrMask{v4: p.Addr().Is4(), bits: p.Bits()}
	if !slices.Contains(ix.masks, mk) {
		ix.masks = append(ix.masks, mk)
	}
	ix.m[p] = append(ix.m[p], to)
}

// collect appends the states of the blocks containing s, which only
// counts when it is an IP literal. Addresses are parsed here rather than
// when flattening: only fields that some cidr pattern looks at pay.
func (ix *cidrIndex) collect(s string, out []int32) []int32 {
	if ix.m == nil {
		return out
	}
	addr, err := netip.ParseAddr(s)
	if err != nil || addr.Zone() != "" {
		return out
	}
	for _, mk := range ix.masks {
		if mk.v4 != addr.Is4() {
			continue // address families never cross-match
		}
		p, _ := addr.Prefix(mk.bits)
		out = append(out, ix.m[p]...)
	}
	return out
}
