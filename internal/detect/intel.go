package detect

import (
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/threatlist"
)

// Building blocks shared by the threat-intelligence detectors: the action
// (what the process did on the network) and the evidence (which list said
// so), shaped as GuardDuty shapes them.

// connectAction renders an outbound inet connect as a NETWORK_CONNECTION
// action. vigil observes and never blocks, so blocked is false.
func connectAction(c *event.Connect) *finding.Action {
	remote := &finding.RemoteIPDetails{}
	if a := c.Remote.Unmap(); a.Is4() {
		remote.IPAddressV4 = a.String()
	} else {
		remote.IPAddressV6 = a.String()
	}
	proto := c.Protocol
	if proto == "" {
		proto = "Unknown"
	}
	port := int(c.RemotePort)
	return &finding.Action{
		ActionType: finding.ActionNetworkConnection,
		NetworkConnectionAction: &finding.NetworkConnectionAction{
			ConnectionDirection: "OUTBOUND",
			Protocol:            proto,
			RemoteIPDetails:     remote,
			RemotePortDetails:   &finding.PortDetails{Port: port, PortName: finding.PortName(port)},
		},
	}
}

// dnsAction renders a DNS question as a DNS_REQUEST action. domainWithSuffix
// is GuardDuty's registrable domain; without a public-suffix table the
// matched list entry stands in for it (it is usually exactly that).
func dnsAction(q *event.DNS, m threatlist.Match) *finding.Action {
	proto := q.Protocol
	if proto == "" {
		proto = "UDP" // the sensor sees DNS questions on UDP sockets
	}
	return &finding.Action{
		ActionType: finding.ActionDNSRequest,
		DNSRequestAction: &finding.DNSRequestAction{
			Domain:           q.Name,
			DomainWithSuffix: m.Entry,
			Protocol:         proto,
		},
	}
}

// threatEvidence names the list that matched. TXT lists carry no threat
// names, so threatNames is an empty array (never null: consumers index it).
func threatEvidence(m threatlist.Match) *finding.Evidence {
	return &finding.Evidence{ThreatIntelligenceDetails: []finding.ThreatIntelligenceDetail{{
		ThreatListName: m.List,
		ThreatNames:    []string{},
	}}}
}
