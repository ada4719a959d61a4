package polltest

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestPollReturnsOnceTheConditionHolds(t *testing.T) {
	var calls atomic.Int32
	if !Poll(10*time.Second, func() bool { return calls.Add(1) == 3 }) {
		t.Fatal("Poll gave up on a condition that held at the third call")
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("cond called %d times, want 3 (no call after it held)", n)
	}
}

func TestPollGivesUpAtTheDeadline(t *testing.T) {
	start := time.Now()
	var calls atomic.Int32
	if Poll(50*time.Millisecond, func() bool { calls.Add(1); return false }) {
		t.Fatal("Poll reported a condition that never held")
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("gave up after %v, before the 50ms deadline", d)
	}
	if calls.Load() < 2 {
		t.Fatalf("cond called %d times in 50ms, want it polled", calls.Load())
	}
}
