package finding

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func crit(key string, c Condition) Criteria {
	return Criteria{Criterion: map[string]Condition{key: c}}
}

func TestNormalizeFilter(t *testing.T) {
	in := Filter{
		Name: "ignore-ci_runners.v2",
		Rank: 3,
		FindingCriteria: Criteria{Criterion: map[string]Condition{
			"region":                          {Eq: []string{"eu-west-1", "us-east-1"}, Equals: []string{"eu-west-1"}},
			"type":                            {Neq: []string{"a", "a"}},
			"severity":                        {Gt: i64(4), GreaterThan: i64(4), Lte: i64(8)},
			"resource.containerDetails.image": {Matches: []string{"ci/*", "ci/*"}, NotMatches: []string{}},
		}},
	}
	inCopy := Filter{Name: in.Name, Rank: in.Rank, FindingCriteria: Criteria{Criterion: map[string]Condition{}}}
	for k, v := range in.FindingCriteria.Criterion {
		inCopy.FindingCriteria.Criterion[k] = v
	}
	got, err := NormalizeFilter(in)
	if err != nil {
		t.Fatal(err)
	}
	want := Filter{
		Name:   "ignore-ci_runners.v2",
		Action: FilterActionNoop,
		Rank:   3,
		FindingCriteria: Criteria{Criterion: map[string]Condition{
			"region":                          {Equals: []string{"eu-west-1", "us-east-1"}},
			"type":                            {NotEquals: []string{"a"}},
			"severity":                        {GreaterThan: i64(4), LessThanOrEqual: i64(8)},
			"resource.containerDetails.image": {Matches: []string{"ci/*"}},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(in, inCopy) {
		t.Error("NormalizeFilter modified its argument")
	}
	again, err := NormalizeFilter(got)
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Errorf("re-normalized: %+v, %v", again, err)
	}
	archive, err := NormalizeFilter(Filter{Name: "abc", Action: "ARCHIVE", Rank: 100,
		FindingCriteria: crit("service.additionalInfo.sample", Condition{Equals: []string{"true"}})})
	if err != nil || archive.Action != FilterActionArchive {
		t.Errorf("ARCHIVE filter: %+v, %v", archive, err)
	}
}

var okCriteria = crit("region", Condition{Equals: []string{"eu-west-1"}})

const sevField = `findingCriteria.criterion["severity"]`

func nValues(n int, prefix string) []string {
	var v []string
	for i := range n {
		v = append(v, prefix+strconv.Itoa(i))
	}
	return v
}

func tooManyCriteria() Criteria {
	c := Criteria{Criterion: map[string]Condition{}}
	for _, n := range AttributeNames()[:51] {
		c.Criterion[n] = Condition{NotEquals: []string{"x"}}
	}
	return c
}

var normalizeErrorCases = []struct {
	name string
	f    Filter
	want string
}{
	{"short name", Filter{Name: "ab", Rank: 1, FindingCriteria: okCriteria}, "name: 2 characters; want 3–64"},
	{"long name", Filter{Name: strings.Repeat("a", 65), Rank: 1, FindingCriteria: okCriteria}, "name: 65 characters"},
	{"name charset", Filter{Name: "my filter", Rank: 1, FindingCriteria: okCriteria}, `name: ' ' at offset 2`},
	{"description", Filter{Name: "abc", Description: strings.Repeat("é", 513), Rank: 1, FindingCriteria: okCriteria}, "description: 513 characters; at most 512"},
	{"action", Filter{Name: "abc", Action: "archive", Rank: 1, FindingCriteria: okCriteria}, `action: "archive"; want NOOP or ARCHIVE`},
	{"rank 0", Filter{Name: "abc", FindingCriteria: okCriteria}, "rank: 0; want 1–100"},
	{"rank 101", Filter{Name: "abc", Rank: 101, FindingCriteria: okCriteria}, "rank: 101; want 1–100"},
	{"no criteria", Filter{Name: "abc", Rank: 1}, "findingCriteria.criterion: want 1–50 attributes, got 0"},
	{"51 criteria", Filter{Name: "abc", Rank: 1, FindingCriteria: tooManyCriteria()}, "want 1–50 attributes, got 51"},
	{"unknown attribute", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("resource.containerDetails.imageName", Condition{Equals: []string{"x"}})},
		`findingCriteria.criterion["resource.containerDetails.imageName"]: unknown attribute; attributes are the finding's JSON paths, e.g. resource.containerDetails.image`},
	{"no operator", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("region", Condition{Equals: []string{}})},
		`findingCriteria.criterion["region"]: no operator`},
	{"51 values", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("region", Condition{NotEquals: nValues(51, "r")})},
		`findingCriteria.criterion["region"].notEquals: 51 values; at most 50`},
	{"deprecated counts", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("region", Condition{Equals: nValues(30, "a"), Eq: nValues(30, "b")})},
		`.equals: 60 values; at most 50`},
	{"severity bucket", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("severity", Condition{Equals: []string{"7", "7.5"}})},
		sevField + `.equals[1]: "7.5" is not a severity bucket`},
	{"severity range", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("severity", Condition{Equals: []string{"11"}})},
		sevField + `.equals[0]: "11" is not a severity bucket`},
	{"bool", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("service.archived", Condition{Equals: []string{"TRUE"}})},
		`findingCriteria.criterion["service.archived"].equals[0]: "TRUE" is not a boolean`},
	{"int", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("service.runtimeDetails.process.pid", Condition{NotEquals: []string{"1", "x"}})},
		`.notEquals[1]: "x" is not an integer`},
	{"timestamp", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("updatedAt", Condition{Equals: []string{"2026-06-01T10:15:03Z"}})},
		`findingCriteria.criterion["updatedAt"].equals[0]: "2026-06-01T10:15:03Z" is not a timestamp; criteria take epoch milliseconds`},
	{"range on string", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("type", Condition{GreaterThan: i64(1)})},
		`findingCriteria.criterion["type"].greaterThan: type is a string attribute; comparisons apply to numbers, severity and timestamps`},
	{"deprecated range on bool", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("service.archived", Condition{Lt: i64(1)})},
		`findingCriteria.criterion["service.archived"].lessThan: service.archived is a boolean attribute`},
	{"conflicting deprecated", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("severity", Condition{Gt: i64(5), GreaterThan: i64(6)})},
		sevField + `.gt: 5 conflicts with greaterThan 6; set only greaterThan (gt is deprecated)`},
	{"pattern on int", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("service.runtimeDetails.process.pid", Condition{Matches: []string{"1*"}})},
		`.matches: service.runtimeDetails.process.pid is an integer attribute; wildcard patterns apply to strings`},
	{"6 patterns", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("type", Condition{NotMatches: nValues(6, "p")})},
		`findingCriteria.criterion["type"].notMatches: 6 patterns; at most 5`},
	{"empty pattern", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("type", Condition{Matches: []string{"a", ""}})},
		`.matches[1]: pattern of 0 characters; want 1–512`},
	{"long pattern", Filter{Name: "abc", Rank: 1, FindingCriteria: crit("type", Condition{Matches: []string{strings.Repeat("*", 513)}})},
		`.matches[0]: pattern of 513 characters`},
}

func TestNormalizeFilterErrors(t *testing.T) {
	for _, tt := range normalizeErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NormalizeFilter(tt.f)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// Every problem is reported, in a stable order, as a *ValidationError.
func TestNormalizeFilterAllProblems(t *testing.T) {
	f := Filter{Name: "é", Action: "DROP", FindingCriteria: Criteria{Criterion: map[string]Condition{
		"type":  {GreaterThan: i64(1)},
		"bogus": {Equals: []string{"1"}},
	}}}
	_, err := NormalizeFilter(f)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T %v", err, err)
	}
	prefixes := []string{"name:", "name:", "action:", "rank:", `findingCriteria.criterion["bogus"]`, `findingCriteria.criterion["type"]`}
	if len(ve.Problems) != len(prefixes) {
		t.Fatalf("problems %q", ve.Problems)
	}
	for i, p := range prefixes {
		if !strings.HasPrefix(ve.Problems[i], p) {
			t.Errorf("problem %d %q, want prefix %q", i, ve.Problems[i], p)
		}
	}
	_, err2 := NormalizeFilter(f)
	if err.Error() != err2.Error() {
		t.Error("messages differ between runs")
	}
}

func TestNormalizeCriteria(t *testing.T) {
	c, err := NormalizeCriteria(crit("severity", Condition{Gte: i64(7)}))
	if err != nil || *c.Criterion["severity"].GreaterThanOrEqual != 7 || c.Criterion["severity"].Gte != nil {
		t.Errorf("%+v, %v", c, err)
	}
	if _, err := NormalizeCriteria(crit("type", Condition{})); err == nil ||
		!strings.HasPrefix(err.Error(), `criterion["type"]: no operator`) {
		t.Errorf("error %v", err)
	}
}

func TestSuppressed(t *testing.T) {
	f := dnsFinding(t)
	match := crit("region", Condition{Equals: []string{"eu-west-1"}})
	miss := crit("region", Condition{Equals: []string{"us-east-1"}})
	tests := []struct {
		name    string
		filters []Filter
		want    string
	}{
		{"none", nil, ""},
		{"lowest rank wins", []Filter{
			{Name: "late", Action: FilterActionArchive, Rank: 9, FindingCriteria: match},
			{Name: "early", Action: FilterActionArchive, Rank: 2, FindingCriteria: match},
			{Name: "earliest-miss", Action: FilterActionArchive, Rank: 1, FindingCriteria: miss},
		}, "early"},
		{"rank tie breaks by name", []Filter{
			{Name: "zeta", Action: FilterActionArchive, Rank: 5, FindingCriteria: match},
			{Name: "alpha", Action: FilterActionArchive, Rank: 5, FindingCriteria: match},
		}, "alpha"},
		{"NOOP filters never suppress", []Filter{
			{Name: "view", Action: FilterActionNoop, Rank: 1, FindingCriteria: match},
			{Name: "default", Rank: 1, FindingCriteria: match},
		}, ""},
		{"no match", []Filter{{Name: "other", Action: FilterActionArchive, Rank: 1, FindingCriteria: miss}}, ""},
		{"empty criteria never suppress", []Filter{{Name: "all", Action: FilterActionArchive, Rank: 1}}, ""},
		{"criteria on lineage and additionalInfo", []Filter{{Name: "ci", Action: FilterActionArchive, Rank: 1,
			FindingCriteria: Criteria{Criterion: map[string]Condition{
				"service.runtimeDetails.process.lineage.name": {Equals: []string{"sh"}},
				"service.additionalInfo.threatListName":       {Equals: []string{"corp-c2"}},
			}}}}, "ci"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Suppressed(tt.filters, f)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Suppressed = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}
