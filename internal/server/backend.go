package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/coverage"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/store"
)

// The Server is the API's Backend.
var _ api.Backend = (*Server)(nil)

// Ready is nil once the service (and, under `vigil up`, the local agent) is
// ready.
func (s *Server) Ready() error {
	if s.ingest == nil {
		return fmt.Errorf("ingest not started")
	}
	if f := s.ready.Load(); f != nil {
		return (*f)()
	}
	return nil
}

// ListFindings lists findings, newest update first.
func (s *Server) ListFindings(ctx context.Context, q api.FindingQuery) ([]finding.Finding, string, error) {
	fs, err := s.store.ListFindings(ctx, store.FindingQuery{Types: q.Types, Archived: q.Archived, Limit: q.Limit, After: q.After})
	if err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return nil, "", &api.InvalidInput{Path: "nextToken", Err: err}
		}
		return nil, "", err
	}
	next := ""
	if q.Limit > 0 && len(fs) == q.Limit {
		next = store.CursorAfter(fs[len(fs)-1])
	}
	return fs, next, nil
}

// GetFinding returns one finding.
func (s *Server) GetFinding(ctx context.Context, id string) (finding.Finding, bool, error) {
	return s.store.GetFinding(ctx, id)
}

// CreateSampleFindings makes one sample per type (every runtime type when
// types is empty); samples are real findings, stored and published.
func (s *Server) CreateSampleFindings(ctx context.Context, types []string) ([]finding.Finding, error) {
	if len(types) == 0 {
		for _, t := range finding.Types() {
			types = append(types, t.Name)
		}
	}
	var out []finding.Finding
	for _, t := range types {
		// Like GuardDuty, every request makes new sample findings (and so
		// new notifications), rather than updating the previous samples.
		id, err := randomFindingID()
		if err != nil {
			return nil, err
		}
		f, err := finding.Sample(t, s.origin, id, time.Now().UTC())
		if err != nil {
			return nil, &api.InvalidInput{Path: "findingTypes", Err: err}
		}
		saved, _, err := s.recordFinding(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, saved)
	}
	return out, nil
}

// ListCoverage returns every coverage resource.
func (s *Server) ListCoverage(ctx context.Context) ([]coverage.Resource, error) {
	recs, err := s.store.ListCoverage(ctx)
	if err != nil {
		return nil, err
	}
	return decodeCoverage(recs)
}

// ListRules returns every rule, credentials redacted.
func (s *Server) ListRules(ctx context.Context) ([]bus.Rule, error) {
	rs, err := s.store.ListRules(ctx)
	for i := range rs {
		rs[i] = bus.RedactRule(rs[i])
	}
	return rs, err
}

// GetRule returns one rule, credentials redacted.
func (s *Server) GetRule(ctx context.Context, name string) (bus.Rule, bool, error) {
	r, ok, err := s.store.GetRule(ctx, name)
	return bus.RedactRule(r), ok, err
}

// PutRule validates, stores and starts routing on a rule. Credentials the
// client left redacted keep their stored values.
func (s *Server) PutRule(ctx context.Context, r bus.Rule) (bus.Rule, error) {
	if stored, ok, err := s.store.GetRule(ctx, r.Name); err != nil {
		return bus.Rule{}, err
	} else if ok {
		r = bus.RestoreRedacted(r, stored)
	}
	n, err := bus.NormalizeRule(r)
	if err != nil {
		return bus.Rule{}, &api.InvalidInput{Err: err}
	}
	if err := s.store.PutRule(ctx, n); err != nil {
		return bus.Rule{}, err
	}
	return bus.RedactRule(n), s.reloadRouter(ctx)
}

// DeleteRule removes a rule.
func (s *Server) DeleteRule(ctx context.Context, name string) (bool, error) {
	ok, err := s.store.DeleteRule(ctx, name)
	if err != nil || !ok {
		return ok, err
	}
	return true, s.reloadRouter(ctx)
}

func (s *Server) reloadRouter(ctx context.Context) error {
	all, err := s.store.ListRules(ctx)
	if err != nil {
		return err
	}
	return s.router.Replace(all)
}

// SetRuleEnabled enables or disables a rule; false when there is none.
func (s *Server) SetRuleEnabled(ctx context.Context, name string, enabled bool) (bus.Rule, bool, error) {
	r, ok, err := s.store.GetRule(ctx, name)
	if err != nil || !ok {
		return bus.RedactRule(r), ok, err
	}
	r.Enabled = enabled
	saved, err := s.PutRule(ctx, r)
	return saved, true, err
}

// ListDeadLetters returns the deliveries that exhausted their retries.
func (s *Server) ListDeadLetters(ctx context.Context) ([]api.DeadLetter, error) {
	ds, err := s.store.ListDeadLetters(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]api.DeadLetter, 0, len(ds))
	for _, d := range ds {
		out = append(out, api.DeadLetter{ID: d.Delivery.ID, EventID: d.Delivery.EventID, Rule: d.Delivery.Rule,
			TargetID: d.Delivery.Target.ID, Kind: d.Delivery.Target.Kind, Attempts: d.Delivery.Attempts,
			Reason: d.Reason, LastError: d.Delivery.LastError, CreatedAt: d.Delivery.CreatedAt, FailedAt: d.FailedAt,
			Payload: d.Delivery.Payload})
	}
	return out, nil
}

// Redrive puts dead letters back into the outbox, all of them when ids is
// empty, and wakes the dispatcher.
func (s *Server) Redrive(ctx context.Context, ids []int64) (int, error) {
	var n int
	var err error
	if len(ids) == 0 {
		n, err = s.store.RedriveAll(ctx)
	} else {
		n, err = s.store.Redrive(ctx, ids)
	}
	if err == nil && n > 0 {
		s.kick()
	}
	return n, err
}
