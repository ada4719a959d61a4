package uplink

import (
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// lossWarnEvery bounds how often the client logs a loss: an event lost
// silently is a detection nobody knows was missed, but a flood of losses
// must not become a flood of log lines.
const lossWarnEvery = 30 * time.Second

// losses remembers what the log has been told. It is used by the Run
// goroutine only.
type losses struct {
	invalidWarned time.Time
	dropped       uint64 // Send refusals already reported
}

// noteInvalid reports an event that failed validation here (the server would
// refuse it). ToProto fits every field to the protocol's bounds, so this
// means a sender bug; the first of each period is logged with its reason.
func (c *Client) noteInvalid(ev event.Event, err error) {
	n := c.invalid.Add(1)
	if time.Since(c.loss.invalidWarned) < lossWarnEvery {
		return
	}
	c.loss.invalidWarned = time.Now()
	c.log.Warn("dropping an event the server would refuse", "kind", ev.Kind.String(), "pid", ev.Process.PID,
		"err", err, "invalid_total", n)
}

// noteDropped reports Send refusals (buffer full) since the last report; it
// runs with each heartbeat.
func (c *Client) noteDropped() {
	n := c.dropped.Load()
	if n == c.loss.dropped {
		return
	}
	c.log.Warn("event buffer full: events dropped before sending", "dropped", n-c.loss.dropped,
		"dropped_total", n, "buffer_events", c.cfg.BufferEvents)
	c.loss.dropped = n
}
