package sensor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/kerneltest"
)

// eventWait bounds how long a kernel test waits for its event.
const eventWait = 10 * time.Second

// collector runs a real Sensor and keeps every event it delivers.
type collector struct {
	s       *Sensor
	mu      sync.Mutex
	events  []event.Event
	changed chan struct{} // closed and replaced on each new event
}

// startSensor loads and attaches the sensor (after the kernel gate) and
// collects its events until the test ends.
func startSensor(t *testing.T, cfg Config, reqs ...string) *collector {
	t.Helper()
	kerneltest.Require(t, append([]string{"root", "btf"}, reqs...)...)
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c := &collector{s: s, changed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan event.Event, 4096)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, out) }()
	go c.consume(out)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		st := s.Stats()
		t.Logf("sensor stats: %+v", st)
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		close(out)
	})
	return c
}

func (c *collector) consume(out <-chan event.Event) {
	for ev := range out {
		c.mu.Lock()
		c.events = append(c.events, ev)
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
	}
}

var errTimeout = errors.New("no matching event before the deadline")

// find returns the first collected event matching pred, waiting for new
// events until the deadline (no fixed sleeps: it wakes on each event).
func (c *collector) find(pred func(event.Event) bool) (event.Event, error) {
	deadline := time.NewTimer(eventWait)
	defer deadline.Stop()
	seen := 0
	for {
		c.mu.Lock()
		for ; seen < len(c.events); seen++ {
			if pred(c.events[seen]) {
				ev := c.events[seen]
				c.mu.Unlock()
				return ev, nil
			}
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			return event.Event{}, errTimeout
		}
	}
}

// mustFind is find that fails the test with what it was looking for.
func (c *collector) mustFind(t *testing.T, what string, pred func(event.Event) bool) event.Event {
	t.Helper()
	ev, err := c.find(pred)
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
	return ev
}

// seen reports whether an already collected event matches pred.
func (c *collector) seen(pred func(event.Event) bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ev := range c.events {
		if pred(ev) {
			return true
		}
	}
	return false
}
