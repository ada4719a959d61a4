package finding

import (
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"
)

func i64(n int64) *int64 { return &n }

// mustMS is an RFC 3339 time in epoch milliseconds, as a criterion bound.
func mustMS(s string) int64 {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return tm.UnixMilli()
}

// dnsFinding is an EKS C&C finding with a one-ancestor lineage and
// additionalInfo naming the threat list (testdata/cc_activity_b_dns.json).
func dnsFinding(t testing.TB) Finding {
	t.Helper()
	b, err := os.ReadFile("testdata/cc_activity_b_dns.json")
	if err != nil {
		t.Fatal(err)
	}
	var f Finding
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// matchCase is one criterion set evaluated against dnsFinding.
type matchCase struct {
	name string
	crit map[string]Condition
	want bool
}

const (
	critImage   = "resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image"
	critLineage = "service.runtimeDetails.process.lineage."
	critProc    = "service.runtimeDetails.process."
	procStartMS = int64(1780308901250) // process.startTime 1780308901.25 s
)

var createdMS = mustMS("2026-06-01T10:15:03.487Z")

var matchCases = []matchCase{
	{"no criteria match everything", nil, true},
	{"equals", map[string]Condition{"type": {Equals: []string{"Backdoor:Runtime/C&CActivity.B!DNS"}}}, true},
	{"equals miss", map[string]Condition{"type": {Equals: []string{"Backdoor:Runtime/C&CActivity.B"}}}, false},
	{"equals values ORed", map[string]Condition{"region": {Equals: []string{"us-east-1", "eu-west-1"}}}, true},
	{"equals case-sensitive", map[string]Condition{"region": {Equals: []string{"EU-WEST-1"}}}, false},
	{"notEquals", map[string]Condition{"region": {NotEquals: []string{"us-east-1"}}}, true},
	{"notEquals miss", map[string]Condition{"region": {NotEquals: []string{"us-east-1", "eu-west-1"}}}, false},
	{"equals and notEquals ANDed", map[string]Condition{"region": {Equals: []string{"eu-west-1"}, NotEquals: []string{"eu-west-1"}}}, false},
	{"attributes ANDed", map[string]Condition{
		"region":                          {Equals: []string{"eu-west-1"}},
		"resource.resourceType":           {Equals: []string{"EKSCluster"}},
		"service.featureName":             {Equals: []string{"RuntimeMonitoring"}},
		"resource.eksClusterDetails.name": {Equals: []string{"shop-prod"}},
	}, true},
	{"attributes ANDed one fails", map[string]Condition{
		"region":                {Equals: []string{"eu-west-1"}},
		"resource.resourceType": {Equals: []string{"ECSCluster"}},
	}, false},
	{"matches star", map[string]Condition{critImage: {Matches: []string{"nginx:*"}}}, true},
	{"matches question", map[string]Condition{critImage: {Matches: []string{"nginx:1.2?"}}}, true},
	{"matches anchored", map[string]Condition{critImage: {Matches: []string{"nginx"}}}, false},
	{"matches ORed", map[string]Condition{critImage: {Matches: []string{"redis*", "*:1.27"}}}, true},
	{"notMatches", map[string]Condition{critImage: {NotMatches: []string{"redis*"}}}, true},
	{"notMatches miss", map[string]Condition{critImage: {NotMatches: []string{"redis*", "nginx*"}}}, false},
	{"domain matches", map[string]Condition{"service.action.dnsRequestAction.domain": {Matches: []string{"*.guarddutyc2activityb.com"}}}, true},

	// Absent attributes: an EKS finding has no ECS details or context.
	{"absent equals", map[string]Condition{"resource.ecsClusterDetails.name": {Equals: []string{"x"}}}, false},
	{"absent notEquals", map[string]Condition{"resource.ecsClusterDetails.name": {NotEquals: []string{"x"}}}, true},
	{"absent matches star", map[string]Condition{"service.runtimeDetails.context.filePath": {Matches: []string{"*"}}}, false},
	{"absent notMatches", map[string]Condition{"service.runtimeDetails.context.filePath": {NotMatches: []string{"*"}}}, true},
	{"absent range", map[string]Condition{"service.runtimeDetails.context.modifiedAt": {GreaterThan: i64(0)}}, false},
	{"omitted member is absent", map[string]Condition{"service.userFeedback": {Equals: []string{""}}}, false},
	{"empty array", map[string]Condition{"service.evidence.threatIntelligenceDetails.threatNames": {Matches: []string{"*"}}}, false},

	// Arrays: any element.
	{"lineage equals", map[string]Condition{critLineage + "name": {Equals: []string{"sh"}}}, true},
	{"lineage notEquals is none", map[string]Condition{critLineage + "name": {NotEquals: []string{"sh"}}}, false},
	{"lineage matches", map[string]Condition{critLineage + "executablePath": {Matches: []string{"/bin/*"}}}, true},
	{"lineage pid", map[string]Condition{critLineage + "pid": {Equals: []string{"4200"}}}, true},
	{"lineage startTime range on one element", map[string]Condition{critLineage + "startTime": {
		GreaterThan: i64(1780308000000), LessThan: i64(1780308000010)}}, true},
	{"lineage startTime empty range", map[string]Condition{critLineage + "startTime": {
		GreaterThan: i64(1780308000004), LessThan: i64(1780308000010)}}, false},

	// Numbers and booleans.
	{"int equals", map[string]Condition{critProc + "pid": {Equals: []string{"4242"}}}, true},
	{"int range", map[string]Condition{critProc + "pid": {GreaterThan: i64(4000), LessThanOrEqual: i64(4242)}}, true},
	{"int range miss", map[string]Condition{critProc + "pid": {LessThan: i64(4242)}}, false},
	{"int zero is a value", map[string]Condition{critProc + "userId": {Equals: []string{"0"}}}, true},
	{"bool", map[string]Condition{"service.archived": {Equals: []string{"false"}}}, true},
	{"bool miss", map[string]Condition{"service.archived": {Equals: []string{"true"}}}, false},

	// Timestamps in epoch milliseconds.
	{"createdAt equals", map[string]Condition{"createdAt": {Equals: []string{strconv.FormatInt(createdMS, 10)}}}, true},
	{"createdAt gt", map[string]Condition{"createdAt": {GreaterThan: i64(createdMS - 1)}}, true},
	{"createdAt gt boundary", map[string]Condition{"createdAt": {GreaterThan: i64(createdMS)}}, false},
	{"createdAt gte boundary", map[string]Condition{"createdAt": {GreaterThanOrEqual: i64(createdMS)}}, true},
	{"updatedAt lt", map[string]Condition{"updatedAt": {LessThan: i64(createdMS + 1)}}, true},
	{"eventFirstSeen lte", map[string]Condition{"service.eventFirstSeen": {LessThanOrEqual: i64(mustMS("2026-06-01T10:15:01Z"))}}, false},
	{"epoch startTime", map[string]Condition{critProc + "startTime": {GreaterThanOrEqual: i64(procStartMS), LessThanOrEqual: i64(procStartMS)}}, true},

	// Severity 8: buckets.
	{"severity bucket", map[string]Condition{"severity": {Equals: []string{"7", "8"}}}, true},
	{"severity other bucket", map[string]Condition{"severity": {Equals: []string{"7"}}}, false},
	{"severity gte", map[string]Condition{"severity": {GreaterThanOrEqual: i64(7)}}, true},
	{"severity gt", map[string]Condition{"severity": {GreaterThan: i64(8)}}, false},

	// additionalInfo by full path.
	{"additionalInfo string", map[string]Condition{"service.additionalInfo.threatListName": {Equals: []string{"corp-c2"}}}, true},
	{"additionalInfo nested", map[string]Condition{"service.additionalInfo.agentDetails.agentId": {Matches: []string{"agent-*"}}}, true},
	{"additionalInfo absent key", map[string]Condition{"service.additionalInfo.sample": {Equals: []string{"true"}}}, false},
	{"additionalInfo absent notEquals", map[string]Condition{"service.additionalInfo.sample": {NotEquals: []string{"true"}}}, true},
	{"additionalInfo object is no value", map[string]Condition{"service.additionalInfo.agentDetails": {Matches: []string{"*"}}}, false},

	// Unnormalized criteria.
	{"deprecated eq", map[string]Condition{"region": {Eq: []string{"eu-west-1"}}}, true},
	{"deprecated neq", map[string]Condition{"region": {Neq: []string{"eu-west-1"}}}, false},
	{"deprecated gt", map[string]Condition{"severity": {Gt: i64(7)}}, true},
	{"deprecated lte", map[string]Condition{"severity": {Lte: i64(7)}}, false},
	{"pattern on a number fails closed", map[string]Condition{critProc + "pid": {NotMatches: []string{"9*"}}}, false},
	{"unknown attribute never matches", map[string]Condition{"resource.nope": {NotEquals: []string{"x"}}}, false},
}

func TestCriteriaMatches(t *testing.T) {
	f := dnsFinding(t)
	for _, tt := range matchCases {
		t.Run(tt.name, func(t *testing.T) {
			c := Criteria{Criterion: tt.crit}
			if got := c.Matches(f); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

// Severity compares by integer bucket for every operator, so a filter
// written with GuardDuty's buckets treats 8.9 as 8.
func TestCriteriaMatchesSeverityBuckets(t *testing.T) {
	tests := []struct {
		sev  float64
		cond Condition
		want bool
	}{
		{8.9, Condition{Equals: []string{"8"}}, true},
		{8.9, Condition{Equals: []string{"9"}}, false},
		{7.0, Condition{Equals: []string{"7", "8"}}, true},
		{6.9, Condition{Equals: []string{"7", "8"}}, false},
		{9.0, Condition{Equals: []string{"9", "10"}}, true},
		{10, Condition{Equals: []string{"9", "10"}}, true},
		{8.9, Condition{LessThanOrEqual: i64(8)}, true},
		{7.5, Condition{GreaterThan: i64(7)}, false},
		{8.0, Condition{GreaterThan: i64(7)}, true},
		{6.9, Condition{LessThan: i64(7)}, true},
		{7.5, Condition{NotEquals: []string{"7"}}, false},
	}
	for _, tt := range tests {
		f := Finding{Severity: tt.sev}
		c := Criteria{Criterion: map[string]Condition{"severity": tt.cond}}
		if got := c.Matches(f); got != tt.want {
			t.Errorf("severity %v %+v: got %v, want %v", tt.sev, tt.cond, got, tt.want)
		}
	}
}

// Matches works on samples too: every placeholder is filterable, and
// additionalInfo's "sample": true (a JSON boolean) equals "true".
func TestCriteriaMatchesSample(t *testing.T) {
	f, err := Sample("Backdoor:Runtime/C&CActivity.B", Origin{AccountID: "111122223333", Region: "eu-west-1"},
		sampleTestID, time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	c := Criteria{Criterion: map[string]Condition{
		"service.additionalInfo.sample":                                      {Equals: []string{"true"}},
		"resource.ecsClusterDetails.taskDetails.containers.image":            {Equals: []string{"GeneratedFindingContainerImage"}},
		"service.action.networkConnectionAction.remoteIpDetails.ipAddressV4": {Matches: []string{"198.51.100.*"}},
		"service.action.networkConnectionAction.remotePortDetails.port":      {Equals: []string{"443"}},
		"service.evidence.threatIntelligenceDetails.threatListName":          {Equals: []string{"GeneratedFindingThreatListName"}},
		"service.runtimeDetails.process.lineage.name":                        {Equals: []string{"GeneratedFindingGrandParentProcessName"}},
	}}
	if !c.Matches(f) {
		t.Fatal("sample does not match its own values")
	}
}

// Matches must not modify the finding it is given (it takes a copy, but
// slices share their backing arrays).
func TestCriteriaMatchesPure(t *testing.T) {
	f := dnsFinding(t)
	before, _ := JSON(f, false)
	c := Criteria{Criterion: map[string]Condition{
		"service.runtimeDetails.process.lineage.name": {Equals: []string{"sh"}},
		"service.additionalInfo.threatListName":       {Equals: []string{"corp-c2"}},
	}}
	c.Matches(f)
	after, _ := JSON(f, false)
	if string(before) != string(after) {
		t.Fatal("finding changed")
	}
}
