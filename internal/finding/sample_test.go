package finding

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestSampleEveryType samples all 46 types and checks, on the JSON a user
// would see, the marks of a sample and the type's own fields.
func TestSampleEveryType(t *testing.T) {
	for _, ti := range Types() {
		t.Run(ti.Name, func(t *testing.T) {
			f, err := Sample(ti.Name, testOrigin, now)
			if err != nil {
				t.Fatal(err)
			}
			b, err := JSON(f, false)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("invalid JSON: %v", err)
			}
			checkSampleDoc(t, ti, doc)
		})
	}
}

func checkSampleDoc(t *testing.T, ti TypeInfo, doc map[string]any) {
	t.Helper()
	get := func(path string) any { return dig(doc, path) }
	wantRes := ResourceECSCluster
	if ti.Scope == ScopeHost {
		wantRes = ResourceInstance
	}
	if got := get("resource.resourceType"); got != wantRes {
		t.Errorf("resourceType = %v, want %s", got, wantRes)
	}
	if get("type") != ti.Name || get("severity") != ti.Severity || get("service.count") != 4.0 {
		t.Errorf("type/severity/count = %v/%v/%v", get("type"), get("severity"), get("service.count"))
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(get("service.additionalInfo.value").(string)), &info); err != nil {
		t.Fatalf("additionalInfo.value: %v", err)
	}
	agent, _ := info["agentDetails"].(map[string]any)
	if info["sample"] != true || agent["agentId"] != "GeneratedFindingAgentId" || agent["agentVersion"] != "1" {
		t.Errorf("sample marks missing from additionalInfo: %v", info)
	}
	if get("service.runtimeDetails.process.user") != "ec2-user" || get("service.runtimeDetails.process.userId") != 1000.0 {
		t.Error("sample process is not ec2-user (1000)")
	}
	if l, _ := get("service.runtimeDetails.process.lineage").([]any); len(l) != 2 {
		t.Errorf("lineage has %d entries, want 2", len(l))
	}
	for _, f := range ti.ContextFields {
		if get("service.runtimeDetails.context."+f) == nil {
			t.Errorf("context.%s missing", f)
		}
	}
	if got, _ := get("service.action.actionType").(string); got != ti.Action {
		t.Errorf("actionType = %q, want %q", got, ti.Action)
	}
	if ti.Action == ActionDNSRequest && get("service.action.dnsRequestAction.domain") == "" {
		t.Error("DNS action without domain")
	}
	if ev := get("service.evidence"); (ev != nil) != ti.Evidence() {
		t.Errorf("evidence = %v, want present=%v", ev, ti.Evidence())
	}
	if ti.Scope != ScopeHost && !strings.Contains(get("resource.ecsClusterDetails.taskDetails.arn").(string),
		":123456789000:task/mycluster/043de9ab3") {
		t.Error("sample ECS task ARN")
	}
}

// dig walks a dotted path through decoded JSON objects.
func dig(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestSampleUnknownType(t *testing.T) {
	_, err := Sample("Runtime:ECS/CryptoMiner", testOrigin, now)
	if err == nil || !strings.Contains(err.Error(), `"Runtime:ECS/CryptoMiner"`) ||
		!strings.Contains(err.Error(), "Category:Runtime/Name") {
		t.Fatalf("error = %v, want the bad name and the valid form", err)
	}
}

// TestSampleAggregates documents the decision that sample ids are stable:
// generating samples twice updates one finding per type.
func TestSampleAggregates(t *testing.T) {
	typ := "PrivilegeEscalation:Runtime/DockerSocketAccessed"
	a, _ := Sample(typ, testOrigin, now)
	b, _ := Sample(typ, testOrigin, now.Add(time.Hour))
	if a.ID != b.ID {
		t.Fatalf("sample ids differ: %s %s", a.ID, b.ID)
	}
	m := Merge(a, b)
	if m.Service.Count != 8 || m.CreatedAt != a.CreatedAt || m.UpdatedAt != b.UpdatedAt {
		t.Errorf("merged sample: count %d created %s updated %s", m.Service.Count, m.CreatedAt, m.UpdatedAt)
	}
	other := testOrigin
	other.AccountID = "999988887777"
	if c, _ := Sample(typ, other, now); c.ID == a.ID {
		t.Error("samples of different accounts share an id")
	}
	if a.Service.RuntimeDetails.Context.SocketPath != "/var/run/docker.sock" {
		t.Error("DockerSocketAccessed sample socketPath")
	}
}
