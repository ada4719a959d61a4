package server

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
)

// publishUpdates re-publishes, every few seconds, findings whose repeats
// have not been published for the configured frequency: a new finding is
// published at once (recordFinding), later occurrences are aggregated and
// announced at most once per period, as GuardDuty does.
func (s *Server) publishUpdates(ctx context.Context) error {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			s.publishDue(ctx, now.UTC())
		}
	}
}

// publishDue publishes every update that is due at now (the deliveries
// themselves are due at once).
func (s *Server) publishDue(ctx context.Context, now time.Time) {
	cutoff := now.Add(-s.cfg.Findings.PublishingPeriod())
	for {
		n, err := s.store.PublishDue(ctx, cutoff, 500, func(f finding.Finding) []bus.Delivery {
			now := time.Now().UTC()
			ds, err := s.publish(func(id string) (bus.Envelope, error) { return bus.FindingEvent(f, id, now) }, now)
			if err != nil {
				s.log.Error("routing finding update", "finding", f.ID, "err", err)
			}
			return ds
		})
		if err != nil {
			s.log.Error("publishing finding updates", "err", err)
			return
		}
		if n > 0 {
			s.kick()
		}
		if n < 500 {
			return
		}
	}
}
