package finding

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Filter actions (GuardDuty's FilterAction).
const (
	FilterActionNoop    = "NOOP"
	FilterActionArchive = "ARCHIVE"
)

// Filter limits (spec §6.4).
const (
	MinFilterNameLength  = 3
	MaxFilterNameLength  = 64
	MaxFilterDescription = 512
	MinFilterRank        = 1
	MaxFilterRank        = 100
)

// Filter is GuardDuty's filter (CreateFilter): a saved view of findings,
// and a suppression rule when Action is ARCHIVE.
type Filter struct {
	Name            string   `json:"name"`
	Description     string   `json:"description,omitempty"`
	Action          string   `json:"action"`
	Rank            int      `json:"rank"`
	FindingCriteria Criteria `json:"findingCriteria"`
}

// NormalizeFilter validates f as CreateFilter does and returns it in
// canonical form: Action defaults to NOOP, deprecated operators are folded
// into their current names, values are deduplicated. Every problem found
// is reported (a *ValidationError), each naming its field, e.g.
// findingCriteria.criterion["severity"].greaterThan. f is not modified.
//
// Rank must be given: GuardDuty's "append at the end" default depends on
// the other filters, which the caller knows and this function does not.
func NormalizeFilter(f Filter) (Filter, error) {
	var p problems
	checkFilterName(f.Name, &p)
	if n := utf8.RuneCountInString(f.Description); n > MaxFilterDescription {
		p.addf("description: %d characters; at most %d", n, MaxFilterDescription)
	}
	if f.Action == "" {
		f.Action = FilterActionNoop
	}
	if f.Action != FilterActionNoop && f.Action != FilterActionArchive {
		p.addf("action: %q; want %s or %s", f.Action, FilterActionNoop, FilterActionArchive)
	}
	if f.Rank < MinFilterRank || f.Rank > MaxFilterRank {
		p.addf("rank: %d; want %d–%d (evaluation order)", f.Rank, MinFilterRank, MaxFilterRank)
	}
	f.FindingCriteria = normalizeCriteria(f.FindingCriteria, "findingCriteria.criterion", &p)
	if err := p.err(); err != nil {
		return Filter{}, err
	}
	return f, nil
}

func checkFilterName(name string, p *problems) {
	if n := utf8.RuneCountInString(name); n < MinFilterNameLength || n > MaxFilterNameLength {
		p.addf("name: %d characters; want %d–%d", n, MinFilterNameLength, MaxFilterNameLength)
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return !filterNameRune(r) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		p.addf("name: %q at offset %d; want letters, digits, '.', '_' or '-'", r, i)
	}
}

func filterNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '.' || r == '_' || r == '-'
}

// Suppressed returns the suppression rule that archives f: the first
// ARCHIVE filter, by rank then name, whose criteria match. Ties on rank
// (GuardDuty keeps ranks unique; stored data may not) break by name so the
// answer does not depend on the slice's order. A filter without criteria
// is skipped: only an unvalidated one can be empty, and it must not
// archive everything. NOOP filters are views and never suppress. Callers
// checking many findings against the same filters should build
// [SuppressionRules] once instead.
func Suppressed(filters []Filter, f Finding) (name string, ok bool) {
	return NewSuppressionRules(filters).Suppressed(f)
}

// SuppressionRules are the ARCHIVE filters of a filter list, in the order
// [Suppressed] tries them, selected and sorted once. The zero value
// suppresses nothing.
type SuppressionRules struct {
	rules []Filter
}

// NewSuppressionRules selects and orders the filters that can suppress:
// ARCHIVE filters with criteria, by rank then name.
func NewSuppressionRules(filters []Filter) SuppressionRules {
	var rules []Filter
	for _, f := range filters {
		if f.Action == FilterActionArchive && len(f.FindingCriteria.Criterion) > 0 {
			rules = append(rules, f)
		}
	}
	slices.SortStableFunc(rules, func(a, b Filter) int {
		return cmp.Or(cmp.Compare(a.Rank, b.Rank), strings.Compare(a.Name, b.Name))
	})
	return SuppressionRules{rules: rules}
}

// Suppressed returns the first rule whose criteria match f, as the
// package-level [Suppressed] does.
func (r SuppressionRules) Suppressed(f Finding) (name string, ok bool) {
	if len(r.rules) == 0 {
		return "", false
	}
	// One subject for all filters: additionalInfo is decoded at most once.
	sub := newSubject(&f)
	for i := range r.rules {
		if r.rules[i].FindingCriteria.matches(sub) {
			return r.rules[i].Name, true
		}
	}
	return "", false
}
