package pattern

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestPrefixSetMatchesBruteForce compares lookups with testing every key,
// over keys that nest deeply (a, ab, abc, ...) and share starts, with the
// empty prefix among them (one sorted run) or not (bucketed runs).
func TestPrefixSetMatchesBruteForce(t *testing.T) {
	for _, minLen := range []int{0, 1, 2} {
		checkPrefixSet(t, minLen)
	}
}

func checkPrefixSet(t *testing.T, minLen int) {
	rng := rand.New(rand.NewPCG(1, uint64(minLen)))
	word := func() string {
		var b strings.Builder
		for range minLen + rng.IntN(6) {
			b.WriteByte("ab/"[rng.IntN(3)])
		}
		return b.String()
	}
	var ps prefixSet[int32]
	var keys []string
	for i := range 60 {
		k := word()
		keys = append(keys, k)
		ps.add(k, int32(i))
	}
	ps.freeze()
	if (ps.buckets != nil) != (minLen > 0) {
		t.Fatalf("minLen %d: bucketed = %v", minLen, ps.buckets != nil)
	}
	for range 2000 {
		s := word()[minLen/2:] + word()
		var want, got []int32
		for i, k := range keys {
			if strings.HasPrefix(s, k) {
				want = append(want, int32(i))
			}
		}
		ps.prefixes(s, func(vs []int32) { got = append(got, vs...) })
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("prefixes(%q) = %v, want %v", s, got, want)
		}
	}
}
