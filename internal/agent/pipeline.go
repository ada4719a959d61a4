package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// stagedEvents is the room between capture and ship: what capture may run
// ahead while ship hashes a new executable or the uplink is slow.
const stagedEvents = 8192

// lagWarnAfter is how far behind the kernel a stage may fall before the
// agent says so (once per lagWarnEvery), so a slow host shows in the log.
const (
	lagWarnAfter = time.Second
	lagWarnEvery = 30 * time.Second
)

// capture is the first stage: it records each event in the process table
// and attributes it to its container as soon as it is read, while the
// process, its /proc entry and its cgroup most likely still exist. It does
// nothing slow (no hashing), so that it keeps up with the kernel.
func (a *Agent) capture(ctx context.Context, in <-chan event.Event, out chan<- event.Event) error {
	lag := lagMonitor{stage: "capture"}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-in:
			a.enrich(&ev)
			lag.observe(a, ev)
			select {
			case out <- ev:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// enrich fills in what the kernel cannot know: process identity, lineage
// and user from the table, the container from the resolver.
func (a *Agent) enrich(ev *event.Event) {
	a.table.Handle(ev)
	ev.Container = a.resolver.Lookup(ev.Process)
}

// ship is the second stage: it completes the executable digest (hashing a
// new binary from the file pinned at capture) and hands the event to the
// uplink, or prints it as a JSON line.
func (a *Agent) ship(ctx context.Context, in <-chan event.Event) error {
	var enc *json.Encoder
	if a.cfg.Output != nil {
		enc = json.NewEncoder(a.cfg.Output)
	}
	lag := lagMonitor{stage: "ship"}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-in:
			a.table.Digest(&ev)
			lag.observe(a, ev)
			if enc != nil {
				if err := enc.Encode(jsonEvent(ev)); err != nil {
					return fmt.Errorf("writing event: %w", err)
				}
				continue
			}
			a.up.Send(ev)
		}
	}
}

// lagMonitor tracks how far one stage (one goroutine) is behind the
// kernel's timestamps.
type lagMonitor struct {
	stage  string
	warned time.Time
	worst  time.Duration // since the last warning
}

func (m *lagMonitor) observe(a *Agent, ev event.Event) {
	if ev.Time.IsZero() {
		return
	}
	lag := time.Since(ev.Time)
	if lag <= lagWarnAfter {
		return
	}
	m.worst = max(m.worst, lag)
	if time.Since(m.warned) < lagWarnEvery {
		return
	}
	m.warned = time.Now()
	a.log.Warn("agent is behind the kernel", "stage", m.stage, "lag", m.worst.Round(time.Millisecond))
	m.worst = 0
}
