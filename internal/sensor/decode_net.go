package sensor

import (
	"fmt"
	"net/netip"

	"github.com/vigilsec/vigil/internal/event"
)

// struct connect_event, dns_event and open_event (bpf/common.h).
const (
	connResultOff   = hdrLen
	connFamilyOff   = hdrLen + 4
	connPortOff     = hdrLen + 6
	connProtoOff    = hdrLen + 8
	connAddrLenOff  = hdrLen + 10
	connAddrOff     = hdrLen + 12
	connUnixPathOff = hdrLen + 28
	connUnixPathMax = 108
	connLen         = connUnixPathOff + connUnixPathMax

	dnsFamilyOff   = hdrLen
	dnsPortOff     = hdrLen + 2
	dnsAddrOff     = hdrLen + 4
	dnsCapturedOff = hdrLen + 24
	dnsPayloadOff  = hdrLen + 28
	dnsPayloadMax  = 512

	openResultOff = hdrLen
	openFlagsOff  = hdrLen + 4
	openModeOff   = hdrLen + 8
	openPathOff   = hdrLen + 16
	openPathMax   = 512

	afUnix  = 1
	afInet  = 2
	afInet6 = 10
)

var familyNames = map[uint16]string{afUnix: "AF_UNIX", afInet: "AF_INET", afInet6: "AF_INET6"}

func protocolName(p uint8) string {
	switch p {
	case 6:
		return "TCP"
	case 17:
		return "UDP"
	}
	return ""
}

// inetAddr decodes a family and 16 address bytes (IPv4 in the first four).
func inetAddr(family uint16, b []byte) netip.Addr {
	switch family {
	case afInet:
		return netip.AddrFrom4([4]byte(b[:4]))
	case afInet6:
		return netip.AddrFrom16([16]byte(b[:16]))
	}
	return netip.Addr{}
}

func decodeConnect(raw []byte) (*event.Connect, error) {
	if _, err := field(raw, hdrLen, connLen-hdrLen, "connect body"); err != nil {
		return nil, err
	}
	family := le.Uint16(raw[connFamilyOff:])
	name, ok := familyNames[family]
	if !ok {
		return nil, fmt.Errorf("connect: unexpected address family %d", family)
	}
	c := &event.Connect{
		Family: name,
		Result: int32(le.Uint32(raw[connResultOff:])),
	}
	if family == afUnix {
		c.SocketPath = unixPath(raw[connUnixPathOff:connLen], int(le.Uint16(raw[connAddrLenOff:])))
		return c, nil
	}
	c.Protocol = protocolName(raw[connProtoOff])
	c.Remote = inetAddr(family, raw[connAddrOff:])
	c.RemotePort = le.Uint16(raw[connPortOff:])
	return c, nil
}

// unixPath renders sun_path given the sockaddr length: a leading NUL marks
// an abstract name, shown as "@name" (its bytes are exactly addrlen-3).
func unixPath(sunPath []byte, addrLen int) string {
	n := min(max(addrLen-2, 0), len(sunPath))
	p := sunPath[:n]
	if len(p) > 0 && p[0] == 0 {
		return "@" + string(p[1:])
	}
	return cString(p)
}

func decodeDNS(raw []byte) (*event.DNS, error) {
	if _, err := field(raw, hdrLen, dnsPayloadOff-hdrLen, "dns body"); err != nil {
		return nil, err
	}
	n := min(int(le.Uint16(raw[dnsCapturedOff:])), dnsPayloadMax)
	payload, err := field(raw, dnsPayloadOff, n, "dns payload")
	if err != nil {
		return nil, err
	}
	name, qtype, err := ParseDNSQuery(payload)
	if err != nil {
		return nil, err
	}
	family := le.Uint16(raw[dnsFamilyOff:])
	return &event.DNS{
		Name:       name,
		QType:      qtype,
		Remote:     inetAddr(family, raw[dnsAddrOff:]),
		RemotePort: le.Uint16(raw[dnsPortOff:]),
		Protocol:   "UDP",
	}, nil
}

func decodeOpen(raw []byte) (*event.Open, error) {
	if _, err := field(raw, hdrLen, openPathOff-hdrLen, "open body"); err != nil {
		return nil, err
	}
	path := raw[openPathOff:min(len(raw), openPathOff+openPathMax)]
	return &event.Open{
		Path:   cString(path),
		Flags:  le.Uint32(raw[openFlagsOff:]),
		Mode:   le.Uint32(raw[openModeOff:]),
		Result: int32(le.Uint32(raw[openResultOff:])),
	}, nil
}
