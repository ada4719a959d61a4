package pattern

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// parseCIDR parses "<address>/<bits>" for IPv4 or IPv6. Host bits in the
// address are allowed and cleared ("54.240.196.171/24" covers .0–.255), as
// event-ruler does.
func parseCIDR(s string) (netip.Prefix, error) {
	addrText, bitsText, ok := strings.Cut(s, "/")
	if !ok || strings.Contains(bitsText, "/") {
		return netip.Prefix{}, errors.New("must have the form address/bits")
	}
	addr, err := netip.ParseAddr(addrText)
	if err != nil || addr.Zone() != "" {
		return netip.Prefix{}, errors.New("malformed IP address " + strconv.Quote(addrText))
	}
	if bitsText == "" || strings.Trim(bitsText, "0123456789") != "" || len(bitsText) > 3 {
		return netip.Prefix{}, errors.New("mask bits must be a non-negative integer")
	}
	bits, _ := strconv.Atoi(bitsText)
	if bits > addr.BitLen() {
		return netip.Prefix{}, errors.New("mask bits must be at most " + strconv.Itoa(addr.BitLen()))
	}
	return addr.Prefix(bits)
}
