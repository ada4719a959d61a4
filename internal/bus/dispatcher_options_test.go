package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/polltest"
)

// A target's RetryPolicy overrides the dispatcher's limits:
// MaximumRetryAttempts 2 means 3 sends, though the deployment allows 10.
func TestDispatcherTargetRetryAttempts(t *testing.T) {
	ob := newMemOutbox()
	snd := &flakySender{failures: 100, err: errors.New("connection refused")}
	d := startDispatcher(t, DispatcherConfig{
		Outbox: ob, Sender: snd, Poll: time.Millisecond, MaxAttempts: 10,
		BaseBackoff: time.Microsecond, MaxBackoff: time.Millisecond,
	})
	del := testDelivery(time.Now())
	del.Target.RetryPolicy = &RetryPolicy{MaximumRetryAttempts: 2}
	id := ob.add(del)
	d.Kick()
	polltest.Until(t, 5*time.Second, "dead letter", func() bool { return ob.row(id).state == "dead" })
	if r := ob.row(id); snd.attempts() != 3 || r.reason != "MaximumRetryAttempts: 3 attempts: connection refused" {
		t.Fatalf("sent %d times, reason %q; want 3 sends and MaximumRetryAttempts", snd.attempts(), r.reason)
	}
}

// MaximumEventAgeInSeconds 60 stops retries after a minute, though the
// deployment allows an hour.
func TestDispatcherTargetMaxEventAge(t *testing.T) {
	clock := &fakeClock{now: t0}
	ob := newMemOutbox()
	snd := &flakySender{failures: 100, err: errors.New("timeout")}
	d := startDispatcher(t, DispatcherConfig{
		Outbox: ob, Sender: snd, Poll: time.Millisecond, Now: clock.Now,
		MaxAge: time.Hour, BaseBackoff: 40 * time.Second, MaxBackoff: 40 * time.Second,
		Jitter: func(max time.Duration) time.Duration { return max },
	})
	del := testDelivery(t0)
	del.Target.RetryPolicy = &RetryPolicy{MaximumEventAgeInSeconds: 60}
	id := ob.add(del)
	d.Kick()
	polltest.Until(t, 5*time.Second, "first retry", func() bool { return ob.row(id).retries == 1 })
	clock.Set(ob.row(id).d.NextAt) // +40s: allowed
	polltest.Until(t, 5*time.Second, "dead letter", func() bool { return ob.row(id).state == "dead" })
	if r := ob.row(id); snd.attempts() != 2 || !strings.HasPrefix(r.reason, ExhaustedAge+": next attempt would be 1m20s after the event, limit 1m0s") {
		t.Fatalf("sent %d times, reason %q; want 2 sends and the 1m age limit", snd.attempts(), r.reason)
	}
}

// The sender gets the bytes the target receives, not the outbox encoding.
func TestDispatcherSendsDecodedBody(t *testing.T) {
	ob := newMemOutbox()
	snd := &recordingSender{}
	d := startDispatcher(t, DispatcherConfig{Outbox: ob, Sender: snd, Poll: time.Millisecond})
	del := testDelivery(time.Now())
	text := "\"line one\"\n\"line two\""
	del.Payload = EncodePayload([]byte(text))
	id := ob.add(del)
	d.Kick()
	polltest.Until(t, 5*time.Second, "delivery", func() bool { return ob.row(id).state == "done" })
	if got := snd.bodies(); len(got) != 1 || got[0] != text {
		t.Fatalf("sender got %q, want %q", got, text)
	}
}

// 20 deliveries to a target limited to 5/s with a burst of 5: the first 5
// go at once, the rest one every 200 ms, so the last leaves 3 s after the
// first. None is dead-lettered and none uses up an attempt while waiting.
func TestDispatcherRateLimit(t *testing.T) {
	clock := &fakeClock{now: t0}
	ob := newMemOutbox()
	snd := &recordingSender{clock: clock}
	startDispatcher(t, DispatcherConfig{Outbox: ob, Sender: snd, Poll: time.Millisecond, Now: clock.Now,
		MaxAttempts: 3})
	var ids []int64
	for i := range 20 {
		del := testDelivery(t0)
		del.EventID = fmt.Sprintf("ev-%02d", i)
		del.Target.RateLimit = &RateLimit{PerSecond: 5, Burst: 5}
		ids = append(ids, ob.add(del))
	}
	// Drive the fake clock: whenever nothing is due or in flight, jump to
	// the next due time.
	for step := 0; ; step++ {
		if step > 200 {
			t.Fatal("deliveries did not finish")
		}
		var next time.Time
		var pending int
		polltest.Until(t, 5*time.Second, "dispatcher idle", func() bool {
			var idle bool
			next, pending, idle = ob.idle(clock.Now())
			return idle
		})
		if pending == 0 {
			break
		}
		clock.Set(next)
	}
	times := snd.times()
	if len(times) != 20 {
		t.Fatalf("%d sends, want 20 (each delivery once)", len(times))
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i, at := range times {
		// Token bucket bound: send i needs i-4 tokens earned at 5/s.
		if earliest := t0.Add(time.Duration(max(0, i-4)) * 200 * time.Millisecond); at.Before(earliest) {
			t.Errorf("send %d at +%s, before +%s: over the limit", i, at.Sub(t0), earliest.Sub(t0))
		}
	}
	if span := times[19].Sub(t0); span < 3*time.Second {
		t.Errorf("last send at +%s, want ≥ 3s", span)
	}
	var deferred int
	for _, id := range ids {
		r := ob.row(id)
		if r.state != "done" || r.d.Attempts != 1 || r.retries != 0 {
			t.Errorf("delivery %d: state %s, %d attempts, %d retries; want done after 1 attempt, no retry", id, r.state, r.d.Attempts, r.retries)
		}
		deferred += r.defers
	}
	if deferred < 15 {
		t.Errorf("%d deferrals, want at least 15 (every delivery beyond the burst)", deferred)
	}
}

func TestLimiterBucketsAndSlots(t *testing.T) {
	l := newLimiter()
	a, b := bucketKey{"r", "a"}, bucketKey{"r", "b"}
	rl := RateLimit{PerSecond: 2} // burst defaults to 2
	for i := range 2 {
		if ok, _ := l.take(a, rl, t0); !ok {
			t.Fatalf("take %d within the burst refused", i)
		}
	}
	// Over the limit: successive refusals get successive slots.
	var slots []time.Duration
	for range 3 {
		ok, at := l.take(a, rl, t0)
		if ok {
			t.Fatal("take over the limit allowed")
		}
		slots = append(slots, at.Sub(t0))
	}
	if want := []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond}; !slices.Equal(slots, want) {
		t.Fatalf("retry slots %v, want %v", slots, want)
	}
	if ok, _ := l.take(b, rl, t0); !ok {
		t.Fatal("another target shares the bucket")
	}
	if ok, _ := l.take(a, rl, t0.Add(500*time.Millisecond)); !ok {
		t.Fatal("token earned after 500ms not available")
	}
	// A changed limit applies at once, keeping the tokens already spent.
	if ok, _ := l.take(a, RateLimit{PerSecond: 1000, Burst: 1}, t0.Add(500*time.Millisecond)); ok {
		t.Fatal("new limit: bucket should still be empty")
	}
	if ok, _ := l.take(a, RateLimit{PerSecond: 1000, Burst: 1}, t0.Add(502*time.Millisecond)); !ok {
		t.Fatal("new rate not applied")
	}
}

// idle reports whether nothing is due or in flight at now, and if so when
// the next pending delivery is due and how many are pending.
func (o *memOutbox) idle(now time.Time) (next time.Time, pending int, idle bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, r := range o.rows {
		if r.state != "pending" {
			continue
		}
		if r.leaseUntil.After(now) || !r.d.NextAt.After(now) {
			return time.Time{}, 0, false
		}
		pending++
		if next.IsZero() || r.d.NextAt.Before(next) {
			next = r.d.NextAt
		}
	}
	return next, pending, true
}

// recordingSender accepts everything, recording bodies and (fake) times.
type recordingSender struct {
	clock *fakeClock
	mu    sync.Mutex
	sent  []string
	at    []time.Time
}

func (s *recordingSender) Send(_ context.Context, _ Target, _ string, payload []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, string(payload))
	if s.clock != nil {
		s.at = append(s.at, s.clock.Now())
	}
	return nil
}

func (s *recordingSender) bodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

func (s *recordingSender) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.at)
}
