package finding

import (
	"fmt"
	"strings"
)

// ValidationError lists every problem found in a filter or criteria, each
// starting with the field it concerns, so an API can return them all at
// once instead of one per round trip.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string { return strings.Join(e.Problems, "; ") }

// maxProblems caps the list: a fuzzed or generated filter with thousands
// of bad values should get a readable message, not all of them.
const maxProblems = 20

// problems collects validation messages in the order they are found.
type problems struct {
	list    []string
	dropped int
}

func (p *problems) addf(format string, args ...any) {
	if len(p.list) >= maxProblems {
		p.dropped++
		return
	}
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	list := p.list
	if p.dropped > 0 {
		list = append(list, fmt.Sprintf("and %d more problems", p.dropped))
	}
	return &ValidationError{Problems: list}
}
