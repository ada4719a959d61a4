package wire

import (
	"net/netip"

	"github.com/vigilsec/vigil/internal/event"
)

// validateConnect keeps the address fields consistent with the socket
// family, so detectors can trust Remote on inet sockets and SocketPath on
// unix sockets without re-checking.
func validateConnect(path string, c *event.Connect) error {
	switch c.Family {
	case "AF_INET", "AF_INET6":
		if c.Protocol != "TCP" && c.Protocol != "UDP" && c.Protocol != "" {
			return fieldErr(join(path, "protocol"), "unknown protocol %s", quote(c.Protocol))
		}
		if err := checkInetAddr(join(path, "remote"), c.Remote, c.Family, true); err != nil {
			return err
		}
		if c.SocketPath != "" {
			return fieldErr(join(path, "socket_path"), "set on an %s socket", c.Family)
		}
		return nil
	case "AF_UNIX":
		if c.Protocol != "" {
			return fieldErr(join(path, "protocol"), "set on an AF_UNIX socket")
		}
		if c.Remote.IsValid() || c.RemotePort != 0 {
			return fieldErr(join(path, "remote"), "set on an AF_UNIX socket")
		}
		return checkText(join(path, "socket_path"), c.SocketPath, MaxPathLen)
	default:
		return fieldErr(join(path, "family"), "unknown family %s", quote(c.Family))
	}
}

func validateDNS(path string, d *event.DNS) error {
	if d.Name == "" {
		return fieldErr(join(path, "name"), "must not be empty")
	}
	if err := checkText(join(path, "name"), d.Name, MaxDNSNameLen); err != nil {
		return err
	}
	if d.Protocol != "UDP" && d.Protocol != "TCP" && d.Protocol != "" {
		return fieldErr(join(path, "protocol"), "unknown protocol %s", quote(d.Protocol))
	}
	// The resolver address is optional: a sensor may see the query on a
	// connected socket without knowing its peer.
	return checkInetAddr(join(path, "remote"), d.Remote, "", false)
}

// checkInetAddr requires an address of the family's size (AF_INET6 sockets
// may carry IPv4-mapped addresses) and no zone: the kernel reports scope
// ids, so a zone name can only come from a confused or hostile agent.
func checkInetAddr(path string, a netip.Addr, family string, required bool) error {
	if !a.IsValid() {
		if required {
			return fieldErr(path, "missing")
		}
		return nil
	}
	if a.Zone() != "" {
		return fieldErr(path, "invalid IP %q: zones are not allowed", a.String())
	}
	if family == "AF_INET" && !a.Is4() {
		return fieldErr(path, "invalid IP %q: not IPv4 on an AF_INET socket", a.String())
	}
	if family == "AF_INET6" && !a.Is6() {
		return fieldErr(path, "invalid IP %q: not IPv6 on an AF_INET6 socket", a.String())
	}
	return nil
}
