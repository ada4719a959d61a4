package finding

import (
	"strconv"
	"testing"
	"time"
)

func benchSample(b *testing.B) Finding {
	b.Helper()
	f, err := Sample("Backdoor:Runtime/C&CActivity.B", Origin{
		AccountID: "111122223333", Region: "eu-west-1", DetectorID: "4ec6b3f2a1d84f2e9c0b7a5d3e1f2a6b",
	}, sampleTestID, time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// benchCriteria is a realistic suppression rule: a CI cluster's expected
// C&C-like traffic from a known image, when no ancestor is a shell. Every
// criterion matches the sample, so all of them are evaluated.
func benchCriteria() Criteria {
	return Criteria{Criterion: map[string]Condition{
		"type":                            {Equals: []string{"Backdoor:Runtime/C&CActivity.B", "Backdoor:Runtime/C&CActivity.B!DNS"}},
		"severity":                        {GreaterThanOrEqual: i64(5)},
		"resource.ecsClusterDetails.name": {Equals: []string{"mycluster"}},
		"resource.ecsClusterDetails.taskDetails.containers.image": {Matches: []string{"Generated*Image"}},
		"service.runtimeDetails.process.lineage.name":             {NotEquals: []string{"bash", "sh"}},
		"createdAt": {GreaterThan: i64(0)},
	}}
}

func BenchmarkCriteriaMatches(b *testing.B) {
	f := benchSample(b)
	c := benchCriteria()
	if !c.Matches(f) {
		b.Fatal("criteria do not match the sample")
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Matches(f)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "matches/s")
}

// BenchmarkCriteriaMatchesAdditionalInfo adds a service.additionalInfo
// criterion, which decodes the JSON text once per finding.
func BenchmarkCriteriaMatchesAdditionalInfo(b *testing.B) {
	f := benchSample(b)
	c := benchCriteria()
	c.Criterion["service.additionalInfo.sample"] = Condition{Equals: []string{"true"}}
	b.ReportAllocs()
	for b.Loop() {
		c.Matches(f)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "matches/s")
}

// BenchmarkSuppressed evaluates 20 rules, the last of which matches.
func BenchmarkSuppressed(b *testing.B) {
	f := benchSample(b)
	var filters []Filter
	for i := range 19 {
		filters = append(filters, Filter{Name: "r" + strconv.Itoa(i), Action: FilterActionArchive, Rank: i + 1,
			FindingCriteria: crit("resource.ecsClusterDetails.name", Condition{Equals: []string{"other" + strconv.Itoa(i)}})})
	}
	filters = append(filters, Filter{Name: "hit", Action: FilterActionArchive, Rank: 20, FindingCriteria: benchCriteria()})
	b.ReportAllocs()
	for b.Loop() {
		if name, _ := Suppressed(filters, f); name != "hit" {
			b.Fatal(name)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "findings/s")
}
