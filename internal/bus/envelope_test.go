package bus

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewEventIDIsUUIDv4(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id, err := NewEventID()
		if err != nil {
			t.Fatal(err)
		}
		if !uuidV4.MatchString(id) {
			t.Fatalf("%q is not a version-4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestFindingEventJSON(t *testing.T) {
	f := finding.Finding{
		SchemaVersion: "2.0", AccountID: "111122223333", Region: "eu-west-1",
		ID: "abc", Type: "PrivilegeEscalation:Runtime/DockerSocketAccessed", Severity: 5,
	}
	now := time.Date(2026, 5, 1, 12, 30, 45, 123e6, time.FixedZone("x", 3600))
	env, err := FindingEvent(f, "cd2d702e-ab31-411b-9344-793ce56b1bc7", now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"version": "0", "id": "cd2d702e-ab31-411b-9344-793ce56b1bc7", "detail-type": "GuardDuty Finding",
		"source": "aws.guardduty", "account": "111122223333", "time": "2026-05-01T11:30:45Z", "region": "eu-west-1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if r, ok := got["resources"].([]any); !ok || len(r) != 0 {
		t.Errorf("resources = %#v, want []", got["resources"])
	}
	detail := got["detail"].(map[string]any)
	if detail["type"] != f.Type || detail["id"] != "abc" {
		t.Errorf("detail = %v", detail)
	}
}

func TestEnvelopeNeverNull(t *testing.T) {
	b, err := json.Marshal(Envelope{ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"resources":[]`) || !strings.Contains(string(b), `"detail":{}`) {
		t.Fatalf("zero envelope = %s; want resources [] and detail {}", b)
	}
}

func TestHealthEvent(t *testing.T) {
	detail := map[string]any{"schemaVersion": "1.0", "currentStatus": "UNHEALTHY", "issue": "Agent not reporting"}
	env, err := HealthEvent(false, "111122223333", "us-east-1", detail, "", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if env.DetailType != DetailTypeUnhealthy || env.Source != SourceGuardDuty || env.Time != "1970-01-01T00:00:00Z" {
		t.Errorf("envelope = %+v", env)
	}
	if !uuidV4.MatchString(env.ID) {
		t.Errorf("empty id not replaced by a UUID: %q", env.ID)
	}
	env, err = HealthEvent(true, "1", "r", detail, "id", time.Unix(0, 0))
	if err != nil || env.DetailType != DetailTypeHealthy {
		t.Errorf("healthy: %v, %q", err, env.DetailType)
	}
	if _, err := HealthEvent(true, "1", "r", []string{"not", "object"}, "id", time.Now()); err == nil {
		t.Error("array detail: want error")
	}
}
