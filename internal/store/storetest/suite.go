// Package storetest is the conformance suite every store.Store
// implementation must pass. It is the executable contract of the interface:
// SQLite runs it in internal/store, and a PostgreSQL implementation runs the
// same Run with its own Harness.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/store"
)

// Harness tells the suite how to get stores of the implementation under
// test.
type Harness struct {
	// Open returns a new, empty store. The suite closes it; Open may also
	// close it in a cleanup, since Close is idempotent.
	Open func(t *testing.T) store.Store
	// Reopen returns a new store over the same data as s, which the suite
	// has already closed: the file or database s used, not a copy.
	Reopen func(t *testing.T, s store.Store) store.Store
}

// Run runs the whole suite, each group as a subtest.
func Run(t *testing.T, h Harness) {
	groups := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Findings", testFindings},
		{"ListFindings", testListFindings},
		{"Coverage", testCoverage},
		{"Rules", testRules},
		{"Outbox", testOutbox},
		{"DeadLetters", testDeadLetters},
		{"RedriveAll", testRedriveAll},
		{"Agents", testAgents},
		{"Topics", testTopics},
		{"Filters", testFilters},
		{"Durability", testDurability},
		{"Concurrency", testConcurrency},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.fn(t, h) })
	}
}

// open opens a store and closes it when the test ends.
func (h Harness) open(t *testing.T) store.Store {
	t.Helper()
	s := h.Open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// baseTime is a fixed, millisecond-precise instant: every implementation
// stores at least microseconds, so times built from it round-trip exactly.
func baseTime() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 678_000_000, time.UTC) }

// newFinding builds a small but realistic finding. The type contains '&',
// which a careless JSON re-encoding would escape.
func newFinding(id, typ string, severity float64, updated time.Time) finding.Finding {
	at := updated.UTC().Format("2006-01-02T15:04:05.000Z")
	return finding.Finding{
		SchemaVersion: "2.0", AccountID: "123456789012", Region: "local", Partition: "aws",
		ID: id, ARN: "arn:aws:guardduty:local:123456789012:detector/d/finding/" + id,
		Type: typ,
		Resource: finding.Resource{
			ResourceType:    finding.ResourceInstance,
			InstanceDetails: &finding.InstanceDetails{InstanceID: "host-1", Tags: []finding.Tag{{Key: "env", Value: "test"}}},
		},
		Service: finding.Service{
			ServiceName: "guardduty", DetectorID: "d", ResourceRole: "TARGET",
			AdditionalInfo: finding.AdditionalInfo{Value: "{}", Type: "default"},
			EventFirstSeen: at, EventLastSeen: at, Count: 1, FeatureName: "RuntimeMonitoring",
		},
		Severity: severity, CreatedAt: at, UpdatedAt: at,
		Title: "title of " + id, Description: "description of " + id,
	}
}

// newDelivery builds a delivery whose payload has the spacing and '&' of a
// hand-written event, so byte-for-byte storage is visible.
func newDelivery(eventID string, next time.Time) bus.Delivery {
	return bus.Delivery{
		EventID:   eventID,
		Rule:      "rule-1",
		Target:    bus.Target{ID: "mail", Kind: bus.TargetEmail, Email: &bus.EmailTarget{To: []string{"soc@example.com"}}},
		Payload:   json.RawMessage(fmt.Sprintf(`{"id": %q,  "detail": {"type": "Backdoor:Runtime/C&CActivity.B"}}`, eventID)),
		CreatedAt: next,
		NextAt:    next,
	}
}

// countMerge is the merge the tests use: it adds counts, as finding
// aggregation does, and emits one delivery per call.
func countMerge(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
	if prev != nil {
		next.Service.Count += prev.Service.Count
		next.CreatedAt = prev.CreatedAt
	}
	return next, []bus.Delivery{newDelivery("ev-"+next.ID, baseTime())}
}

func ctx(t *testing.T) context.Context { return t.Context() }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func pending(t *testing.T, s store.Store) int {
	t.Helper()
	n, err := s.PendingDeliveries(ctx(t))
	must(t, err)
	return n
}

func ids(fs []finding.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}
