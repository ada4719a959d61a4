package detect

import (
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
)

func TestCCActivityBDNS(t *testing.T) {
	cases := []struct {
		name, query, key, entry, list string
		ev                            *event.Event
	}{
		{name: "tester subdomain", query: "c2.guarddutyc2activityb.com", key: "c2.guarddutyc2activityb.com",
			entry: "guarddutyc2activityb.com", list: "corp-c2"},
		{name: "listed domain itself", query: "guarddutyc2activityb.com", key: "guarddutyc2activityb.com",
			entry: "guarddutyc2activityb.com", list: "corp-c2"},
		{name: "case and trailing dot", query: "WWW.Evil.Example.", key: "www.evil.example", entry: "evil.example", list: "other"},
		{name: "unlisted", query: "example.org"},
		{name: "suffix but not subdomain", query: "notguarddutyc2activityb.com"},
		{name: "empty name", query: ""},
		{name: "connect event", ev: connectEvent(ctr(), event.Connect{Family: "AF_UNIX", SocketPath: "/x"})},
		{name: "dns kind without payload", ev: &event.Event{Kind: event.KindDNS}},
	}
	d := ccActivityBDNS{threats: testThreats(t)}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := c.ev
			if ev == nil {
				ev = dnsEvent(nil, c.query)
			}
			got := d.Evaluate(ev, &State{})
			if c.list == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected observation %+v", got)
				}
				return
			}
			want := []finding.Observation{{
				Type: "Backdoor:Runtime/C&CActivity.B!DNS", Time: t0, Key: c.key, Event: ev,
				Action: &finding.Action{ActionType: "DNS_REQUEST", DNSRequestAction: &finding.DNSRequestAction{
					Domain: c.query, DomainWithSuffix: c.entry, Protocol: "UDP"}},
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
