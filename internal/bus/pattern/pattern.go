package pattern

import "fmt"

// Match reports whether event (a JSON object) matches the pattern. The
// error reports event text that is not a valid JSON object.
func (p *Pattern) Match(event []byte) (bool, error) {
	a := p.automaton()
	sc := a.get()
	defer a.put(sc)
	hits, err := a.matchJSON(event, sc)
	if err != nil {
		return false, fmt.Errorf("match pattern: %w", err)
	}
	return len(hits) > 0, nil
}

// MatchFlat reports whether a flattened event matches the pattern.
func (p *Pattern) MatchFlat(ev *Event) bool {
	a := p.automaton()
	sc := a.get()
	ok := len(a.match(ev, sc)) > 0
	a.put(sc)
	return ok
}
