package sensor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf/ringbuf"

	"github.com/vigilsec/vigil/internal/event"
)

const (
	// pollInterval bounds how long Run waits in the ring buffer before it
	// looks at ctx again (the reader cannot be interrupted otherwise
	// without closing it).
	pollInterval = 100 * time.Millisecond
	// sendGrace is how long a decoded event may wait for room in `out`
	// before it is dropped; meanwhile the kernel ring buffer absorbs bursts.
	sendGrace = 50 * time.Millisecond
	// clockResync re-measures the boot/wall offset so that NTP steps are
	// followed.
	clockResync = time.Minute
)

// Run reads the ring buffer and sends decoded events to out until ctx is
// done (it then returns nil) or the sensor is closed. It never blocks for
// long on a full out: an event that cannot be delivered within a short grace
// period is counted in Stats.Dropped.
func (s *Sensor) Run(ctx context.Context, out chan<- event.Event) error {
	synced := time.Now()
	var rec ringbuf.Record
	for {
		if ctx.Err() != nil {
			return nil
		}
		s.reader.SetDeadline(time.Now().Add(pollInterval))
		err := s.reader.ReadInto(&rec)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			continue
		}
		if err != nil {
			if errors.Is(err, os.ErrClosed) || errors.Is(err, ringbuf.ErrClosed) {
				return fmt.Errorf("sensor run: ring buffer closed: %w", err)
			}
			return fmt.Errorf("sensor run: reading ring buffer: %w", err)
		}
		s.received.Add(1)
		if time.Since(synced) > clockResync {
			if s.clock.Resync() == nil {
				synced = time.Now()
			}
		}
		ev, err := Decode(rec.RawSample, s.clock.Get())
		if err != nil {
			if !errors.Is(err, ErrNotDNS) {
				s.decodeErrors.Add(1)
			}
			continue
		}
		s.deliver(ctx, out, ev)
	}
}

// deliver sends ev, waiting at most sendGrace when out is full.
func (s *Sensor) deliver(ctx context.Context, out chan<- event.Event, ev event.Event) {
	select {
	case out <- ev:
		return
	default:
	}
	t := time.NewTimer(sendGrace)
	defer t.Stop()
	select {
	case out <- ev:
	case <-t.C:
		s.dropped.Add(1)
	case <-ctx.Done():
		s.dropped.Add(1)
	}
}
