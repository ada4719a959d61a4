package pattern

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// conformanceCase is one line of shared/spec/pattern-cases.jsonl. Pattern
// stays raw: some cases depend on duplicate keys in the pattern text.
type conformanceCase struct {
	Name    string          `json:"name"`
	Pattern json.RawMessage `json:"pattern"`
	Event   json.RawMessage `json:"event"`
	Match   *bool           `json:"match"`
	Invalid bool            `json:"invalid"`
}

// loadConformance finds the suite by walking up to the directory holding
// shared/spec; a missing suite fails the test instead of skipping it.
func loadConformance(t *testing.T) []conformanceCase {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	var path string
	for {
		candidate := filepath.Join(dir, "shared", "spec", "pattern-cases.jsonl")
		if _, err := os.Stat(candidate); err == nil {
			path = candidate
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("shared/spec/pattern-cases.jsonl not found in any parent directory")
		}
		dir = parent
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []conformanceCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c conformanceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: bad line %q: %v", path, sc.Text(), err)
		}
		if !c.Invalid && c.Match == nil {
			t.Fatalf("case %q has neither match nor invalid", c.Name)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil || len(cases) == 0 {
		t.Fatalf("%s: read %d cases: %v", path, len(cases), err)
	}
	return cases
}

// TestConformance runs every case through Pattern.Match and through a
// Matcher holding only that pattern.
func TestConformance(t *testing.T) {
	for _, c := range loadConformance(t) {
		t.Run(c.Name, func(t *testing.T) {
			p, err := Compile(c.Pattern)
			if c.Invalid {
				if err == nil {
					t.Fatalf("pattern %s compiled, want an error", c.Pattern)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile(%s): %v", c.Pattern, err)
			}
			got, err := p.Match(c.Event)
			if err != nil || got != *c.Match {
				t.Errorf("Pattern.Match = %v, %v; want %v", got, err, *c.Match)
			}
			ev, err := Flatten(c.Event)
			if err != nil || p.MatchFlat(ev) != *c.Match {
				t.Errorf("Flatten: %v; Pattern.MatchFlat want %v", err, *c.Match)
			}
			m := NewMatcher()
			if err := m.Add(c.Name, p); err != nil {
				t.Fatal(err)
			}
			names, err := m.Match(c.Event)
			if err != nil || (len(names) == 1) != *c.Match {
				t.Errorf("Matcher.Match = %v, %v; want match=%v", names, err, *c.Match)
			}
		})
	}
}

// TestConformanceOneMatcher loads every valid case into one Matcher, so
// that the patterns share automaton states, and checks each event against
// its own case: sharing must not change any answer.
func TestConformanceOneMatcher(t *testing.T) {
	cases := loadConformance(t)
	m := NewMatcher()
	for _, c := range cases {
		if c.Invalid {
			continue
		}
		p, err := Compile(c.Pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if err := m.Add(c.Name, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cases {
		if c.Invalid {
			continue
		}
		names, err := m.Match(c.Event)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		ev, err := Flatten(c.Event)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if flat := m.MatchFlat(ev); !slices.Equal(flat, names) {
			t.Errorf("%s: MatchFlat = %v, MatchJSON = %v", c.Name, flat, names)
		}
		if !slices.IsSorted(names) {
			t.Errorf("%s: names not sorted: %v", c.Name, names)
		}
		if got := slices.Contains(names, c.Name); got != *c.Match {
			t.Errorf("%s: in shared matcher match=%v, want %v", c.Name, got, *c.Match)
		}
	}
}
