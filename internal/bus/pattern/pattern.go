package pattern

import "fmt"

// Match reports whether event (a JSON object) matches the pattern. The
// error reports event text that is not a valid JSON object.
func (p *Pattern) Match(event []byte) (bool, error) {
	ev, err := Flatten(event)
	if err != nil {
		return false, fmt.Errorf("match pattern: %w", err)
	}
	return p.MatchFlat(ev), nil
}

// MatchFlat reports whether a flattened event matches the pattern.
func (p *Pattern) MatchFlat(ev *Event) bool {
	sc := p.auto.scratch.Get().(*scratch)
	ok := len(p.auto.match(ev, sc)) > 0
	p.auto.scratch.Put(sc)
	return ok
}
