package pattern

import (
	"runtime"
	"testing"
)

// matcherCases are the rule sets of the matcher benchmarks: 1, 100 and
// 10,000 rules of mixed operators of which up to 8 match the GuardDuty
// fixture, and 10,000 rules of which none does.
var matcherCases = []struct {
	name       string
	rules, hit int
}{
	{"rules=1", 1, 1},
	{"rules=100", 100, 8},
	{"rules=10000", 10000, 8},
	{"rules=10000-nomatch", 10000, 0},
}

// benchMatcher loads a matcher for each case and runs match b.N times.
func benchMatcher(b *testing.B, match func(m *Matcher)) {
	for _, c := range matcherCases {
		b.Run(c.name, func(b *testing.B) {
			m := NewMatcher()
			for name, p := range genRulesHitting(b, c.rules, c.hit) {
				if err := m.Add(name, p); err != nil {
					b.Fatal(err)
				}
			}
			match(m)     // build the snapshot outside the timed loop
			runtime.GC() // keep setup garbage out of the measured CPU time
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime(b)
			for b.Loop() {
				match(m)
			}
			reportRates(b, cpu0)
		})
	}
}

// BenchmarkMatcherFlat measures matching a pre-flattened GuardDuty finding
// event (Flatten is not timed).
func BenchmarkMatcherFlat(b *testing.B) {
	ev, err := Flatten(loadFixture(b))
	if err != nil {
		b.Fatal(err)
	}
	benchMatcher(b, func(m *Matcher) { m.MatchFlat(ev) })
}

// BenchmarkMatcherJSON measures Match end to end: from the event's bytes,
// parsing included, as the router calls it.
func BenchmarkMatcherJSON(b *testing.B) {
	raw := loadFixture(b)
	b.SetBytes(int64(len(raw)))
	benchMatcher(b, func(m *Matcher) {
		if _, err := m.Match(raw); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkFlattenThenMatch is the other end-to-end route: Flatten, then
// MatchFlat, for callers that need the flattened event anyway.
func BenchmarkFlattenThenMatch(b *testing.B) {
	raw := loadFixture(b)
	b.SetBytes(int64(len(raw)))
	benchMatcher(b, func(m *Matcher) {
		ev, err := Flatten(raw)
		if err != nil {
			b.Fatal(err)
		}
		m.MatchFlat(ev)
	})
}

// BenchmarkFlatten measures parsing and flattening alone.
func BenchmarkFlatten(b *testing.B) {
	raw := loadFixture(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	cpu0 := cpuTime(b)
	for b.Loop() {
		if _, err := Flatten(raw); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, cpu0)
}

// BenchmarkPatternFlat measures one compiled pattern on its own.
func BenchmarkPatternFlat(b *testing.B) {
	ev, err := Flatten(loadFixture(b))
	if err != nil {
		b.Fatal(err)
	}
	p := genRules(b, 1)["rule-00000"]
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		p.MatchFlat(ev)
	}
	reportRates(b, cpu0)
}

// BenchmarkCompile measures validating and compiling one pattern.
func BenchmarkCompile(b *testing.B) {
	src := []byte(ruleKinds[7](7, true))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(src); err != nil {
			b.Fatal(err)
		}
	}
}
