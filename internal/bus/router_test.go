package bus

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
)

// The seed's two patterns (DESIGN.md) must work verbatim.
const unhealthyPattern = `{"source":["aws.guardduty"],"detail-type":["GuardDuty Runtime Protection Unhealthy"]}`
const findingTypesPattern = `{"source":["aws.guardduty"],"detail":{"type":["Backdoor:Runtime/C&CActivity.B","PrivilegeEscalation:Runtime/DockerSocketAccessed"]}}`

func seedRules() []Rule {
	return []Rule{
		{Name: "unhealthy", Pattern: json.RawMessage(unhealthyPattern), Enabled: true,
			Targets: []Target{emailTarget("", "ops@example.com")}},
		{Name: "findings", Pattern: json.RawMessage(findingTypesPattern), Enabled: true,
			Targets: []Target{emailTarget("", "sec@example.com"), emailTarget("pager", "pager@example.com")}},
		{Name: "findings-disabled", Pattern: json.RawMessage(findingTypesPattern), Enabled: false,
			Targets: []Target{emailTarget("", "nobody@example.com")}},
	}
}

func findingEnv(t *testing.T, typ string) Envelope {
	t.Helper()
	env, err := FindingEvent(finding.Finding{AccountID: "111122223333", Region: "us-east-1", ID: "f1", Type: typ}, "ev-"+typ, t0)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestRouterRoutesToEnabledRuleTargets(t *testing.T) {
	r, err := NewRouter(seedRules())
	if err != nil {
		t.Fatal(err)
	}
	env := findingEnv(t, "PrivilegeEscalation:Runtime/DockerSocketAccessed")
	ds, err := r.Route(env, t0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.Rule+"/"+d.Target.ID)
		if d.EventID != env.ID || !d.NextAt.Equal(t0) || !d.CreatedAt.Equal(t0) {
			t.Errorf("delivery %+v: want event %s due at %s", d, env.ID, t0)
		}
		var back Envelope
		if err := json.Unmarshal(d.Payload, &back); err != nil || back.ID != env.ID || back.DetailType != DetailTypeFinding {
			t.Errorf("payload %s does not carry the envelope: %v", d.Payload, err)
		}
	}
	if strings.Join(got, " ") != "findings/t1 findings/pager" {
		t.Fatalf("deliveries = %v, want [findings/t1 findings/pager]", got)
	}

	other, err := r.Route(findingEnv(t, "Execution:Runtime/NewBinaryExecuted"), t0)
	if err != nil || len(other) != 0 {
		t.Fatalf("non-matching type: %v deliveries, err %v", len(other), err)
	}

	health, err := HealthEvent(false, "111122223333", "us-east-1", map[string]any{"issue": "x"}, "h1", t0)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := r.Route(health, t0)
	if err != nil || len(hs) != 1 || hs[0].Rule != "unhealthy" || hs[0].Target.Email.To[0] != "ops@example.com" {
		t.Fatalf("unhealthy event: %+v, %v", hs, err)
	}
}

func TestRouterReplaceIsAtomicAndKeepsOldOnError(t *testing.T) {
	r, err := NewRouter(seedRules())
	if err != nil {
		t.Fatal(err)
	}
	bad := seedRules()
	bad[0].Pattern = json.RawMessage(`{"source":"not-an-array"}`)
	if err := r.Replace(bad); err == nil || !strings.Contains(err.Error(), "rule unhealthy: pattern: ") {
		t.Fatalf("Replace with a bad pattern: err = %v", err)
	}
	env := findingEnv(t, "PrivilegeEscalation:Runtime/DockerSocketAccessed")
	if ds, _ := r.Route(env, t0); len(ds) != 2 {
		t.Fatalf("after failed Replace: %d deliveries, want the old 2", len(ds))
	}
	// Routing concurrently with Replace always sees a whole rule set.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			ds, err := r.Route(env, t0)
			if err != nil || (len(ds) != 0 && len(ds) != 2) {
				t.Errorf("concurrent Route: %d deliveries, err %v", len(ds), err)
				return
			}
		}
	}()
	for i := range 50 {
		rules := seedRules()
		rules[1].Enabled = i%2 == 0
		if err := r.Replace(rules); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Microsecond)
	}
	close(stop)
	wg.Wait()
}

func TestNewRouterRejectsDuplicateNames(t *testing.T) {
	rules := seedRules()
	rules[1].Name = rules[0].Name
	if _, err := NewRouter(rules); err == nil || !strings.Contains(err.Error(), "duplicate name") {
		t.Fatalf("err = %v, want duplicate name", err)
	}
}

// BenchmarkRouteShaped routes one finding to a rule whose targets use each
// kind of input shaping (InputTransformer, InputPath, Input) plus one
// unshaped target: the per-event cost of Route, shaping included.
func BenchmarkRouteShaped(b *testing.B) {
	paths, tmpl := snsRecipe()
	byPath := emailTarget("path", "b@example.com")
	byPath.InputPath = "$.detail.type"
	constant := emailTarget("const", "c@example.com")
	constant.Input = `{"alert":"guardduty"}`
	rules := []Rule{{Name: "gd", Pattern: json.RawMessage(`{"source":["aws.guardduty"]}`), Enabled: true,
		Targets: []Target{transformTarget(paths, tmpl), byPath, constant, emailTarget("plain", "d@example.com")}}}
	r, err := NewRouter(rules)
	if err != nil {
		b.Fatal(err)
	}
	env := recipeEvent(b)
	b.ReportAllocs()
	for b.Loop() {
		ds, err := r.Route(env, t0)
		if err != nil || len(ds) != 4 {
			b.Fatalf("Route: %d deliveries, %v", len(ds), err)
		}
	}
}
