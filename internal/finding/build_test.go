package finding

import (
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

var (
	testOrigin = Origin{
		AccountID: "111122223333", Region: "eu-west-1", DetectorID: "4ec6b3f2a1d84f2e9c0b7a5d3e1f2a6b",
		AgentID: "agent-7", AgentVersion: "0.1.0",
		Hostname: "node-1", InstanceID: "i-0abc1234def567890", InstanceType: "m5.large", ImageID: "ami-0123",
	}
	t0  = time.Date(2026, 6, 1, 10, 15, 2, 0, time.UTC)
	now = time.Date(2026, 6, 1, 10, 15, 3, 487_000_000, time.UTC)
)

func testEvent(c *event.Container) *event.Event {
	return &event.Event{
		Kind: event.KindConnect,
		Time: t0,
		Process: event.Process{
			UUID: "a1b2c3d4-0000-4000-8000-000000000001", ParentUUID: "a1b2c3d4-0000-4000-8000-000000000002",
			PID: 4242, NamespacePID: 17, PPID: 4200, Name: "curl", ExecutablePath: "/usr/bin/curl",
			ExecutableSHA256: "5f2b3c1d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c",
			Args:             []string{"curl", "--unix-socket", "/var/run/docker.sock", "http://x/containers/json"},
			Cwd:              "/app", UID: 0, EUID: 0, User: "root",
			StartTime: time.Date(2026, 6, 1, 10, 15, 1, 250_000_000, time.UTC),
		},
		Lineage: []event.Process{{
			UUID: "a1b2c3d4-0000-4000-8000-000000000002", ParentUUID: "a1b2c3d4-0000-4000-8000-000000000003",
			PID: 4200, NamespacePID: 1, Name: "sh", ExecutablePath: "/bin/sh", UID: 0, EUID: 0,
			StartTime: time.Date(2026, 6, 1, 10, 0, 0, 4_000_000, time.UTC),
		}},
		Container: c,
	}
}

func ecsContainer() *event.Container {
	return &event.Container{
		ID: "0f1e2d3c4b5a49788796a5b4c3d2e1f0-2531612879", Runtime: "containerd", Name: "api",
		Image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.8.2",
		ECS: &event.ECSTask{
			ClusterARN: "arn:aws:ecs:eu-west-1:111122223333:cluster/payments-prod",
			TaskARN:    "arn:aws:ecs:eu-west-1:111122223333:task/payments-prod/0f1e2d3c4b5a49788796a5b4c3d2e1f0",
			Family:     "payments-api", Revision: "42", LaunchType: "EC2",
			CreatedAt: time.Date(2026, 6, 1, 9, 0, 0, 123_000_000, time.UTC),
			StartedAt: time.Date(2026, 6, 1, 9, 0, 42, 456_000_000, time.UTC),
			StartedBy: "ecs-svc/1234567890123456789", ServiceName: "payments-api",
		},
	}
}

func dockerSocketObservation() Observation {
	return Observation{
		Type: "PrivilegeEscalation:Runtime/DockerSocketAccessed", Severity: 5, Time: t0,
		Key: "/var/run/docker.sock", Event: testEvent(ecsContainer()),
		Context: &RuntimeContext{SocketPath: "/var/run/docker.sock"},
	}
}

func dnsObservation() Observation {
	ev := testEvent(&event.Container{ID: "c0ffee0123456789c0ffee0123456789c0ffee0123456789c0ffee0123456789",
		Runtime: "containerd", Name: "web", Image: "nginx:1.27", PodName: "web-5d8f7", PodUID: "9b1c-uid",
		PodNamespace: "shop"})
	ev.Kind = event.KindDNS
	ev.DNS = &event.DNS{Name: "c2.guarddutyc2activityb.com", QType: 1, Remote: netip.MustParseAddr("10.0.0.2"), RemotePort: 53, Protocol: "UDP"}
	return Observation{
		Type: "Backdoor:Runtime/C&CActivity.B!DNS", Severity: 8, Time: t0, Key: "c2.guarddutyc2activityb.com", Event: ev,
		Action: &Action{ActionType: ActionDNSRequest, DNSRequestAction: &DNSRequestAction{
			Domain: "c2.guarddutyc2activityb.com", DomainWithSuffix: "guarddutyc2activityb.com", Protocol: "UDP"}},
		Evidence: &Evidence{ThreatIntelligenceDetails: []ThreatIntelligenceDetail{{
			ThreatListName: "corp-c2", ThreatNames: []string{}}}},
		AdditionalInfo: map[string]any{"threatListName": "corp-c2"},
	}
}

func TestBuildGolden(t *testing.T) {
	origin := testOrigin
	origin.EKSClusterName = "shop-prod"
	cases := map[string]Observation{
		"docker_socket_accessed.json": dockerSocketObservation(),
		"cc_activity_b_dns.json":      dnsObservation(),
	}
	for name, obs := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := JSON(Build(obs, origin, now), true)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", name), got)
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("%s differs from output (run with -update after checking):\n%s", path, got)
	}
}

func TestBuildFields(t *testing.T) {
	f := Build(dockerSocketObservation(), testOrigin, now)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(f.ID) {
		t.Errorf("id %q is not 32 lower-case hex", f.ID)
	}
	wantARN := "arn:aws:guardduty:eu-west-1:111122223333:detector/4ec6b3f2a1d84f2e9c0b7a5d3e1f2a6b/finding/" + f.ID
	checks := []struct{ name, got, want string }{
		{"arn", f.ARN, wantARN},
		{"schemaVersion", f.SchemaVersion, "2.0"},
		{"partition", f.Partition, "aws"},
		{"featureName", f.Service.FeatureName, "RuntimeMonitoring"},
		{"serviceName", f.Service.ServiceName, "guardduty"},
		{"resourceRole", f.Service.ResourceRole, "TARGET"},
		{"createdAt", f.CreatedAt, "2026-06-01T10:15:03.487Z"},
		{"updatedAt", f.UpdatedAt, "2026-06-01T10:15:03.487Z"},
		{"eventFirstSeen", f.Service.EventFirstSeen, "2026-06-01T10:15:02.000Z"},
		{"eventLastSeen", f.Service.EventLastSeen, "2026-06-01T10:15:02.000Z"},
		{"resourceType", f.Resource.ResourceType, ResourceECSCluster},
		{"title", f.Title, "Docker socket accessed from a container in ECS task 0f1e2d3c4b5a49788796a5b4c3d2e1f0."},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if f.Service.Count != 1 {
		t.Errorf("count = %d, want 1", f.Service.Count)
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(f.Service.AdditionalInfo.Value), &info); err != nil {
		t.Fatalf("additionalInfo.value is not JSON: %v", err)
	}
	agent, _ := info["agentDetails"].(map[string]any)
	if agent["agentId"] != "agent-7" || agent["agentVersion"] != "0.1.0" {
		t.Errorf("agentDetails = %v", info["agentDetails"])
	}
}

func TestBuildDefaultsFromTypeTable(t *testing.T) {
	// C&CActivity.B!DNS is High in the type table, unlike the generic
	// Medium fallback of severityOf, so ignoring the table fails here.
	dns := dnsObservation()
	dns.Severity = 0
	if info, _ := Lookup(dns.Type); info.Severity != SeverityHigh {
		t.Fatalf("type table severity of %s = %v, want High", dns.Type, info.Severity)
	}
	if f := Build(dns, testOrigin, now); f.Severity != SeverityHigh {
		t.Errorf("severity = %v, want type default 8", f.Severity)
	}
	obs := dockerSocketObservation()
	obs.Severity = 0
	f := Build(obs, testOrigin, now)
	if f.Severity != SeverityMedium {
		t.Errorf("severity = %v, want type default 5", f.Severity)
	}
	obs.Title, obs.Description = "custom title", "custom {key}"
	f = Build(obs, testOrigin, now)
	if f.Title != "custom title" || f.Description != "custom /var/run/docker.sock" {
		t.Errorf("title/description = %q / %q", f.Title, f.Description)
	}
}

func TestID(t *testing.T) {
	base := ID("1", "r", "T", "res", "k")
	if base != ID("1", "r", "T", "res", "k") {
		t.Fatal("ID is not deterministic")
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(base) {
		t.Fatalf("ID %q is not 32 lower-case hex", base)
	}
	others := [][5]string{
		{"2", "r", "T", "res", "k"}, {"1", "s", "T", "res", "k"}, {"1", "r", "U", "res", "k"},
		{"1", "r", "T", "other", "k"}, {"1", "r", "T", "res", "k2"},
		{"1", "r", "T", "resk", ""}, // concatenation must not collide
	}
	for _, o := range others {
		if ID(o[0], o[1], o[2], o[3], o[4]) == base {
			t.Errorf("ID%v equals ID of the base tuple", o)
		}
	}
}

func TestBuildSameIssueSameID(t *testing.T) {
	a := Build(dockerSocketObservation(), testOrigin, now)
	later := dockerSocketObservation()
	later.Time = t0.Add(time.Hour)
	later.Event.Process.PID = 9999 // a different process: same issue
	b := Build(later, testOrigin, now.Add(time.Hour))
	if a.ID != b.ID {
		t.Errorf("same type/resource/key built different ids %s, %s", a.ID, b.ID)
	}
	other := dockerSocketObservation()
	other.Event.Container.ECS.TaskARN += "x" // another task
	if c := Build(other, testOrigin, now); c.ID == a.ID {
		t.Error("a different task must make a different finding")
	}
}

func TestMerge(t *testing.T) {
	prev := Build(dockerSocketObservation(), testOrigin, now)
	prev.Service.Archived = true
	prev.Service.UserFeedback = "USEFUL"
	prev.Service.Count = 4

	nextObs := dockerSocketObservation()
	nextObs.Time = t0.Add(30 * time.Minute)
	nextObs.Event.Process.Name = "docker"
	next := Build(nextObs, testOrigin, now.Add(30*time.Minute))
	next.Service.Count = 4

	m := Merge(prev, next)
	if m.Service.Count != 8 {
		t.Errorf("count = %d, want 8 (4+4)", m.Service.Count)
	}
	if m.CreatedAt != prev.CreatedAt || m.Service.EventFirstSeen != prev.Service.EventFirstSeen {
		t.Errorf("createdAt/eventFirstSeen moved: %s %s", m.CreatedAt, m.Service.EventFirstSeen)
	}
	if m.UpdatedAt != next.UpdatedAt || m.Service.EventLastSeen != "2026-06-01T10:45:02.000Z" {
		t.Errorf("updatedAt/eventLastSeen not advanced: %s %s", m.UpdatedAt, m.Service.EventLastSeen)
	}
	if m.Service.RuntimeDetails.Process.Name != "docker" {
		t.Error("details not replaced by the latest occurrence")
	}
	if !m.Service.Archived || m.Service.UserFeedback != "USEFUL" {
		t.Error("user state (archived, feedback) lost")
	}

	// An occurrence that arrives late must not move time backwards.
	late := Build(dockerSocketObservation(), testOrigin, now)
	late.Service.EventFirstSeen = "2026-06-01T09:00:00.000Z"
	late.Service.EventLastSeen = "2026-06-01T09:00:00.000Z"
	late.Service.Count = 0
	m2 := Merge(m, late)
	if m2.Service.EventLastSeen != m.Service.EventLastSeen || m2.UpdatedAt != m.UpdatedAt {
		t.Errorf("late occurrence moved lastSeen/updatedAt back: %s %s", m2.Service.EventLastSeen, m2.UpdatedAt)
	}
	if m2.Service.EventFirstSeen != "2026-06-01T09:00:00.000Z" {
		t.Errorf("eventFirstSeen = %s, want the earlier occurrence", m2.Service.EventFirstSeen)
	}
	if m2.Service.Count != 9 {
		t.Errorf("count 0 must count as one occurrence: got %d", m2.Service.Count)
	}
}
