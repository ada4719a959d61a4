package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/store"
)

func testFindings(t *testing.T, h Harness) {
	t.Run("CreateThenMerge", func(t *testing.T) { findingCreateThenMerge(t, h.open(t)) })
	t.Run("FailedMergeWritesNothing", func(t *testing.T) { findingFailedTx(t, h.open(t)) })
	t.Run("PanickingMergeRollsBack", func(t *testing.T) { findingPanic(t, h.open(t)) })
	t.Run("PublishDue", func(t *testing.T) { findingPublishDue(t, h.open(t)) })
	t.Run("RecordBatch", func(t *testing.T) { findingRecordBatch(t, h.open(t)) })
	t.Run("GetMissing", func(t *testing.T) {
		_, ok, err := h.open(t).GetFinding(ctx(t), "nope")
		if err != nil || ok {
			t.Fatalf("GetFinding(missing) = ok %v, err %v; want false, nil", ok, err)
		}
	})
}

func findingCreateThenMerge(t *testing.T, s store.Store) {
	f := newFinding("f1", "Backdoor:Runtime/C&CActivity.B", 8, baseTime())
	var prevs []*finding.Finding
	merge := func(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
		prevs = append(prevs, prev)
		return countMerge(prev, next)
	}
	saved, created, err := s.UpsertFinding(ctx(t), f, merge)
	must(t, err)
	if !created || prevs[0] != nil || !reflect.DeepEqual(saved, f) {
		t.Fatalf("first upsert: created %v, prev %v, saved %+v", created, prevs[0], saved)
	}
	got, ok, err := s.GetFinding(ctx(t), "f1")
	must(t, err)
	if !ok || !reflect.DeepEqual(got, f) {
		t.Fatalf("GetFinding after create = %v, %+v; want the finding as given", ok, got)
	}

	g := newFinding("f1", f.Type, 8, baseTime().Add(time.Minute))
	saved, created, err = s.UpsertFinding(ctx(t), g, merge)
	must(t, err)
	if created {
		t.Fatal("second upsert reported created")
	}
	if len(prevs) != 2 || prevs[1] == nil || !reflect.DeepEqual(*prevs[1], f) {
		t.Fatalf("second merge got prev %+v; want the stored finding", prevs[1])
	}
	if saved.Service.Count != 2 || saved.CreatedAt != f.CreatedAt || saved.UpdatedAt != g.UpdatedAt {
		t.Fatalf("merged finding: count %d createdAt %s updatedAt %s", saved.Service.Count, saved.CreatedAt, saved.UpdatedAt)
	}
	got, _, err = s.GetFinding(ctx(t), "f1")
	must(t, err)
	if !reflect.DeepEqual(got, saved) {
		t.Fatalf("GetFinding after merge = %+v; want %+v", got, saved)
	}
	// Both merges returned a delivery, written with the finding.
	ds, err := s.Claim(ctx(t), baseTime(), 10, time.Minute)
	must(t, err)
	if len(ds) != 2 || ds[0].EventID != "ev-f1" {
		t.Fatalf("claimable deliveries after two upserts = %+v; want 2 for ev-f1", ds)
	}
}

// findingFailedTx shows atomicity in both directions: a bad finding does
// not let its deliveries through, and a bad delivery undoes its finding.
func findingFailedTx(t *testing.T, s store.Store) {
	badFinding := func(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
		next.UpdatedAt = "yesterday"
		return next, []bus.Delivery{newDelivery("ev", baseTime())}
	}
	badDelivery := func(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
		d := newDelivery("ev", baseTime())
		d.Payload = []byte("{not json")
		return next, []bus.Delivery{newDelivery("ok", baseTime()), d}
	}
	changedID := func(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
		next.ID = "other"
		return next, nil
	}
	for name, merge := range map[string]store.MergeFunc{
		"bad finding": badFinding, "bad delivery": badDelivery, "changed id": changedID,
	} {
		_, _, err := s.UpsertFinding(ctx(t), newFinding("f1", "T", 5, baseTime()), merge)
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: UpsertFinding error = %v; want ErrInvalid", name, err)
		}
	}
	for _, id := range []string{"f1", "other"} {
		if _, ok, err := s.GetFinding(ctx(t), id); ok || err != nil {
			t.Errorf("finding %s after failed upserts: exists %v, err %v", id, ok, err)
		}
	}
	if n := pending(t, s); n != 0 {
		t.Errorf("%d deliveries pending after failed upserts; want 0", n)
	}
}

// findingPanic checks that a panic in merge rolls the transaction back and
// leaves the store usable (no connection stuck in an open transaction).
func findingPanic(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if recover() == nil {
				t.Error("UpsertFinding swallowed merge's panic")
			}
		}()
		s.UpsertFinding(ctx(t), newFinding("f1", "T", 5, baseTime()), //nolint:errcheck // panics
			func(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
				panic("merge bug")
			})
	}()
	// A leaked transaction shows as this call blocking: fail, don't hang.
	c, cancel := context.WithTimeout(ctx(t), 10*time.Second)
	defer cancel()
	_, created, err := s.UpsertFinding(c, newFinding("f1", "T", 5, baseTime()), countMerge)
	if err != nil || !created {
		t.Fatalf("upsert after panic: created %v, err %v; want a fresh create", created, err)
	}
	if n := pending(t, s); n != 1 {
		t.Fatalf("%d deliveries pending; want 1 (only the successful upsert's)", n)
	}
}

// findingPublishDue: a new finding counts as published at creation; an
// update is pending until PublishDue finds it due; archived findings never
// are.
func findingPublishDue(t *testing.T, s store.Store) {
	now := time.Now().UTC()
	noDeliveries := func(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
		f, _ := countMerge(prev, next)
		return f, nil
	}
	for _, id := range []string{"p1", "p2", "p3"} {
		_, _, err := s.UpsertFinding(ctx(t), newFinding(id, "Backdoor:Runtime/C&CActivity.B", 8, baseTime()), noDeliveries)
		must(t, err)
	}
	var published []string
	publish := func(f finding.Finding) []bus.Delivery {
		published = append(published, f.ID)
		return []bus.Delivery{{EventID: "ev-" + f.ID, Rule: "r", Target: bus.Target{ID: "t1", Kind: "email"}, Payload: []byte(`{"id":"` + f.ID + `"}`)}}
	}
	if n, err := s.PublishDue(ctx(t), now.Add(time.Hour), 10, publish); err != nil || n != 0 {
		t.Fatalf("nothing is pending after creation: n %d, err %v", n, err)
	}
	_, _, err := s.UpsertFinding(ctx(t), newFinding("p1", "Backdoor:Runtime/C&CActivity.B", 8, baseTime().Add(time.Minute)), noDeliveries)
	must(t, err)
	archived := newFinding("p2", "Backdoor:Runtime/C&CActivity.B", 8, baseTime().Add(time.Minute))
	archived.Service.Archived = true
	_, _, err = s.UpsertFinding(ctx(t), archived, noDeliveries)
	must(t, err)
	if n, err := s.PublishDue(ctx(t), now.Add(-time.Hour), 10, publish); err != nil || n != 0 {
		t.Fatalf("an update published less than the frequency ago is not due: n %d, err %v", n, err)
	}
	if n, err := s.PublishDue(ctx(t), now.Add(time.Hour), 10, publish); err != nil || n != 1 || published[0] != "p1" {
		t.Fatalf("due: n %d, published %v, err %v", n, published, err)
	}
	ds, err := s.Claim(ctx(t), now.Add(time.Hour), 10, time.Minute)
	must(t, err)
	if len(ds) != 1 || ds[0].EventID != "ev-p1" {
		t.Fatalf("deliveries of the publication: %+v", ds)
	}
	if n, err := s.PublishDue(ctx(t), now.Add(time.Hour), 10, publish); err != nil || n != 0 {
		t.Fatalf("published once only: n %d, err %v", n, err)
	}
}

// findingRecordBatch: a batch's findings and the agent's sequence number
// are stored together, or not at all.
func findingRecordBatch(t *testing.T, s store.Store) {
	fs := []finding.Finding{
		newFinding("b1", "Backdoor:Runtime/C&CActivity.B", 8, baseTime()),
		newFinding("b2", "Backdoor:Runtime/C&CActivity.B", 8, baseTime()),
		newFinding("b1", "Backdoor:Runtime/C&CActivity.B", 8, baseTime().Add(time.Second)),
	}
	got, err := s.RecordBatch(ctx(t), "agent-1", 7, fs, countMerge)
	must(t, err)
	if len(got) != 3 || !got[0].Created || !got[1].Created || got[2].Created || got[2].Finding.Service.Count != 2 {
		t.Fatalf("batch results: %+v", got)
	}
	if seq, err := s.AgentLastSeq(ctx(t), "agent-1"); err != nil || seq != 7 {
		t.Fatalf("last seq %d, %v; want 7", seq, err)
	}
	bad := func(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
		if next.ID == "b3" {
			next.ID = "other"
		}
		return countMerge(prev, next)
	}
	_, err = s.RecordBatch(ctx(t), "agent-1", 8, []finding.Finding{newFinding("b2", "Backdoor:Runtime/C&CActivity.B", 8, baseTime()), newFinding("b3", "Backdoor:Runtime/C&CActivity.B", 8, baseTime())}, bad)
	if !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("a failing batch: %v", err)
	}
	b2, _, _ := s.GetFinding(ctx(t), "b2")
	if seq, _ := s.AgentLastSeq(ctx(t), "agent-1"); seq != 7 || b2.Service.Count != 1 {
		t.Fatalf("a failed batch left seq %d and b2 count %d; want 7 and 1", seq, b2.Service.Count)
	}
}
