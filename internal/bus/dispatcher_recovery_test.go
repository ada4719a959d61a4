package bus

import (
	"errors"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/polltest"
)

// TestDispatcherExpeditesAfterRecovery: deliveries that failed while a
// target was down wait out long backoffs; the first success to that target
// makes them all due at once, so recovery does not take as long as the
// largest backoff. Deliveries to other targets are left alone.
func TestDispatcherExpeditesAfterRecovery(t *testing.T) {
	clock := &fakeClock{now: t0}
	ob := newMemOutbox()
	snd := &flakySender{failures: 4, err: errors.New("connection refused")}
	d := startDispatcher(t, DispatcherConfig{
		Outbox: ob, Sender: snd, Poll: time.Millisecond, Now: clock.Now, Workers: 1, Batch: 1,
		BaseBackoff: time.Hour, MaxBackoff: 4 * time.Hour,
		Jitter: func(max time.Duration) time.Duration { return max },
	})
	var ids []int64
	for range 3 {
		ids = append(ids, ob.add(testDelivery(t0)))
	}
	other := testDelivery(t0)
	other.Target.ID = "t2"
	other.NextAt = t0.Add(2 * time.Hour)
	otherID := ob.add(other)
	d.Kick()
	polltest.Until(t, 5*time.Second, "three failures", func() bool {
		n := 0
		for _, id := range ids {
			n += ob.row(id).retries
		}
		return n == 3
	})
	// An hour later the first retry fails again (its next backoff is two
	// hours); then the target is back: the next send succeeds, and the
	// delivery still waiting its two hours is sent right after it.
	clock.Set(t0.Add(time.Hour))
	polltest.Until(t, 5*time.Second, "all three delivered", func() bool {
		for _, id := range ids {
			if ob.row(id).state != "done" {
				return false
			}
		}
		return true
	})
	if r := ob.row(otherID); r.state != "pending" || !r.d.NextAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("another target's delivery was touched: %+v", r)
	}
}
