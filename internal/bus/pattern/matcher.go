package pattern

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// Matcher matches events against many named patterns at once. All
// patterns are merged into one automaton (a snapshot). Add and Remove only
// mark the snapshot stale; the next match rebuilds it once, so loading many
// rules costs one build, and matches never wait for a lock unless a
// rebuild is due. Safe for concurrent use.
type Matcher struct {
	mu       sync.Mutex
	patterns map[string]*Pattern // guarded by mu
	stale    atomic.Bool
	snap     atomic.Pointer[snapshot]
}

// snapshot is an immutable merged automaton; rule ids index names, which
// are sorted so that sorting ids sorts names.
type snapshot struct {
	auto  *automaton
	names []string
}

// NewMatcher returns an empty Matcher.
func NewMatcher() *Matcher {
	m := &Matcher{patterns: map[string]*Pattern{}}
	m.snap.Store(buildSnapshot(nil))
	return m
}

// Add adds pattern p under name, replacing a pattern of the same name.
func (m *Matcher) Add(name string, p *Pattern) error {
	if p == nil {
		return fmt.Errorf("add pattern %q: %w", name, errors.New("nil pattern"))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.patterns[name] = p
	m.stale.Store(true)
	return nil
}

// Remove removes the pattern called name, if any.
func (m *Matcher) Remove(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.patterns[name]; ok {
		delete(m.patterns, name)
		m.stale.Store(true)
	}
}

// Match returns the sorted names of the patterns that event matches.
func (m *Matcher) Match(event []byte) ([]string, error) {
	ev, err := Flatten(event)
	if err != nil {
		return nil, fmt.Errorf("match rules: %w", err)
	}
	return m.MatchFlat(ev), nil
}

// MatchFlat returns the sorted names of the patterns that ev matches.
func (m *Matcher) MatchFlat(ev *Event) []string {
	s := m.current()
	sc := s.auto.scratch.Get().(*scratch)
	hits := s.auto.match(ev, sc)
	var names []string
	if len(hits) > 0 {
		slices.Sort(hits)
		names = make([]string, len(hits))
		for i, id := range hits {
			names[i] = s.names[id]
		}
	}
	s.auto.scratch.Put(sc)
	return names
}

// current returns an up-to-date snapshot, rebuilding it after changes.
func (m *Matcher) current() *snapshot {
	if m.stale.Load() {
		m.mu.Lock()
		if m.stale.Load() {
			m.snap.Store(buildSnapshot(m.patterns))
			m.stale.Store(false)
		}
		m.mu.Unlock()
	}
	return m.snap.Load()
}

// buildSnapshot merges the branches of all patterns into one automaton.
func buildSnapshot(patterns map[string]*Pattern) *snapshot {
	names := make([]string, 0, len(patterns))
	for name := range patterns {
		names = append(names, name)
	}
	slices.Sort(names)
	b := newBuilder()
	for id, name := range names {
		b.addRule(int32(id), patterns[name].branches)
	}
	return &snapshot{auto: b.freeze(len(names)), names: names}
}
