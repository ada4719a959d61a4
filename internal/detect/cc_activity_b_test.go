package detect

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
)

func TestCCActivityB(t *testing.T) {
	inet := func(family, ip, proto string, port uint16, result int32) event.Connect {
		return event.Connect{Family: family, Protocol: proto, Remote: netip.MustParseAddr(ip), RemotePort: port, Result: result}
	}
	v4 := func(ip string) *finding.RemoteIPDetails { return &finding.RemoteIPDetails{IPAddressV4: ip} }
	cases := []struct {
		name       string
		ev         *event.Event
		key, list  string
		remote     *finding.RemoteIPDetails
		proto      string
		port       int
		portName   string
		noFindings bool
	}{
		{name: "listed address", ev: connectEvent(ctr(), inet("AF_INET", "198.51.100.7", "TCP", 443, 0)),
			key: "198.51.100.7", list: "corp-c2", remote: v4("198.51.100.7"), proto: "TCP", port: 443, portName: "HTTPS"},
		{name: "in listed block, host process, in progress", ev: connectEvent(nil, inet("AF_INET", "203.0.113.9", "TCP", 4444, -115)),
			key: "203.0.113.9", list: "corp-c2", remote: v4("203.0.113.9"), proto: "TCP", port: 4444, portName: "Unknown"},
		{name: "refused still counts", ev: connectEvent(ctr(), inet("AF_INET", "192.0.2.1", "UDP", 53, -111)),
			key: "192.0.2.1", list: "other", remote: v4("192.0.2.1"), proto: "UDP", port: 53, portName: "DNS"},
		{name: "v4-mapped on an inet6 socket", ev: connectEvent(ctr(), inet("AF_INET6", "::ffff:198.51.100.7", "TCP", 80, 0)),
			key: "198.51.100.7", list: "corp-c2", remote: v4("198.51.100.7"), proto: "TCP", port: 80, portName: "HTTP"},
		{name: "v6", ev: connectEvent(ctr(), inet("AF_INET6", "2001:db8:bad::5", "", 8443, 0)),
			key: "2001:db8:bad::5", list: "corp-c2", remote: &finding.RemoteIPDetails{IPAddressV6: "2001:db8:bad::5"},
			proto: "Unknown", port: 8443, portName: "Unknown"},
		{name: "unlisted", ev: connectEvent(ctr(), inet("AF_INET", "198.51.100.8", "TCP", 443, 0)), noFindings: true},
		{name: "unix socket", ev: connectEvent(ctr(), event.Connect{Family: "AF_UNIX", SocketPath: "/run/x.sock"}), noFindings: true},
		{name: "dns event", ev: dnsEvent(ctr(), "guarddutyc2activityb.com"), noFindings: true},
		{name: "nil event", ev: nil, noFindings: true},
	}
	d := ccActivityB{threats: testThreats(t)}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := d.Evaluate(c.ev, &State{})
			if c.noFindings {
				if len(got) != 0 {
					t.Fatalf("unexpected observation %+v", got)
				}
				return
			}
			want := []finding.Observation{{
				Type: "Backdoor:Runtime/C&CActivity.B", Time: t0, Key: c.key, Event: c.ev,
				Action: &finding.Action{ActionType: "NETWORK_CONNECTION", NetworkConnectionAction: &finding.NetworkConnectionAction{
					ConnectionDirection: "OUTBOUND", Protocol: c.proto, RemoteIPDetails: c.remote,
					RemotePortDetails: &finding.PortDetails{Port: c.port, PortName: c.portName},
				}},
				Evidence: &finding.Evidence{ThreatIntelligenceDetails: []finding.ThreatIntelligenceDetail{{
					ThreatListName: c.list, ThreatNames: []string{}}}},
				AdditionalInfo: map[string]any{"threatListName": c.list},
			}}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %#v\nwant %#v", got[0], want[0])
			}
		})
	}
}

func TestCCActivityBWithoutLists(t *testing.T) {
	ev := connectEvent(ctr(), event.Connect{Family: "AF_INET", Remote: netip.MustParseAddr("198.51.100.7")})
	if got := (ccActivityB{}).Evaluate(ev, &State{}); len(got) != 0 {
		t.Fatalf("no lists configured, got %+v", got)
	}
}
