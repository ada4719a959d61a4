package pattern

import (
	"slices"
	"strings"
)

// describe renders the compiled branches in a canonical text form, for
// tests that compare compilations.
func describe(p *Pattern) string {
	var bs []string
	for _, br := range p.branches {
		var steps []string
		for _, st := range br {
			steps = append(steps, strings.ReplaceAll(st.key, pathSep, "/"))
		}
		bs = append(bs, strings.Join(steps, " & "))
	}
	slices.Sort(bs)
	return strings.Join(bs, "\n")
}
