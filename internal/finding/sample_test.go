package finding

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSampleEveryType samples all 46 types and checks, on the JSON a user
// would see, the marks of a sample and the type's own fields.
func TestSampleEveryType(t *testing.T) {
	for _, ti := range Types() {
		t.Run(ti.Name, func(t *testing.T) {
			f, err := Sample(ti.Name, testOrigin, sampleTestID, now)
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
	_, err := Sample("Runtime:ECS/CryptoMiner", testOrigin, sampleTestID, now)
	if err == nil || !strings.Contains(err.Error(), `"Runtime:ECS/CryptoMiner"`) ||
		!strings.Contains(err.Error(), "Category:Runtime/Name") {
		t.Fatalf("error = %v, want the bad name and the valid form", err)
	}
}

const sampleTestID = "0123456789abcdef0123456789abcdef"

// TestSampleID: a sample takes the id its caller mints (the server mints a
// new one per request, so samples never aggregate), and its ARN names it
// in the caller's account, region and detector.
func TestSampleID(t *testing.T) {
	typ := "PrivilegeEscalation:Runtime/DockerSocketAccessed"
	a, err := Sample(typ, testOrigin, sampleTestID, now)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != sampleTestID || a.ARN != testOrigin.FindingARN(sampleTestID) {
		t.Errorf("id/arn = %s / %s, want %s / %s", a.ID, a.ARN, sampleTestID, testOrigin.FindingARN(sampleTestID))
	}
	const otherID = "fedcba9876543210fedcba9876543210"
	if b, _ := Sample(typ, testOrigin, otherID, now); b.ID != otherID || b.ARN == a.ARN {
		t.Errorf("a second sample with id %s: id/arn = %s / %s", otherID, b.ID, b.ARN)
	}
	if a.Service.RuntimeDetails.Context.SocketPath != "/var/run/docker.sock" {
		t.Error("DockerSocketAccessed sample socketPath")
	}
}
