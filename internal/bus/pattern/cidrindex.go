package pattern

import (
	"net/netip"
	"slices"
)

// cidrIndex finds the blocks containing an address with one map probe
// per distinct (family, mask length) rather than one test per block.
type cidrIndex struct {
	masks []cidrMask
	set   stateSet[cidrKey]
}

type cidrMask struct {
	v4   bool
	bits int
}

// cidrKey identifies a masked block. It is plain bytes rather than a
// netip.Prefix, whose zone pointer sends map lookups to the slow generic
// hash.
type cidrKey struct {
	addr [16]byte
	bits uint8
	v4   bool
}

func keyOf(p netip.Prefix) cidrKey {
	return cidrKey{addr: p.Addr().As16(), bits: uint8(p.Bits()), v4: p.Addr().Is4()}
}

func (ix *cidrIndex) add(p netip.Prefix, to int32) {
	mk := cidrMask{v4: p.Addr().Is4(), bits: p.Bits()}
	if !slices.Contains(ix.masks, mk) {
		ix.masks = append(ix.masks, mk)
	}
	ix.set.add(keyOf(p), to)
}

// collect appends the states of the blocks containing s, which only
// counts when it is an IP literal. Addresses are parsed here rather than
// when flattening: only fields that some cidr pattern looks at pay.
func (ix *cidrIndex) collect(s string, out []int32) []int32 {
	if len(ix.masks) == 0 {
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
		out = ix.set.collect(keyOf(p), out)
	}
	return out
}
