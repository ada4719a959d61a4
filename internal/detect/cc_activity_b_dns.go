package detect

import (
	"strings"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/threatlist"
)

// TypeCCActivityBDNS is reported by ccActivityBDNS.
const TypeCCActivityBDNS = "Backdoor:Runtime/C&CActivity.B!DNS"

// ccActivityBDNS reports a DNS query for a domain on a threat list, or a
// subdomain of one (malware resolves its C&C host before connecting, and
// C&C servers hide behind changing addresses but stable names). The query
// alone is reported: the answer is irrelevant, and GuardDuty's own test
// domain guarddutyc2activityb.com resolves to nothing useful.
type ccActivityBDNS struct {
	threats *threatlist.Set
}

func (ccActivityBDNS) Type() string { return TypeCCActivityBDNS }

func (d ccActivityBDNS) Evaluate(ev *event.Event, _ *State) []finding.Observation {
	m, ok := matchQuery(ev, d.threats)
	if !ok {
		return nil
	}
	return []finding.Observation{{
		Type:           TypeCCActivityBDNS,
		Time:           ev.Time,
		Key:            strings.ToLower(strings.TrimSuffix(ev.DNS.Name, ".")), // one finding per name, however spelled
		Event:          ev,
		Action:         dnsAction(ev.DNS, m),
		Evidence:       threatEvidence(m),
		AdditionalInfo: map[string]any{"threatListName": m.List},
	}}
}

// matchQuery is the pure core: the list entry matching the queried name.
func matchQuery(ev *event.Event, threats *threatlist.Set) (threatlist.Match, bool) {
	if ev == nil || ev.Kind != event.KindDNS || ev.DNS == nil || ev.DNS.Name == "" {
		return threatlist.Match{}, false
	}
	return threats.MatchDomain(ev.DNS.Name)
}
