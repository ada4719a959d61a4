package detect

import (
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/threatlist"
)

// TypeCCActivityB is reported by ccActivityB.
const TypeCCActivityB = "Backdoor:Runtime/C&CActivity.B"

// ccActivityB reports a process that connects to an IP address on a threat
// list: talking to a command-and-control server means the workload is
// likely compromised and taking orders.
//
// Every attempt counts, failed ones included (-ECONNREFUSED, -ETIMEDOUT,
// and -EINPROGRESS, which is how non-blocking connects start): trying to
// reach a C&C address is the signal, whether or not the server answered.
// Host and container processes alike are reported.
type ccActivityB struct {
	threats *threatlist.Set
}

func (ccActivityB) Type() string { return TypeCCActivityB }

func (d ccActivityB) Evaluate(ev *event.Event, _ *State) []finding.Observation {
	m, ok := matchConnect(ev, d.threats)
	if !ok {
		return nil
	}
	return []finding.Observation{{
		Type:           TypeCCActivityB,
		Time:           ev.Time,
		Key:            ev.Connect.Remote.Unmap().String(),
		Event:          ev,
		Action:         connectAction(ev.Connect),
		Evidence:       threatEvidence(m),
		AdditionalInfo: map[string]any{"threatListName": m.List},
	}}
}

// matchConnect is the pure core: the list entry matching the remote address
// of an inet connect.
func matchConnect(ev *event.Event, threats *threatlist.Set) (threatlist.Match, bool) {
	if ev == nil || ev.Kind != event.KindConnect || ev.Connect == nil {
		return threatlist.Match{}, false
	}
	c := ev.Connect
	if c.Family != "AF_INET" && c.Family != "AF_INET6" {
		return threatlist.Match{}, false
	}
	return threats.MatchIP(c.Remote) // a nil set and an invalid address match nothing
}
