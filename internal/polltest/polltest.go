// Package polltest waits in tests for a condition to hold, never for a
// fixed time: a test is as fast as what it waits for, and a slow machine
// only makes it slower, not red.
package polltest

import (
	"testing"
	"time"
)

// Interval bounds: the first poll is quick, for conditions that hold almost
// at once; later ones back off, so a condition that runs a command (a CLI
// call, an HTTP request) does not load the machine it waits on.
const (
	firstInterval = 5 * time.Millisecond
	maxInterval   = 100 * time.Millisecond
)

// Until polls cond until it holds, and fails t at the deadline with what it
// was waiting for.
func Until(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Poll(timeout, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// Poll polls cond until it holds (true) or timeout passes (false), for
// callers that report a failure their own way.
func Poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	interval := firstInterval
	for !cond() {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		time.Sleep(min(interval, left))
		interval = min(2*interval, maxInterval)
	}
	return true
}
