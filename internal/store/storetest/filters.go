package storetest

import (
	"testing"

	"github.com/vigilsec/vigil/internal/finding"
)

func testFilters(t *testing.T, h Harness) {
	s := h.open(t)
	crit := finding.Criteria{Criterion: map[string]finding.Condition{"type": {Equals: []string{"Backdoor:Runtime/C&CActivity.B"}}}}
	must(t, s.PutFilter(ctx(t), finding.Filter{Name: "zeta", Action: "ARCHIVE", Rank: 1, FindingCriteria: crit}))
	must(t, s.PutFilter(ctx(t), finding.Filter{Name: "alpha", Action: "NOOP", Rank: 2, FindingCriteria: crit}))
	must(t, s.PutFilter(ctx(t), finding.Filter{Name: "zeta", Action: "ARCHIVE", Rank: 3, FindingCriteria: crit}))
	fs, err := s.ListFilters(ctx(t))
	must(t, err)
	if len(fs) != 2 || fs[0].Name != "alpha" || fs[1].Name != "zeta" || fs[1].Rank != 3 ||
		fs[1].FindingCriteria.Criterion["type"].Equals[0] != "Backdoor:Runtime/C&CActivity.B" {
		t.Fatalf("filters by rank after replacing zeta: %+v", fs)
	}
	ok, err := s.DeleteFilter(ctx(t), "alpha")
	must(t, err)
	again, _ := s.DeleteFilter(ctx(t), "alpha")
	if fs, _ := s.ListFilters(ctx(t)); !ok || again || len(fs) != 1 {
		t.Fatalf("delete: %v %v %+v", ok, again, fs)
	}
}
