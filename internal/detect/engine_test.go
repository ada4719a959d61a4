package detect

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
)

// TestRegistryMatchesTypeTable: every detector reports a real GuardDuty
// type, once, and uses the table's default severity.
func TestRegistryMatchesTypeTable(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Registry(Config{}) {
		if _, ok := finding.Lookup(d.Type()); !ok {
			t.Errorf("%s is not a GuardDuty runtime type", d.Type())
		}
		if seen[d.Type()] {
			t.Errorf("%s registered twice", d.Type())
		}
		seen[d.Type()] = true
	}
	evs := map[string]*event.Event{
		TypeDockerSocketAccessed: connectEvent(ctr(), event.Connect{Family: "AF_UNIX", SocketPath: "/var/run/docker.sock"}),
		TypeCCActivityB:          connectEvent(ctr(), event.Connect{Family: "AF_INET", Remote: netip.MustParseAddr("198.51.100.7")}),
		TypeCCActivityBDNS:       dnsEvent(ctr(), "c2.guarddutyc2activityb.com"),
	}
	for _, d := range Registry(Config{Threats: testThreats(t)}) {
		obs := d.Evaluate(evs[d.Type()], &State{})
		info, _ := finding.Lookup(d.Type())
		if len(obs) != 1 || obs[0].Severity != info.Severity || obs[0].Type != d.Type() {
			t.Errorf("%s: observations %+v, want one with severity %v", d.Type(), obs, info.Severity)
		}
	}
}

func TestEngineEndToEnd(t *testing.T) {
	e := NewEngine(Config{Threats: testThreats(t)})
	ev := dnsEvent(ctr(), "c2.guarddutyc2activityb.com")
	obs := e.Evaluate("agent-1", ev)
	if len(obs) != 1 || obs[0].Type != TypeCCActivityBDNS {
		t.Fatalf("observations %+v", obs)
	}
	f := finding.Build(obs[0], finding.Origin{AccountID: "1", Region: "r", DetectorID: "d"}, time.Now())
	if f.Resource.ResourceType != finding.ResourceContainer || f.Service.Action.DNSRequestAction.Domain != ev.DNS.Name {
		t.Errorf("finding %+v", f)
	}
	if _, err := json.Marshal(f); err != nil {
		t.Fatal(err)
	}
	if e.Evaluate("agent-1", nil) != nil {
		t.Error("nil event produced observations")
	}
	if e.Agents() != 1 {
		t.Errorf("agents = %d", e.Agents())
	}
	e.Forget("agent-1")
	if e.Agents() != 0 {
		t.Errorf("agents after Forget = %d", e.Agents())
	}
}

// countingDetector records, per State, how many events it saw, to prove
// each agent gets its own State and that one agent's events are serialised.
type countingDetector struct {
	mu     sync.Mutex
	states map[*State]int
}

func (*countingDetector) Type() string { return "test" }

func (c *countingDetector) Evaluate(_ *event.Event, st *State) []finding.Observation {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.states[st]++
	return nil
}

func TestEnginePerAgentState(t *testing.T) {
	cd := &countingDetector{states: map[*State]int{}}
	e := newEngine([]Detector{cd})
	var wg sync.WaitGroup
	for a := range 4 {
		for range 50 {
			wg.Go(func() { e.Evaluate(fmt.Sprint("agent-", a), dnsEvent(nil, "x.example")) })
		}
	}
	wg.Wait()
	if len(cd.states) != 4 {
		t.Fatalf("%d states for 4 agents", len(cd.states))
	}
	for st, n := range cd.states {
		if n != 50 {
			t.Errorf("state %p saw %d events, want 50", st, n)
		}
	}
	e.Forget("agent-0")
	e.Evaluate("agent-0", dnsEvent(nil, "x.example"))
	if len(cd.states) != 5 {
		t.Error("Forget did not give the agent fresh state")
	}
}
