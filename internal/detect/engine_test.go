package detect

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
)

// TestRegistryMatchesTypeTable: every detector reports a real GuardDuty
// type, once, and its findings have the table's default severity.
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
		if len(obs) != 1 || obs[0].Type != d.Type() {
			t.Fatalf("%s: observations %+v, want one", d.Type(), obs)
		}
		if f := finding.Build(obs[0], finding.Origin{}, time.Now()); f.Severity != info.Severity {
			t.Errorf("%s: finding severity %v, want the table's %v", d.Type(), f.Severity, info.Severity)
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
// each agent gets its own State, and how many evaluations of one State are
// in flight at once, to prove one agent's events are serialised. It takes
// no lock of its own around an evaluation: only the engine's serialisation
// keeps the in-flight count at one (and the plain counter race-free).
type countingDetector struct {
	states  sync.Map // *State -> *stateCount
	overlap atomic.Int32
}

type stateCount struct {
	inFlight atomic.Int32
	n        int // written only while inFlight is held at one
}

func (*countingDetector) Type() string { return "test" }

func (c *countingDetector) Evaluate(_ *event.Event, st *State) []finding.Observation {
	v, _ := c.states.LoadOrStore(st, &stateCount{})
	sc := v.(*stateCount)
	if sc.inFlight.Add(1) > 1 {
		c.overlap.Add(1)
	}
	runtime.Gosched() // widen the window in which an overlap would show
	sc.n++
	sc.inFlight.Add(-1)
	return nil
}

func (c *countingDetector) counts() map[*State]int {
	m := map[*State]int{}
	c.states.Range(func(k, v any) bool {
		m[k.(*State)] = v.(*stateCount).n
		return true
	})
	return m
}

func TestEnginePerAgentState(t *testing.T) {
	cd := &countingDetector{}
	e := newEngine([]Detector{cd})
	var wg sync.WaitGroup
	for a := range 4 {
		for range 50 {
			wg.Go(func() { e.Evaluate(fmt.Sprint("agent-", a), dnsEvent(nil, "x.example")) })
		}
	}
	wg.Wait()
	if n := cd.overlap.Load(); n != 0 {
		t.Errorf("%d evaluations overlapped another of the same agent", n)
	}
	counts := cd.counts()
	if len(counts) != 4 {
		t.Fatalf("%d states for 4 agents", len(counts))
	}
	for st, n := range counts {
		if n != 50 {
			t.Errorf("state %p saw %d events, want 50", st, n)
		}
	}
	e.Forget("agent-0")
	e.Evaluate("agent-0", dnsEvent(nil, "x.example"))
	if len(cd.counts()) != 5 {
		t.Error("Forget did not give the agent fresh state")
	}
}

// TestEvaluateBatchMatchesEvaluate: a batch yields the observations of
// Evaluate on each of its events in turn, in the same order, on the
// agent's one State.
func TestEvaluateBatchMatchesEvaluate(t *testing.T) {
	threats := testThreats(t)
	batch := []event.Event{
		*dnsEvent(ctr(), "c2.guarddutyc2activityb.com"),
		*connectEvent(ctr(), event.Connect{Family: "AF_UNIX", SocketPath: "/var/run/docker.sock"}),
		*dnsEvent(ctr(), "x.example"),
		*connectEvent(ctr(), event.Connect{Family: "AF_INET", Remote: netip.MustParseAddr("198.51.100.7")}),
		*dnsEvent(ctr(), "c2.guarddutyc2activityb.com"),
	}
	one := NewEngine(Config{Threats: threats})
	var want []finding.Observation
	for i := range batch {
		want = append(want, one.Evaluate("agent-1", &batch[i])...)
	}
	cd := &countingDetector{}
	e := newEngine(append(Registry(Config{Threats: threats}), cd))
	got := e.EvaluateBatch("agent-1", batch)
	if len(want) < 3 || len(got) != len(want) {
		t.Fatalf("%d observations from the batch, %d from Evaluate (want at least 3)", len(got), len(want))
	}
	for i := range want {
		if got[i].Type != want[i].Type || got[i].Key != want[i].Key || got[i].Event != want[i].Event {
			t.Errorf("observation %d: %s %q %p, want %s %q %p", i, got[i].Type, got[i].Key, got[i].Event,
				want[i].Type, want[i].Key, want[i].Event)
		}
	}
	if c := cd.counts(); len(c) != 1 || e.Agents() != 1 {
		t.Errorf("%d states, %d agents for one agent's batch", len(c), e.Agents())
	}
	for _, n := range cd.counts() {
		if n != len(batch) {
			t.Errorf("the agent's State saw %d events, want %d", n, len(batch))
		}
	}
	if e.EvaluateBatch("agent-2", nil) != nil || e.Agents() != 1 {
		t.Error("an empty batch produced observations or state")
	}
}
