package storetest

import (
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/store"
)

func testAgents(t *testing.T, h Harness) {
	s := h.open(t)
	last := func(agent string) uint64 {
		t.Helper()
		n, err := s.AgentLastSeq(ctx(t), agent)
		must(t, err)
		return n
	}
	if n := last("a1"); n != 0 {
		t.Fatalf("unknown agent's last seq = %d; want 0", n)
	}
	for _, step := range []struct{ set, want uint64 }{{5, 5}, {3, 5}, {5, 5}, {9, 9}, {math.MaxInt64, math.MaxInt64}} {
		must(t, s.SetAgentLastSeq(ctx(t), "a1", step.set))
		if n := last("a1"); n != step.want {
			t.Fatalf("after set %d: last seq %d; want %d", step.set, n, step.want)
		}
	}
	if err := s.SetAgentLastSeq(ctx(t), "a2", math.MaxInt64+1); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("seq above MaxInt64: %v; want ErrInvalid", err)
	}
	// Racing writers: the highest value wins, whatever the order.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 20 {
				if err := s.SetAgentLastSeq(ctx(t), "a2", uint64(i*20+j)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := last("a2"); n != 159 {
		t.Fatalf("after concurrent sets: %d; want 159", n)
	}
	if n := last("a1"); n != math.MaxInt64 {
		t.Fatalf("a1 disturbed by a2: %d", n)
	}
}
