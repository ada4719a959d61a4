package bus

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/polltest"
)

// memOutbox is an in-memory Outbox that follows the contract documented on
// the interface; the real one is the SQLite store.
type memOutbox struct {
	mu     sync.Mutex
	nextID int64
	rows   map[int64]*memRow
	claims int
}

type memRow struct {
	d          Delivery
	state      string // pending, done, dead
	leaseUntil time.Time
	reason     string
	retries    int // Retry calls
	defers     int // Defer calls
}

func newMemOutbox() *memOutbox { return &memOutbox{rows: map[int64]*memRow{}} }

func (o *memOutbox) add(d Delivery) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.nextID++
	d.ID = o.nextID
	o.rows[d.ID] = &memRow{d: d, state: "pending"}
	return d.ID
}

func (o *memOutbox) Claim(_ context.Context, now time.Time, limit int, lease time.Duration) ([]Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.claims++
	var due []*memRow
	for _, r := range o.rows {
		if r.state == "pending" && !r.d.NextAt.After(now) && !r.leaseUntil.After(now) {
			due = append(due, r)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].d.ID < due[j].d.ID })
	if len(due) > limit {
		due = due[:limit]
	}
	out := make([]Delivery, len(due))
	for i, r := range due {
		r.leaseUntil = now.Add(lease)
		r.d.Attempts++ // Claim counts the attempt about to be made
		out[i] = r.d
	}
	return out, nil
}

func (o *memOutbox) Complete(_ context.Context, id int64) error {
	return o.finish(id, "done", "")
}

func (o *memOutbox) CompleteMany(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		if err := o.Complete(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (o *memOutbox) DeadLetter(_ context.Context, id int64, reason string) error {
	return o.finish(id, "dead", reason)
}

func (o *memOutbox) finish(id int64, state, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.rows[id]
	if !ok || r.state != "pending" {
		return fmt.Errorf("delivery %d not pending", id)
	}
	r.state, r.reason = state, reason
	return nil
}

func (o *memOutbox) Retry(_ context.Context, id int64, next time.Time, lastErr string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.rows[id]
	if !ok || r.state != "pending" {
		return fmt.Errorf("delivery %d not pending", id)
	}
	r.retries++
	r.d.NextAt, r.d.LastError, r.leaseUntil = next, lastErr, time.Time{}
	return nil
}

// Expedite makes the target's failed, waiting deliveries due at now.
func (o *memOutbox) Expedite(_ context.Context, rule, targetID string, now time.Time) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, r := range o.rows {
		if r.state == "pending" && r.d.Rule == rule && r.d.Target.ID == targetID && r.d.LastError != "" && r.d.NextAt.After(now) {
			r.d.NextAt = now
			n++
		}
	}
	return n, nil
}

// Defer follows the contract: due again at next, the claim's attempt given
// back, the last error kept.
func (o *memOutbox) Defer(_ context.Context, id int64, next time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.rows[id]
	if !ok || r.state != "pending" {
		return fmt.Errorf("delivery %d not pending", id)
	}
	r.defers++
	r.d.Attempts = max(r.d.Attempts-1, 0)
	r.d.NextAt, r.leaseUntil = next, time.Time{}
	return nil
}

func (o *memOutbox) row(id int64) memRow {
	o.mu.Lock()
	defer o.mu.Unlock()
	return *o.rows[id]
}

func (o *memOutbox) claimCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.claims
}

// flakySender fails the first failures sends with err, then succeeds.
type flakySender struct {
	mu       sync.Mutex
	failures int
	err      error
	sent     []string // event ids of every attempt
}

func (s *flakySender) Send(_ context.Context, t Target, eventID string, payload []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, eventID)
	if len(s.sent) <= s.failures {
		return s.err
	}
	return nil
}

func (s *flakySender) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

type permErr struct{ msg string }

func (e permErr) Error() string   { return e.msg }
func (e permErr) Permanent() bool { return true }

// fakeClock is a clock the test moves by hand, so backoff delays are exact
// and no test sleeps for them.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

func startDispatcher(t *testing.T, cfg DispatcherConfig) *Dispatcher {
	t.Helper()
	d := NewDispatcher(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return d
}

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func testDelivery(now time.Time) Delivery {
	return Delivery{
		EventID: "ev-1", Rule: "r", Payload: []byte(`{}`),
		Target:    Target{ID: "t1", Kind: TargetEmail, Email: &EmailTarget{To: []string{"a@example.com"}}},
		CreatedAt: now, NextAt: now,
	}
}

func TestDispatcherRetriesWithGrowingDelays(t *testing.T) {
	clock := &fakeClock{now: t0}
	ob := newMemOutbox()
	snd := &flakySender{failures: 4, err: errors.New("451 try later")}
	d := startDispatcher(t, DispatcherConfig{
		Outbox: ob, Sender: snd, Poll: time.Millisecond, Now: clock.Now,
		BaseBackoff: time.Second, MaxBackoff: 5 * time.Second,
		Jitter: func(max time.Duration) time.Duration { return max }, // the cap itself
	})
	id := ob.add(testDelivery(t0))
	d.Kick()
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}
	for i, delay := range want {
		polltest.Until(t, 5*time.Second, fmt.Sprintf("retry %d", i+1), func() bool { return ob.row(id).retries == i+1 })
		r := ob.row(id)
		if got := r.d.NextAt.Sub(clock.Now()); got != delay {
			t.Fatalf("retry %d: delay %s, want %s", i+1, got, delay)
		}
		if r.d.LastError != "451 try later" {
			t.Fatalf("retry %d: last error %q", i+1, r.d.LastError)
		}
		// Nothing is sent before the delay has passed.
		if n := snd.attempts(); n != i+1 {
			t.Fatalf("after retry %d: %d attempts", i+1, n)
		}
		clock.Set(r.d.NextAt)
	}
	polltest.Until(t, 5*time.Second, "completion", func() bool { return ob.row(id).state == "done" })
	if n := snd.attempts(); n != 5 {
		t.Fatalf("attempts = %d, want 5", n)
	}
}

func TestDispatcherPermanentErrorDeadLettersAtOnce(t *testing.T) {
	ob := newMemOutbox()
	snd := &flakySender{failures: 100, err: fmt.Errorf("smtp: %w", permErr{"550 no such user"})}
	d := startDispatcher(t, DispatcherConfig{Outbox: ob, Sender: snd, Poll: time.Millisecond})
	id := ob.add(testDelivery(time.Now()))
	d.Kick()
	polltest.Until(t, 5*time.Second, "dead letter", func() bool { return ob.row(id).state == "dead" })
	r := ob.row(id)
	if snd.attempts() != 1 || r.retries != 0 {
		t.Fatalf("sent %d times, %d retries; want 1 and 0", snd.attempts(), r.retries)
	}
	if want := "PermanentFailure: smtp: 550 no such user"; r.reason != want {
		t.Fatalf("reason %q, want %q", r.reason, want)
	}
}

func TestDispatcherMaxAttemptsDeadLetters(t *testing.T) {
	ob := newMemOutbox()
	snd := &flakySender{failures: 100, err: errors.New("connection refused")}
	d := startDispatcher(t, DispatcherConfig{
		Outbox: ob, Sender: snd, Poll: time.Millisecond, MaxAttempts: 3,
		BaseBackoff: time.Microsecond, MaxBackoff: time.Millisecond,
	})
	id := ob.add(testDelivery(time.Now()))
	d.Kick()
	polltest.Until(t, 5*time.Second, "dead letter", func() bool { return ob.row(id).state == "dead" })
	r := ob.row(id)
	if snd.attempts() != 3 || r.retries != 2 || r.d.Attempts != 3 {
		t.Fatalf("sent %d times, %d retries, %d attempts counted; want 3, 2, 3", snd.attempts(), r.retries, r.d.Attempts)
	}
	if want := "MaximumRetryAttempts: 3 attempts: connection refused"; r.reason != want {
		t.Fatalf("reason %q, want %q", r.reason, want)
	}
}

func TestDispatcherMaxAge(t *testing.T) {
	clock := &fakeClock{now: t0}
	ob := newMemOutbox()
	snd := &flakySender{failures: 100, err: errors.New("timeout")}
	d := startDispatcher(t, DispatcherConfig{
		Outbox: ob, Sender: snd, Poll: time.Millisecond, Now: clock.Now,
		MaxAge: time.Hour, BaseBackoff: 40 * time.Minute, MaxBackoff: 40 * time.Minute,
		Jitter: func(max time.Duration) time.Duration { return max },
	})
	// Too old already: dead-lettered without a send.
	old := testDelivery(t0.Add(-2 * time.Hour))
	old.NextAt = t0
	oldID := ob.add(old)
	// Fresh: first retry at +40m is fine, the second at +80m+ is past the hour.
	freshID := ob.add(testDelivery(t0))
	d.Kick()
	polltest.Until(t, 5*time.Second, "old dead letter", func() bool { return ob.row(oldID).state == "dead" })
	polltest.Until(t, 5*time.Second, "first retry", func() bool { return ob.row(freshID).retries == 1 })
	clock.Set(ob.row(freshID).d.NextAt)
	polltest.Until(t, 5*time.Second, "fresh dead letter", func() bool { return ob.row(freshID).state == "dead" })
	if snd.attempts() != 2 {
		t.Fatalf("sent %d times, want 2 (none for the old delivery)", snd.attempts())
	}
	for _, id := range []int64{oldID, freshID} {
		if r := ob.row(id).reason; len(r) < len(ExhaustedAge) || r[:len(ExhaustedAge)] != ExhaustedAge {
			t.Errorf("delivery %d: reason %q, want %s…", id, r, ExhaustedAge)
		}
	}
}

func TestDispatcherDeadLettersClaimsBeyondMaxAttempts(t *testing.T) {
	ob := newMemOutbox()
	snd := &flakySender{}
	d := startDispatcher(t, DispatcherConfig{Outbox: ob, Sender: snd, Poll: time.Millisecond, MaxAttempts: 3})
	lost := testDelivery(time.Now())
	lost.Attempts = 3 // three claims lost to crashes; this claim makes it 4
	id := ob.add(lost)
	d.Kick()
	polltest.Until(t, 5*time.Second, "dead letter", func() bool { return ob.row(id).state == "dead" })
	if snd.attempts() != 0 {
		t.Fatalf("sent %d times, want 0", snd.attempts())
	}
}

func TestDispatcherKickDeliversImmediately(t *testing.T) {
	ob := newMemOutbox()
	snd := &flakySender{}
	d := startDispatcher(t, DispatcherConfig{Outbox: ob, Sender: snd, Poll: time.Hour})
	// Wait for the first (empty) claim so the dispatcher is asleep on Poll.
	polltest.Until(t, 5*time.Second, "first claim", func() bool { return ob.claimCount() >= 1 })
	id := ob.add(testDelivery(time.Now()))
	d.Kick()
	polltest.Until(t, 5*time.Second, "delivery after Kick", func() bool { return ob.row(id).state == "done" })
}

func TestDispatcherRequiresOutboxAndSender(t *testing.T) {
	if err := NewDispatcher(DispatcherConfig{}).Run(context.Background()); err == nil {
		t.Fatal("Run without Outbox/Sender: want error")
	}
}

func TestBackoffCapAndJitter(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 8: time.Minute, 200: time.Minute} {
		if got := backoffCap(time.Second, time.Minute, attempt); got != want {
			t.Errorf("backoffCap(attempt %d) = %s, want %s", attempt, got, want)
		}
	}
	for range 1000 {
		if j := fullJitter(time.Second); j < 0 || j > time.Second {
			t.Fatalf("fullJitter = %s, outside [0, 1s]", j)
		}
	}
}
