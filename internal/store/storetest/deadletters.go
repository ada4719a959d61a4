package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/store"
)

func testDeadLetters(t *testing.T, h Harness) {
	s := h.open(t)
	t0 := baseTime()
	must(t, s.Enqueue(ctx(t), []bus.Delivery{newDelivery("a", t0), newDelivery("b", t0), newDelivery("c", t0)}))
	ds, err := s.Claim(ctx(t), t0, 10, time.Minute)
	must(t, err)
	must(t, s.Retry(ctx(t), ds[0].ID, t0, "550 mailbox unavailable"))
	before := time.Now().Add(-time.Second)
	must(t, s.DeadLetter(ctx(t), ds[0].ID, "permanent: 550"))
	must(t, s.DeadLetter(ctx(t), ds[1].ID, "too many attempts"))
	if err := s.DeadLetter(ctx(t), ds[0].ID, "again"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("dead-lettering a moved row: %v; want ErrNotFound", err)
	}
	if n := pending(t, s); n != 1 {
		t.Fatalf("%d pending after two dead letters; want 1", n)
	}

	dls, err := s.ListDeadLetters(ctx(t))
	must(t, err)
	if len(dls) != 2 || dls[0].Delivery.ID != ds[0].ID || dls[1].Delivery.ID != ds[1].ID {
		t.Fatalf("ListDeadLetters = %+v; want a, b in failure order", dls)
	}
	a := dls[0]
	if a.Reason != "permanent: 550" || a.Delivery.LastError != "550 mailbox unavailable" || a.Delivery.Attempts != 1 ||
		!bytes.Equal(a.Delivery.Payload, ds[0].Payload) || a.Delivery.Target.Email == nil || a.FailedAt.Before(before) {
		t.Fatalf("dead letter a = %+v; want reason, last error, attempts, payload and target kept, FailedAt now", a)
	}

	n, err := s.Redrive(ctx(t), []int64{ds[0].ID, 999999})
	must(t, err)
	if n != 1 {
		t.Fatalf("Redrive(a, unknown) = %d; want 1", n)
	}
	if n, err := s.Redrive(ctx(t), nil); n != 0 || err != nil {
		t.Fatalf("Redrive(nil) = %d, %v", n, err)
	}
	dls, err = s.ListDeadLetters(ctx(t))
	must(t, err)
	if len(dls) != 1 || dls[0].Delivery.ID != ds[1].ID {
		t.Fatalf("dead letters after redrive = %+v; want only b", dls)
	}
	// Redriven means due now, whatever its old schedule, with attempts reset.
	got, err := s.Claim(ctx(t), time.Now().Add(time.Second), 10, time.Minute)
	must(t, err)
	if len(got) != 1 || got[0].ID != ds[0].ID || got[0].Attempts != 1 {
		t.Fatalf("claim after redrive = %+v; want a under its old id, attempt 1", got)
	}
	// Its age counts from the redrive, so a maximum event age does not
	// send it straight back to the dead letters.
	if time.Since(got[0].CreatedAt) > time.Minute {
		t.Fatalf("redriven delivery created at %v; want its age to start at the redrive", got[0].CreatedAt)
	}
}

func testRedriveAll(t *testing.T, h Harness) {
	s := h.open(t)
	t0 := baseTime()
	if n, err := s.RedriveAll(ctx(t)); n != 0 || err != nil {
		t.Fatalf("RedriveAll with no dead letters = %d, %v; want 0", n, err)
	}
	must(t, s.Enqueue(ctx(t), []bus.Delivery{newDelivery("a", t0), newDelivery("b", t0), newDelivery("c", t0)}))
	ds, err := s.Claim(ctx(t), t0, 10, time.Minute)
	must(t, err)
	must(t, s.Retry(ctx(t), ds[0].ID, t0, "550 mailbox unavailable"))
	must(t, s.DeadLetter(ctx(t), ds[0].ID, "permanent: 550"))
	must(t, s.DeadLetter(ctx(t), ds[1].ID, "too many attempts"))

	n, err := s.RedriveAll(ctx(t))
	must(t, err)
	if n != 2 {
		t.Fatalf("RedriveAll = %d; want 2", n)
	}
	dls, err := s.ListDeadLetters(ctx(t))
	must(t, err)
	if len(dls) != 0 {
		t.Fatalf("dead letters after RedriveAll = %+v; want none", dls)
	}
	if n, err := s.RedriveAll(ctx(t)); n != 0 || err != nil {
		t.Fatalf("second RedriveAll = %d, %v; want 0", n, err)
	}
	// Both are due now under their old ids, attempts reset, age restarted,
	// the last error kept; c is still leased.
	got, err := s.Claim(ctx(t), time.Now().Add(time.Second), 10, time.Minute)
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("claim after RedriveAll = %+v; want a and b", got)
	}
	byID := map[int64]bus.Delivery{got[0].ID: got[0], got[1].ID: got[1]}
	a, b := byID[ds[0].ID], byID[ds[1].ID]
	if a.ID == 0 || b.ID == 0 {
		t.Fatalf("claim after RedriveAll = %+v; want ids %d and %d", got, ds[0].ID, ds[1].ID)
	}
	if a.Attempts != 1 || b.Attempts != 1 || a.LastError != "550 mailbox unavailable" ||
		!bytes.Equal(a.Payload, ds[0].Payload) || time.Since(a.CreatedAt) > time.Minute {
		t.Fatalf("redriven a = %+v, b = %+v; want attempt 1, last error and payload kept, age restarted", a, b)
	}
}
