package server

import (
	"context"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/finding"
)

// PutFilter validates and stores a filter; ARCHIVE filters suppress new
// findings from then on. Rank 0 means after the last filter, as GuardDuty
// appends.
func (s *Server) PutFilter(ctx context.Context, f finding.Filter) (finding.Filter, error) {
	if f.Rank == 0 {
		f.Rank = 1
		if cur := s.filters.Load(); cur != nil {
			for _, g := range cur.all {
				if g.Name != f.Name && g.Rank >= f.Rank {
					f.Rank = min(g.Rank+1, 100)
				}
			}
		}
	}
	n, err := finding.NormalizeFilter(f)
	if err != nil {
		return f, &api.InvalidInput{Path: "filter", Err: err}
	}
	if err := s.store.PutFilter(ctx, n); err != nil {
		return n, err
	}
	return n, s.reloadFilters(ctx)
}

// DeleteFilter removes a filter.
func (s *Server) DeleteFilter(ctx context.Context, name string) (bool, error) {
	ok, err := s.store.DeleteFilter(ctx, name)
	if err != nil || !ok {
		return ok, err
	}
	return true, s.reloadFilters(ctx)
}

// ListFilters lists filters by rank.
func (s *Server) ListFilters(ctx context.Context) ([]finding.Filter, error) {
	return s.store.ListFilters(ctx)
}

// filterSet is a snapshot of the stored filters and of the suppression
// rules among them, ordered once per reload rather than per finding.
type filterSet struct {
	all      []finding.Filter
	suppress finding.SuppressionRules
}

func (s *Server) reloadFilters(ctx context.Context) error {
	fs, err := s.store.ListFilters(ctx)
	if err != nil {
		return err
	}
	s.filters.Store(&filterSet{all: fs, suppress: finding.NewSuppressionRules(fs)})
	return nil
}
