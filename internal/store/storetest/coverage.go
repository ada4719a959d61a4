package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/store"
)

// setStatus returns a coverage function that moves the resource to status,
// emitting a health event when the status changes, as internal/coverage does.
func setStatus(status string, at time.Time, seen **store.CoverageRecord) store.CoverageFunc {
	return func(prev *store.CoverageRecord) (store.CoverageRecord, []bus.Delivery, bool) {
		*seen = prev
		if prev != nil && prev.Status == status {
			return *prev, nil, false
		}
		doc := json.RawMessage(`{"resourceId": "i-1",  "coverageStatus": "` + status + `"}`)
		next := store.CoverageRecord{Status: status, UpdatedAt: at, Doc: doc}
		if prev == nil {
			return next, nil, true
		}
		return next, []bus.Delivery{newDelivery("health-"+status, at)}, true
	}
}

func testCoverage(t *testing.T, h Harness) {
	t.Run("Transitions", func(t *testing.T) { coverageTransitions(t, h.open(t)) })
	t.Run("Invalid", func(t *testing.T) { coverageInvalid(t, h.open(t)) })
}

func coverageTransitions(t *testing.T, s store.Store) {
	var seen *store.CoverageRecord
	t0, t1, t2 := baseTime(), baseTime().Add(time.Minute), baseTime().Add(2*time.Minute)
	must(t, s.UpdateCoverage(ctx(t), "i-1", setStatus("HEALTHY", t0, &seen)))
	if seen != nil {
		t.Fatalf("first update saw prev %+v; want nil", seen)
	}
	must(t, s.UpdateCoverage(ctx(t), "i-0", setStatus("HEALTHY", t0, &seen)))
	must(t, s.UpdateCoverage(ctx(t), "i-1", setStatus("UNHEALTHY", t1, &seen)))
	if seen == nil || seen.ResourceID != "i-1" || seen.Status != "HEALTHY" || !seen.UpdatedAt.Equal(t0) {
		t.Fatalf("second update saw prev %+v; want i-1 HEALTHY at %v", seen, t0)
	}
	// Unchanged: nothing is written, the record keeps its time.
	must(t, s.UpdateCoverage(ctx(t), "i-1", setStatus("UNHEALTHY", t2, &seen)))

	recs, err := s.ListCoverage(ctx(t))
	must(t, err)
	if len(recs) != 2 || recs[0].ResourceID != "i-0" || recs[1].ResourceID != "i-1" {
		t.Fatalf("ListCoverage = %+v; want i-0, i-1", recs)
	}
	r := recs[1]
	wantDoc := `{"resourceId": "i-1",  "coverageStatus": "UNHEALTHY"}`
	if r.Status != "UNHEALTHY" || !r.UpdatedAt.Equal(t1) || !bytes.Equal(r.Doc, []byte(wantDoc)) {
		t.Fatalf("i-1 = %+v (doc %s); want UNHEALTHY at %v with the doc verbatim", r, r.Doc, t1)
	}
	ds, err := s.Claim(ctx(t), t2, 10, time.Minute)
	must(t, err)
	if len(ds) != 1 || ds[0].EventID != "health-UNHEALTHY" {
		t.Fatalf("deliveries after transitions = %+v; want the one health event", ds)
	}
}

// coverageInvalid checks that a rejected record takes its deliveries with it,
// and that deliveries still go out when the record is unchanged.
func coverageInvalid(t *testing.T, s store.Store) {
	bad := []store.CoverageFunc{
		func(*store.CoverageRecord) (store.CoverageRecord, []bus.Delivery, bool) {
			return store.CoverageRecord{ResourceID: "other", Status: "HEALTHY", Doc: []byte(`{}`)},
				[]bus.Delivery{newDelivery("x", baseTime())}, true
		},
		func(*store.CoverageRecord) (store.CoverageRecord, []bus.Delivery, bool) {
			return store.CoverageRecord{Status: "HEALTHY", Doc: []byte(`{`)},
				[]bus.Delivery{newDelivery("x", baseTime())}, true
		},
	}
	for i, fn := range bad {
		if err := s.UpdateCoverage(ctx(t), "i-1", fn); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("bad update %d: error %v; want ErrInvalid", i, err)
		}
	}
	recs, err := s.ListCoverage(ctx(t))
	must(t, err)
	if len(recs) != 0 || pending(t, s) != 0 {
		t.Fatalf("after rejected updates: %d records, %d deliveries; want none", len(recs), pending(t, s))
	}
	must(t, s.UpdateCoverage(ctx(t), "i-1", func(*store.CoverageRecord) (store.CoverageRecord, []bus.Delivery, bool) {
		return store.CoverageRecord{}, []bus.Delivery{newDelivery("x", baseTime())}, false
	}))
	recs, err = s.ListCoverage(ctx(t))
	must(t, err)
	if len(recs) != 0 || pending(t, s) != 1 {
		t.Fatalf("unchanged update with an event: %d records, %d deliveries; want 0, 1", len(recs), pending(t, s))
	}
}
