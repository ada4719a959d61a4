package storetest

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/store"
)

// testDurability writes one of everything, closes the store and checks a
// reopened store sees it all: a restart loses nothing.
func testDurability(t *testing.T, h Harness) {
	s := h.open(t)
	f := newFinding("f1", "Backdoor:Runtime/C&CActivity.B", 8, baseTime())
	_, _, err := s.UpsertFinding(ctx(t), f, countMerge)
	must(t, err)
	var seen *store.CoverageRecord
	must(t, s.UpdateCoverage(ctx(t), "i-1", setStatus("HEALTHY", baseTime(), &seen)))
	must(t, s.PutRule(ctx(t), newRule("r1")))
	must(t, s.SetAgentLastSeq(ctx(t), "a1", 42))
	must(t, s.Enqueue(ctx(t), []bus.Delivery{newDelivery("dead", baseTime())}))
	ds, err := s.Claim(ctx(t), baseTime(), 10, time.Minute)
	must(t, err)
	must(t, s.DeadLetter(ctx(t), ds[1].ID, "gone"))
	must(t, s.Close())
	must(t, s.Close()) // idempotent

	r := h.Reopen(t, s)
	t.Cleanup(func() { r.Close() })
	got, ok, err := r.GetFinding(ctx(t), "f1")
	must(t, err)
	if !ok || !reflect.DeepEqual(got, f) {
		t.Errorf("finding after reopen: %v %+v", ok, got)
	}
	recs, err := r.ListCoverage(ctx(t))
	must(t, err)
	if len(recs) != 1 || recs[0].Status != "HEALTHY" {
		t.Errorf("coverage after reopen: %+v", recs)
	}
	if rule, ok, err := r.GetRule(ctx(t), "r1"); err != nil || !ok || !reflect.DeepEqual(rule, newRule("r1")) {
		t.Errorf("rule after reopen: %v %+v %v", ok, rule, err)
	}
	if n, err := r.AgentLastSeq(ctx(t), "a1"); err != nil || n != 42 {
		t.Errorf("agent seq after reopen: %d %v", n, err)
	}
	// The leased delivery survives with its lease; once it ends it is due.
	again, err := r.Claim(ctx(t), baseTime().Add(time.Minute), 10, time.Minute)
	must(t, err)
	if len(again) != 1 || again[0].ID != ds[0].ID || again[0].Attempts != 2 {
		t.Errorf("outbox after reopen: %+v; want the leased delivery, attempt 2", again)
	}
	if dls, err := r.ListDeadLetters(ctx(t)); err != nil || len(dls) != 1 || dls[0].Reason != "gone" {
		t.Errorf("dead letters after reopen: %+v %v", dls, err)
	}
}

// testConcurrency runs UpsertFinding on one id from 8 goroutines: every call
// must merge with the latest saved finding, so no count is lost, and every
// call's delivery is written.
func testConcurrency(t *testing.T, h Harness) {
	s := h.open(t)
	const workers, calls = 8, 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for range workers {
		wg.Go(func() {
			for range calls {
				_, c, err := s.UpsertFinding(ctx(t), newFinding("hot", "T", 5, baseTime()), countMerge)
				if err != nil {
					t.Error(err)
					return
				}
				if c {
					mu.Lock()
					created++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	got, _, err := s.GetFinding(ctx(t), "hot")
	must(t, err)
	if got.Service.Count != workers*calls || created != 1 {
		t.Fatalf("count %d, created %d times; want %d, once", got.Service.Count, created, workers*calls)
	}
	if n := pending(t, s); n != workers*calls {
		t.Fatalf("%d deliveries; want %d", n, workers*calls)
	}
}
