package pattern

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkMatcherFlat measures matching a pre-flattened GuardDuty finding
// event against 1, 100 and 10,000 rules of mixed operators.
func BenchmarkMatcherFlat(b *testing.B) {
	ev, err := Flatten(loadFixture(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			m := NewMatcher()
			for name, p := range genRules(b, n) {
				if err := m.Add(name, p); err != nil {
					b.Fatal(err)
				}
			}
			m.MatchFlat(ev) // build the snapshot outside the timed loop
			runtime.GC()    // keep setup garbage out of the measured CPU time
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime(b)
			for b.Loop() {
				m.MatchFlat(ev)
			}
			reportRates(b, cpu0)
		})
	}
}

// BenchmarkMatcherBytes includes parsing and flattening the event.
func BenchmarkMatcherBytes(b *testing.B) {
	raw := loadFixture(b)
	m := NewMatcher()
	for name, p := range genRules(b, 10000) {
		if err := m.Add(name, p); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := m.Match(raw); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	cpu0 := cpuTime(b)
	for b.Loop() {
		if _, err := m.Match(raw); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, cpu0)
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
