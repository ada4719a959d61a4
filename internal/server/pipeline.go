package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/coverage"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

// pipeline is the ingest.Handler: every accepted batch runs through the
// detectors, and findings and coverage changes are stored together with the
// events they publish (one transaction each).
type pipeline struct{ s *Server }

func (p *pipeline) Hello(ctx context.Context, a ingest.AgentInfo) (uint64, error) {
	p.s.metrics.agentsConnected.Add(1)
	if err := p.s.observeAgent(ctx, a, true, ""); err != nil {
		return 0, err
	}
	seq, err := p.s.store.AgentLastSeq(ctx, a.ID)
	if err != nil {
		return 0, fmt.Errorf("reading last sequence of agent %s: %w", a.ID, err)
	}
	return seq, nil
}

// Batch runs a batch's events through the detectors and stores every
// finding, their deliveries and the batch's sequence number in one
// transaction: a batch resent after a crash is counted once.
func (p *pipeline) Batch(ctx context.Context, a ingest.AgentInfo, seq uint64, events []event.Event) error {
	now := time.Now().UTC()
	origin := p.s.originFor(a)
	engine := p.s.engine.Load()
	var fs []finding.Finding
	for _, o := range engine.EvaluateBatch(a.ID, events) {
		fs = append(fs, finding.Build(o, origin, now))
	}
	merge, routeErr := p.s.mergeFunc(now)
	saved, err := p.s.store.RecordBatch(ctx, a.ID, seq, fs, merge)
	if err != nil {
		return fmt.Errorf("recording batch %d of agent %s: %w", seq, a.ID, err)
	}
	p.s.metrics.events.Add(uint64(len(events)))
	for _, u := range saved {
		p.s.noteRecorded(u.Finding, u.Created)
	}
	if *routeErr != nil {
		p.s.log.Error("routing finding events", "agent", a.ID, "err", *routeErr)
	}
	return p.s.observeAgent(ctx, a, true, "")
}

func (p *pipeline) Heartbeat(ctx context.Context, a ingest.AgentInfo, hb ingest.Heartbeat) error {
	p.s.metrics.sensorLost.Store(hb.Lost)
	return p.s.observeAgent(ctx, a, hb.Attached, hb.Error)
}

func (p *pipeline) Gone(a ingest.AgentInfo) {
	p.s.metrics.agentsConnected.Add(-1)
	p.s.log.Info("agent disconnected", "agent", a.ID, "remote", a.RemoteAddr)
}

func (s *Server) originFor(a ingest.AgentInfo) finding.Origin {
	o := s.origin
	o.AgentID, o.AgentVersion = a.ID, a.Version
	o.Hostname, o.InstanceID = a.Hostname, a.InstanceID
	o.ECSClusterARN = a.ECSClusterARN
	return o
}

// recordFinding stores f (merging it into an earlier occurrence) and, in
// the same transaction, the deliveries of the event announcing it.
func (s *Server) recordFinding(ctx context.Context, f finding.Finding) (finding.Finding, bool, error) {
	merge, routeErr := s.mergeFunc(time.Now().UTC())
	saved, created, err := s.store.UpsertFinding(ctx, f, merge)
	if err != nil {
		return saved, false, fmt.Errorf("recording finding %s: %w", f.ID, err)
	}
	if *routeErr != nil {
		s.log.Error("routing finding event", "finding", f.ID, "err", *routeErr)
	}
	s.noteRecorded(saved, created)
	return saved, created, nil
}

// mergeFunc is the pure decision the store runs inside its transaction: a
// repeat merges into the stored finding (published later, at the
// publishing frequency); a new finding is published at once, unless a
// suppression rule archives it (GuardDuty's semantics: stored, never
// published). Routing errors are collected in the returned error.
func (s *Server) mergeFunc(now time.Time) (store.MergeFunc, *error) {
	routeErr := new(error)
	filters := s.filters.Load()
	return func(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
		if prev != nil {
			return finding.Merge(*prev, next), nil
		}
		if filters != nil {
			if _, ok := filters.suppress.Suppressed(next); ok {
				next.Service.Archived = true
			}
		}
		if next.Service.Archived {
			return next, nil
		}
		ds, err := s.publish(func(id string) (bus.Envelope, error) { return bus.FindingEvent(next, id, now) }, now)
		if err != nil {
			*routeErr = errors.Join(*routeErr, err)
		}
		return next, ds
	}, routeErr
}

// noteRecorded counts and logs a new finding and wakes the dispatcher.
func (s *Server) noteRecorded(f finding.Finding, created bool) {
	if !created {
		return
	}
	s.metrics.findings.Add(1)
	s.log.Info("finding", "type", f.Type, "id", f.ID, "severity", f.Severity)
	s.kick()
}

// publish makes an event and routes it to the deliveries of every matching
// rule target.
func (s *Server) publish(mk func(id string) (bus.Envelope, error), now time.Time) ([]bus.Delivery, error) {
	id, err := bus.NewEventID()
	if err != nil {
		return nil, err
	}
	env, err := mk(id)
	if err != nil {
		return nil, err
	}
	ds, err := s.router.Route(env, now)
	return s.expandTopics(ds), err
}

func (s *Server) kick() {
	if s.disp != nil {
		s.disp.Kick()
	}
}

func agentOf(a ingest.AgentInfo) coverage.Agent {
	return coverage.Agent{ID: a.ID, Kind: a.Kind, Version: a.Version, Hostname: a.Hostname,
		InstanceID: a.InstanceID, ECSClusterARN: a.ECSClusterARN, ECSTaskARN: a.ECSTaskARN}
}

// observeAgent records that the agent reported and persists a coverage
// change with its health event.
func (s *Server) observeAgent(ctx context.Context, a ingest.AgentInfo, sensorOK bool, sensorErr string) error {
	c, ok := s.cov.Seen(agentOf(a), time.Now().UTC(), sensorOK, sensorErr)
	if !ok {
		return nil
	}
	return s.saveCoverage(ctx, c)
}

func (s *Server) saveCoverage(ctx context.Context, c coverage.Change) error {
	now := time.Now().UTC()
	doc, err := json.Marshal(c.Resource)
	if err != nil {
		return fmt.Errorf("encoding coverage resource: %w", err)
	}
	var routeErr error
	err = s.store.UpdateCoverage(ctx, c.Resource.ResourceID, func(prev *store.CoverageRecord) (store.CoverageRecord, []bus.Delivery, bool) {
		rec := store.CoverageRecord{ResourceID: c.Resource.ResourceID, Status: c.Resource.CoverageStatus, UpdatedAt: now, Doc: doc}
		if !c.Transition() {
			return rec, nil, true
		}
		healthy := c.Resource.CoverageStatus == coverage.Healthy
		ds, err := s.publish(func(id string) (bus.Envelope, error) {
			return bus.HealthEvent(healthy, s.cfg.Account.ID, s.cfg.Account.Region, c.Detail(now), id, now)
		}, now)
		routeErr = err
		return rec, ds, true
	})
	if err != nil {
		return fmt.Errorf("saving coverage of %s: %w", c.Resource.ResourceID, err)
	}
	if routeErr != nil {
		s.log.Error("routing health event", "resource", c.Resource.ResourceID, "err", routeErr)
	}
	if c.Transition() {
		s.log.Info("coverage changed", "resource", c.Resource.ResourceID, "status", c.Resource.CoverageStatus, "issue", c.Resource.Issue)
		s.kick()
	}
	return nil
}

// sweepCoverage turns silent agents' resources UNHEALTHY.
func (s *Server) sweepCoverage(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Coverage.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			for _, c := range s.cov.Sweep(now.UTC()) {
				if err := s.saveCoverage(ctx, c); err != nil {
					s.log.Error("sweeping coverage", "err", err)
				}
			}
		}
	}
}

// restoreCoverage reloads persisted resources after a restart.
func (s *Server) restoreCoverage(ctx context.Context) error {
	recs, err := s.store.ListCoverage(ctx)
	if err != nil {
		return fmt.Errorf("loading coverage: %w", err)
	}
	rs, err := decodeCoverage(recs)
	if err != nil {
		return err
	}
	s.cov.Restore(rs, time.Now().UTC())
	return nil
}

// decodeCoverage decodes stored coverage records, in their order; never
// nil, so that an empty list encodes as [].
func decodeCoverage(recs []store.CoverageRecord) ([]coverage.Resource, error) {
	out := make([]coverage.Resource, 0, len(recs))
	for _, r := range recs {
		var res coverage.Resource
		if err := json.Unmarshal(r.Doc, &res); err != nil {
			return nil, fmt.Errorf("decoding coverage of %s: %w", r.ResourceID, err)
		}
		out = append(out, res)
	}
	return out, nil
}
