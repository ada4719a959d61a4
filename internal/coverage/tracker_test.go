package coverage

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

func newT() *Tracker {
	return NewTracker(Config{AccountID: "123456789012", DetectorID: "det", UnhealthyAfter: 30 * time.Second})
}

func TestHostAgentLifecycle(t *testing.T) {
	tr := newT()
	a := Agent{ID: "ag1", Kind: "host", InstanceID: "i-0abc", Version: "0.1.0"}
	c, ok := tr.Seen(a, t0, true, "")
	if !ok || c.Prev != "" || c.Transition() || c.Resource.CoverageStatus != Healthy {
		t.Fatalf("first report: %+v ok=%v", c, ok)
	}
	if _, ok := tr.Seen(a, t0.Add(5*time.Second), true, ""); ok {
		t.Fatal("a repeat report with no change must not be a change")
	}
	if got := tr.Sweep(t0.Add(35 * time.Second)); len(got) != 0 {
		t.Fatalf("30 s after the last report is not yet silent: %+v", got)
	}
	got := tr.Sweep(t0.Add(36 * time.Second))
	if len(got) != 1 || !got[0].Transition() || got[0].Resource.CoverageStatus != Unhealthy {
		t.Fatalf("sweep after silence: %+v", got)
	}
	if got[0].Resource.Issue != "No Agent Reporting:Agent disconnected" {
		t.Fatalf("issue %q", got[0].Resource.Issue)
	}
	if again := tr.Sweep(t0.Add(90 * time.Second)); len(again) != 0 {
		t.Fatalf("an UNHEALTHY resource is announced once: %+v", again)
	}
	back, ok := tr.Seen(a, t0.Add(100*time.Second), true, "")
	if !ok || !back.Transition() || back.Prev != Unhealthy || back.Resource.CoverageStatus != Healthy {
		t.Fatalf("agent back: %+v", back)
	}
	d := back.Detail(t0)
	b, _ := json.Marshal(d)
	for _, want := range []string{`"currentStatus":"HEALTHY"`, `"previousStatus":"UNHEALTHY"`, `"resourceType":"EC2"`, `"instanceId":"i-0abc"`, `"schemaVersion":"1.0"`, `"version":"0.1.0"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("detail %s lacks %s", b, want)
		}
	}
}

func TestECSTaskAgent(t *testing.T) {
	tr := newT()
	a := Agent{ID: "ag2", Kind: "ecs-task", ECSClusterARN: "arn:aws:ecs:us-east-1:123456789012:cluster/payments",
		ECSTaskARN: "arn:aws:ecs:us-east-1:123456789012:task/payments/abc", TaskDefinition: "api:42"}
	tr.Seen(a, t0, true, "")
	got := tr.Sweep(t0.Add(time.Minute))
	if len(got) != 1 {
		t.Fatalf("sweep: %+v", got)
	}
	r := got[0].Resource
	if r.ResourceID != a.ECSTaskARN || r.ResourceDetails.ResourceType != "ECS" || r.ResourceDetails.ECSClusterDetails.ClusterName != "payments" {
		t.Fatalf("resource %+v", r)
	}
	want := "Agent not reporting:Agent not reporting for tasks in TaskDefinition - 'api:42'"
	if r.Issue != want || r.ResourceDetails.ECSClusterDetails.FargateDetails.Issues[0] != want {
		t.Fatalf("issue %q, want %q", r.Issue, want)
	}
}

func TestSensorFailureIsUnhealthy(t *testing.T) {
	tr := newT()
	a := Agent{ID: "ag3", Kind: "host", InstanceID: "i-1"}
	tr.Seen(a, t0, true, "")
	c, ok := tr.Seen(a, t0.Add(time.Second), false, "ring buffer: out of memory")
	if !ok || !c.Transition() || c.Resource.Issue != "Agent Not Provisioned:ring buffer: out of memory" {
		t.Fatalf("sensor failure: %+v", c)
	}
}

func TestRestoreGivesGrace(t *testing.T) {
	tr := newT()
	r := newResource(Agent{ID: "ag4", InstanceID: "i-4"}, "123456789012", "det", Healthy, "", t0)
	tr.Restore([]Resource{r}, t0.Add(time.Hour))
	if got := tr.Sweep(t0.Add(time.Hour + 10*time.Second)); len(got) != 0 {
		t.Fatalf("restored resource swept too early: %+v", got)
	}
	if got := tr.Sweep(t0.Add(time.Hour + 31*time.Second)); len(got) != 1 {
		t.Fatalf("restored silent resource not swept: %+v", got)
	}
}

func TestRestoredECSTaskKeepsItsIssue(t *testing.T) {
	tr := newT()
	a := Agent{ID: "ag5", Kind: "ecs-task", ECSClusterARN: "arn:aws:ecs:us-east-1:123456789012:cluster/payments",
		ECSTaskARN: "arn:aws:ecs:us-east-1:123456789012:task/payments/def"}
	c, _ := tr.Seen(a, t0, true, "")
	tr2 := newT()
	tr2.Restore([]Resource{c.Resource}, t0)
	got := tr2.Sweep(t0.Add(time.Minute))
	if len(got) != 1 || got[0].Resource.ResourceDetails.ResourceType != "ECS" ||
		!strings.HasPrefix(got[0].Resource.Issue, "Agent not reporting:") ||
		got[0].Resource.ResourceDetails.ECSClusterDetails.ClusterName != "payments" {
		t.Fatalf("restored ECS task: %+v", got)
	}
}
