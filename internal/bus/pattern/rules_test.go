package pattern

import (
	"fmt"
	"os"
	"slices"
	"testing"
)

// Values of testdata/guardduty-finding.json, used to make a few of the
// generated rules match it.
const (
	gdAccount  = "123456789012"
	gdType     = "Execution:Runtime/NewBinaryExecuted"
	gdID       = "6ac5e1f07d2b4c0f9e8b1a2c3d4e5f60"
	gdCluster  = "payments-prod"
	gdProcess  = "xmr"
	gdTaskDef  = "arn:aws:ecs:us-east-1:123456789012:task-definition/payments-api:42"
	gdRemoteIP = "198.51.100.23"
)

// ruleKinds generate realistic GuardDuty routing rules, one operator mix
// each. Rule i uses kind i%8; rules 0–7 match the fixture, the others
// carry values of other accounts, clusters, processes and networks.
var ruleKinds = []func(i int, hit bool) string{
	func(i int, hit bool) string { // exact
		return fmt.Sprintf(`{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"accountId":[%q],"type":[%q]}}`,
			pick(hit, gdAccount, fakeAccount(i)), gdType)
	},
	func(i int, hit bool) string { // prefix
		return fmt.Sprintf(`{"detail":{"resource":{"ecsClusterDetails":{"taskDetails":{"definitionArn":[{"prefix":%q}]}}}}}`,
			pick(hit, gdTaskDef[:60], fmt.Sprintf("arn:aws:ecs:us-east-1:%s:task-definition/svc-%d", fakeAccount(i), i)))
	},
	func(i int, hit bool) string { // numeric
		return fmt.Sprintf(`{"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",%d,"<",9]}],"resource":{"ecsClusterDetails":{"name":[%q]}}}}`,
			i%8+1, pick(hit, gdCluster, fmt.Sprintf("cluster-%d", i)))
	},
	func(i int, hit bool) string { // anything-but
		return fmt.Sprintf(`{"detail":{"accountId":[%q],"service":{"runtimeDetails":{"process":{"executablePath":[{"anything-but":{"prefix":"/usr/%d"}}]}}}}}`,
			pick(hit, gdAccount, fakeAccount(i)), i)
	},
	func(i int, hit bool) string { // exists
		return fmt.Sprintf(`{"detail":{"service":{"runtimeDetails":{"process":{"name":[%q],"lineage":{"executablePath":[{"exists":true}]}}}},"resource":{"eksClusterDetails":[{"exists":false}]}}}`,
			pick(hit, gdProcess, fmt.Sprintf("proc-%d", i)))
	},
	func(i int, hit bool) string { // cidr
		return fmt.Sprintf(`{"source":["aws.guardduty"],"detail":{"service":{"action":{"networkConnectionAction":{"remoteIpDetails":{"ipAddressV4":[{"cidr":%q}]}}}}}}`,
			pick(hit, "198.51.100.0/24", fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256)))
	},
	func(i int, hit bool) string { // wildcard
		return fmt.Sprintf(`{"detail":{"service":{"runtimeDetails":{"process":{"executablePath":[{"wildcard":%q}]}}}}}`,
			pick(hit, "/tmp/*/xmr", fmt.Sprintf("/opt/app%d/*/bin/*", i)))
	},
	func(i int, hit bool) string { // $or
		return fmt.Sprintf(`{"source":["aws.guardduty"],"$or":[{"detail":{"id":[%q]}},{"detail":{"resource":{"ecsClusterDetails":{"arn":[%q]}}}}]}`,
			pick(hit, gdID, fmt.Sprintf("%032x", i)), fmt.Sprintf("arn:aws:ecs:us-east-1:%s:cluster/c-%d", fakeAccount(i), i))
	},
}

func pick(hit bool, yes, no string) string {
	if hit {
		return yes
	}
	return no
}

func fakeAccount(i int) string { return fmt.Sprintf("%012d", 200000000000+i*7919) }

// genRules returns n compiled rules; the first min(n, 8) match the fixture.
func genRules(tb testing.TB, n int) map[string]*Pattern {
	tb.Helper()
	return genRulesHitting(tb, n, len(ruleKinds))
}

// genRulesHitting returns n compiled rules of which the first hits match
// the fixture (hits <= 8); hits = 0 gives rules that all miss it.
func genRulesHitting(tb testing.TB, n, hits int) map[string]*Pattern {
	tb.Helper()
	out := make(map[string]*Pattern, n)
	for i := 0; i < n; i++ {
		src := ruleKinds[i%len(ruleKinds)](i, i < hits)
		p, err := Compile([]byte(src))
		if err != nil {
			tb.Fatalf("rule %d %s: %v", i, src, err)
		}
		out[fmt.Sprintf("rule-%05d", i)] = p
	}
	return out
}

func loadFixture(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/guardduty-finding.json")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestGeneratedRulesOnFixture pins what the benchmarks measure: with any
// number of rules, exactly the eight "hit" rules match the fixture.
func TestGeneratedRulesOnFixture(t *testing.T) {
	ev, err := Flatten(loadFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{8, 100, 10000} {
		m := NewMatcher()
		for name, p := range genRules(t, n) {
			if err := m.Add(name, p); err != nil {
				t.Fatal(err)
			}
		}
		got := m.MatchFlat(ev)
		if len(got) != 8 || got[0] != "rule-00000" || got[7] != "rule-00007" {
			t.Errorf("%d rules: matched %v, want rule-00000..rule-00007", n, got)
		}
		if byJSON, err := m.MatchJSON(loadFixture(t)); err != nil || !slices.Equal(byJSON, got) {
			t.Errorf("%d rules: MatchJSON = %v, %v; MatchFlat = %v", n, byJSON, err, got)
		}
	}
	m := NewMatcher()
	for name, p := range genRulesHitting(t, 10000, 0) {
		if err := m.Add(name, p); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.MatchFlat(ev); got != nil {
		t.Errorf("missing rules matched %v", got)
	}
}
