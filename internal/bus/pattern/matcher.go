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

// Match returns the sorted names of the patterns that event matches. It
// is MatchJSON; the name predates it.
func (m *Matcher) Match(event []byte) ([]string, error) {
	return m.MatchJSON(event)
}

// MatchJSON returns the sorted names of the patterns that event (a JSON
// object) matches. It parses the event itself, keeping only the fields at
// paths that some pattern tests, which is much cheaper than Flatten
// followed by MatchFlat when the event is matched once. event must not be
// modified during the call.
func (m *Matcher) MatchJSON(event []byte) ([]string, error) {
	s := m.current()
	sc := s.auto.get()
	defer s.auto.put(sc)
	hits, err := s.auto.matchJSON(event, sc)
	if err != nil {
		return nil, fmt.Errorf("match rules: %w", err)
	}
	return s.namesOf(hits, sc), nil
}

// MatchFlat returns the sorted names of the patterns that ev matches.
func (m *Matcher) MatchFlat(ev *Event) []string {
	s := m.current()
	sc := s.auto.get()
	names := s.namesOf(s.auto.match(ev, sc), sc)
	s.auto.put(sc)
	return names
}

// namesOf sorts the rule ids hits (in place) and returns their names.
func (s *snapshot) namesOf(hits []int32, sc *scratch) []string {
	if len(hits) == 0 {
		return nil
	}
	slices.Sort(hits)
	names := sc.names(len(hits))
	for i, id := range hits {
		names[i] = s.names[id]
	}
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
