package storetest

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/store"
)

func testOutbox(t *testing.T, h Harness) {
	t.Run("RoundTrip", func(t *testing.T) { outboxRoundTrip(t, h.open(t)) })
	t.Run("Lease", func(t *testing.T) { outboxLease(t, h.open(t)) })
	t.Run("Limit", func(t *testing.T) { outboxLimit(t, h.open(t)) })
	t.Run("Defer", func(t *testing.T) { outboxDefer(t, h.open(t)) })
	t.Run("Expedite", func(t *testing.T) { outboxExpedite(t, h.open(t)) })
	t.Run("CompleteMany", func(t *testing.T) { outboxCompleteMany(t, h.open(t)) })
	t.Run("DefaultTimes", func(t *testing.T) {
		s := h.open(t)
		must(t, s.Enqueue(ctx(t), []bus.Delivery{{EventID: "e", Rule: "r", Payload: []byte(`{}`)}}))
		ds, err := s.Claim(ctx(t), time.Now().Add(time.Second), 10, time.Minute)
		must(t, err)
		if len(ds) != 1 || ds[0].CreatedAt.IsZero() {
			t.Fatalf("delivery enqueued without times: claimed %+v; want it due now", ds)
		}
	})
	t.Run("InvalidPayload", func(t *testing.T) {
		s := h.open(t)
		bad := newDelivery("b", baseTime())
		bad.Payload = []byte("nope")
		err := s.Enqueue(ctx(t), []bus.Delivery{newDelivery("a", baseTime()), bad})
		if !errors.Is(err, store.ErrInvalid) || pending(t, s) != 0 {
			t.Fatalf("Enqueue with a bad payload: err %v, %d pending; want ErrInvalid and nothing written", err, pending(t, s))
		}
	})
}

// outboxRoundTrip checks that a claimed delivery is the enqueued one, byte
// for byte, with an id and the lease applied.
func outboxRoundTrip(t *testing.T, s store.Store) {
	d := newDelivery("e1", baseTime())
	d.Target.Email.To = append(d.Target.Email.To, "second@example.com")
	must(t, s.Enqueue(ctx(t), []bus.Delivery{d}))
	must(t, s.Enqueue(ctx(t), nil))
	ds, err := s.Claim(ctx(t), baseTime(), 10, 30*time.Second)
	must(t, err)
	if len(ds) != 1 {
		t.Fatalf("claimed %d; want 1", len(ds))
	}
	got := ds[0]
	if got.ID == 0 || got.EventID != "e1" || got.Rule != d.Rule || !reflect.DeepEqual(got.Target, d.Target) {
		t.Fatalf("claimed %+v; want %+v with an id", got, d)
	}
	if !bytes.Equal(got.Payload, d.Payload) {
		t.Fatalf("payload %s; want verbatim %s", got.Payload, d.Payload)
	}
	if got.Attempts != 1 || !got.CreatedAt.Equal(d.CreatedAt) || !got.NextAt.Equal(baseTime().Add(30*time.Second)) {
		t.Fatalf("claimed attempts %d createdAt %v nextAt %v; want 1, %v, lease end", got.Attempts, got.CreatedAt, got.NextAt, d.CreatedAt)
	}
	must(t, s.Complete(ctx(t), got.ID))
	if n := pending(t, s); n != 0 {
		t.Fatalf("%d pending after Complete; want 0", n)
	}
	if err := s.Complete(ctx(t), got.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second Complete: %v; want ErrNotFound", err)
	}
	if err := s.Retry(ctx(t), got.ID, baseTime(), "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Retry of a completed delivery: %v; want ErrNotFound", err)
	}
}

// outboxLease follows one delivery through claim, lease expiry (a crashed
// worker), retry with backoff, and shows a later delivery is not due early.
func outboxLease(t *testing.T, s store.Store) {
	t0 := baseTime()
	must(t, s.Enqueue(ctx(t), []bus.Delivery{newDelivery("now", t0), newDelivery("later", t0.Add(time.Minute))}))
	first := claimAt(t, s, t0)
	if len(first) != 1 || first[0].EventID != "now" {
		t.Fatalf("claim at t0 = %+v; want only 'now'", first)
	}
	if again := claimAt(t, s, t0.Add(29*time.Second)); len(again) != 0 {
		t.Fatalf("claim during the lease = %+v; want nothing", again)
	}
	// The worker died: after the lease, the delivery comes back.
	back := claimAt(t, s, t0.Add(30*time.Second))
	if len(back) != 1 || back[0].ID != first[0].ID || back[0].Attempts != 2 {
		t.Fatalf("claim after the lease = %+v; want 'now' again, attempt 2", back)
	}
	must(t, s.Retry(ctx(t), back[0].ID, t0.Add(5*time.Minute), "451 try later"))
	got := claimAt(t, s, t0.Add(time.Minute))
	if len(got) != 1 || got[0].EventID != "later" {
		t.Fatalf("claim at t0+1m = %+v; want only 'later'", got)
	}
	must(t, s.Complete(ctx(t), got[0].ID))
	got = claimAt(t, s, t0.Add(5*time.Minute))
	if len(got) != 1 || got[0].Attempts != 3 || got[0].LastError != "451 try later" {
		t.Fatalf("claim at retry time = %+v; want 'now', attempt 3, with the last error", got)
	}
	if n := pending(t, s); n != 1 {
		t.Fatalf("%d pending; want 1 (leased rows count)", n)
	}
}

func outboxLimit(t *testing.T, s store.Store) {
	var ds []bus.Delivery
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		ds = append(ds, newDelivery(id, baseTime()))
	}
	must(t, s.Enqueue(ctx(t), ds))
	var order []string
	for _, want := range []int{2, 2, 1, 0} {
		got, err := s.Claim(ctx(t), baseTime(), 2, time.Hour)
		must(t, err)
		if len(got) != want {
			t.Fatalf("claim of 2 returned %d; want %d", len(got), want)
		}
		for _, d := range got {
			order = append(order, d.EventID)
		}
	}
	if strings.Join(order, "") != "abcde" {
		t.Fatalf("claimed in order %v; want enqueue order", order)
	}
	if got, err := s.Claim(ctx(t), baseTime().Add(2*time.Hour), 0, time.Hour); err != nil || len(got) != 0 {
		t.Fatalf("claim with limit 0 = %v, %v; want nothing", got, err)
	}
}

// outboxDefer checks that Defer reschedules a claimed delivery and gives
// back the attempt its claim counted, keeping the last error, so a delivery
// held back by a rate limit does not use up its retries.
func outboxDefer(t *testing.T, s store.Store) {
	t0 := baseTime()
	must(t, s.Enqueue(ctx(t), []bus.Delivery{newDelivery("e", t0)}))
	first := claimAt(t, s, t0)
	if len(first) != 1 || first[0].Attempts != 1 {
		t.Fatalf("first claim = %+v; want one delivery, attempt 1", first)
	}
	id := first[0].ID
	must(t, s.Retry(ctx(t), id, t0.Add(time.Second), "451 try later"))
	second := claimAt(t, s, t0.Add(time.Second))
	if len(second) != 1 || second[0].Attempts != 2 {
		t.Fatalf("claim after retry = %+v; want attempt 2", second)
	}
	// Rate limited: back to the queue for later, attempt given back.
	must(t, s.Defer(ctx(t), id, t0.Add(3*time.Second)))
	if early := claimAt(t, s, t0.Add(2*time.Second)); len(early) != 0 {
		t.Fatalf("claim before the deferred time = %+v; want nothing", early)
	}
	got := claimAt(t, s, t0.Add(3*time.Second))
	if len(got) != 1 || got[0].ID != id || got[0].Attempts != 2 || got[0].LastError != "451 try later" {
		t.Fatalf("claim at the deferred time = %+v; want the same delivery, attempt 2 again, last error kept", got)
	}
	must(t, s.Complete(ctx(t), id))
	if err := s.Defer(ctx(t), id, t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Defer of a completed delivery: %v; want ErrNotFound", err)
	}
	// Deferring an unclaimed row never drives Attempts below zero.
	must(t, s.Enqueue(ctx(t), []bus.Delivery{newDelivery("fresh", t0)}))
	fresh := claimAt(t, s, t0.Add(time.Hour))
	if len(fresh) != 1 {
		t.Fatalf("claim of the fresh delivery = %+v", fresh)
	}
	must(t, s.Defer(ctx(t), fresh[0].ID, t0))
	must(t, s.Defer(ctx(t), fresh[0].ID, t0))
	if again := claimAt(t, s, t0.Add(time.Hour)); len(again) != 1 || again[0].Attempts != 1 {
		t.Fatalf("claim after two Defers = %+v; want attempt 1", again)
	}
}

// outboxExpedite: only the target's deliveries waiting to retry a failure
// become due; fresh ones and other targets' keep their time.
func outboxExpedite(t *testing.T, s store.Store) {
	now := baseTime()
	later := now.Add(time.Hour)
	failed, fresh, other := newDelivery("failed", now), newDelivery("fresh", later), newDelivery("other", now)
	other.Target.ID = "hook"
	must(t, s.Enqueue(ctx(t), []bus.Delivery{failed, fresh, other}))
	ds, err := s.Claim(ctx(t), now, 10, time.Minute)
	must(t, err)
	for _, d := range ds {
		must(t, s.Retry(ctx(t), d.ID, later, "connection refused"))
	}
	// A delivery being sent (leased) is never expedited: it would be sent
	// twice.
	leased := newDelivery("leased", now)
	must(t, s.Enqueue(ctx(t), []bus.Delivery{leased}))
	ls, err := s.Claim(ctx(t), now, 1, time.Hour)
	must(t, err)
	must(t, s.Retry(ctx(t), ls[0].ID, now, "timeout"))
	if again, err := s.Claim(ctx(t), now, 1, time.Hour); err != nil || len(again) != 1 || again[0].EventID != "leased" {
		t.Fatalf("re-claim of the leased row: %+v %v", again, err)
	}
	n, err := s.Expedite(ctx(t), "rule-1", "mail", now)
	must(t, err)
	if n != 1 {
		t.Fatalf("Expedite moved %d deliveries, want 1 (the failed one of that target, not the leased one)", n)
	}
	due, err := s.Claim(ctx(t), now, 10, time.Minute)
	must(t, err)
	if len(due) != 1 || due[0].EventID != "failed" {
		t.Fatalf("due after Expedite: %+v", due)
	}
}

func outboxCompleteMany(t *testing.T, s store.Store) {
	now := baseTime()
	must(t, s.Enqueue(ctx(t), []bus.Delivery{newDelivery("a", now), newDelivery("b", now), newDelivery("c", now)}))
	ds, err := s.Claim(ctx(t), now, 10, time.Minute)
	must(t, err)
	if len(ds) != 3 || ds[0].EventID != "a" || ds[1].EventID != "b" || ds[2].EventID != "c" {
		t.Fatalf("claimed %+v; want a, b, c", ds)
	}
	must(t, s.CompleteMany(ctx(t), []int64{ds[0].ID, ds[2].ID, 999999}))
	if n := pending(t, s); n != 1 {
		t.Fatalf("pending after CompleteMany: %d, want 1", n)
	}
	// Once the lease ends, the one left comes back: b, not a or c.
	left := claimAt(t, s, now.Add(time.Minute))
	if len(left) != 1 || left[0].ID != ds[1].ID || left[0].EventID != "b" {
		t.Fatalf("left after CompleteMany: %+v; want only b (id %d)", left, ds[1].ID)
	}
	must(t, s.CompleteMany(ctx(t), nil))
	if n := pending(t, s); n != 1 {
		t.Fatalf("pending after CompleteMany(nil): %d, want 1", n)
	}
}

// claimAt claims up to 10 deliveries due at at, with a 30 s lease.
func claimAt(t *testing.T, s store.Store, at time.Time) []bus.Delivery {
	t.Helper()
	ds, err := s.Claim(ctx(t), at, 10, 30*time.Second)
	must(t, err)
	return ds
}
