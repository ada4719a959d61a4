package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/store"
)

// replace is a merge that keeps the incoming finding as it is.
func replace(_ *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
	return next, nil
}

// seedFindings stores six findings; in updatedAt-descending order (ties by
// id descending) their ids are f6 f5 f4 f3 f2 f1, and f2/f3 share a time.
func seedFindings(t *testing.T, s store.Store) {
	t.Helper()
	at := func(min int) time.Time { return baseTime().Add(time.Duration(min) * time.Minute) }
	fs := []finding.Finding{
		newFinding("f1", "Execution:Runtime/NewBinaryExecuted", 2, at(1)),
		newFinding("f2", "Backdoor:Runtime/C&CActivity.B", 8, at(2)),
		newFinding("f3", "Execution:Runtime/NewBinaryExecuted", 5, at(2)),
		newFinding("f4", "PrivilegeEscalation:Runtime/DockerSocketAccessed", 7.5, at(4)),
		newFinding("f5", "Backdoor:Runtime/C&CActivity.B", 8, at(5)),
		newFinding("f6", "Execution:Runtime/NewBinaryExecuted", 5, at(6)),
	}
	fs[2].Service.Archived = true
	fs[4].Service.Archived = true
	for _, f := range fs {
		_, _, err := s.UpsertFinding(ctx(t), f, replace)
		must(t, err)
	}
}

func testListFindings(t *testing.T, h Harness) {
	s := h.open(t)
	seedFindings(t, s)
	yes, no := true, false
	cases := []struct {
		name string
		q    store.FindingQuery
		want []string
	}{
		{"all, newest first", store.FindingQuery{}, []string{"f6", "f5", "f4", "f3", "f2", "f1"}},
		{"types", store.FindingQuery{Types: []string{"Backdoor:Runtime/C&CActivity.B", "PrivilegeEscalation:Runtime/DockerSocketAccessed"}},
			[]string{"f5", "f4", "f2"}},
		{"archived", store.FindingQuery{Archived: &yes}, []string{"f5", "f3"}},
		{"current", store.FindingQuery{Archived: &no}, []string{"f6", "f4", "f2", "f1"}},
		{"min severity inclusive", store.FindingQuery{MinSeverity: 7.5}, []string{"f5", "f4", "f2"}},
		{"combined", store.FindingQuery{Types: []string{"Execution:Runtime/NewBinaryExecuted"}, Archived: &no, MinSeverity: 3},
			[]string{"f6"}},
		{"limit", store.FindingQuery{Limit: 2}, []string{"f6", "f5"}},
		{"no match", store.FindingQuery{Types: []string{"Nothing"}}, nil},
	}
	for _, c := range cases {
		got, err := s.ListFindings(ctx(t), c.q)
		must(t, err)
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("%s: got %v; want %v", c.name, ids(got), c.want)
		}
	}
	t.Run("Pagination", func(t *testing.T) { listPages(t, s) })
	t.Run("UpdateMovesToTop", func(t *testing.T) {
		_, _, err := s.UpsertFinding(ctx(t), newFinding("f1", "T", 1, baseTime().Add(time.Hour)), replace)
		must(t, err)
		got, err := s.ListFindings(ctx(t), store.FindingQuery{Limit: 1})
		must(t, err)
		if len(got) != 1 || got[0].ID != "f1" {
			t.Fatalf("after updating f1, first = %v; want f1", ids(got))
		}
	})
	t.Run("BadQueries", func(t *testing.T) {
		for _, q := range []store.FindingQuery{{After: "!!"}, {After: "bm8gc2VwYXJhdG9y"}, {Limit: -1}} {
			if _, err := s.ListFindings(ctx(t), q); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("ListFindings(%+v) error = %v; want ErrInvalid", q, err)
			}
		}
	})
}

// listPages walks the findings two at a time, including across the f3/f2
// tie, and with a filter, and must see each finding exactly once in order.
func listPages(t *testing.T, s store.Store) {
	for _, q := range []store.FindingQuery{{Limit: 2}, {Limit: 1, MinSeverity: 5}} {
		var all []string
		for page := 0; page < 10; page++ {
			got, err := s.ListFindings(ctx(t), q)
			must(t, err)
			all = append(all, ids(got)...)
			if len(got) < q.Limit {
				break
			}
			q.After = store.CursorAfter(got[len(got)-1])
		}
		want := []string{"f6", "f5", "f4", "f3", "f2", "f1"}
		if q.MinSeverity > 0 {
			want = []string{"f6", "f5", "f4", "f3", "f2"}
		}
		if !slices.Equal(all, want) {
			t.Errorf("paging %+v: got %v; want %v", q, all, want)
		}
	}
}
