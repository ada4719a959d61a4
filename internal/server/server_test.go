package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/mailpittest"
	"github.com/vigilsec/vigil/internal/pki"
	"github.com/vigilsec/vigil/internal/polltest"
	"github.com/vigilsec/vigil/internal/uplink"
	"github.com/vigilsec/vigil/internal/wire"
)

type harness struct {
	srv    *Server
	client *api.Client
	mail   *mailpittest.Mailpit
	data   string
	stop   func()
}

func newHarness(t *testing.T, mod func(*config.Config)) *harness {
	t.Helper()
	h := &harness{mail: mailpittest.Start(t), data: t.TempDir()}
	cfg := config.Default()
	cfg.Data, cfg.Listen, cfg.Ingest = h.data, "127.0.0.1:0", "127.0.0.1:0"
	cfg.SMTP.Addr = h.mail.SMTPAddr()
	cfg.Coverage.UnhealthyAfter, cfg.Coverage.SweepInterval = 2*time.Second, 100*time.Millisecond
	if mod != nil {
		mod(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	h.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server Run: %v", err)
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			h.stop()
		}
	})
	h.srv, h.client = srv, api.NewClient(srv.APIAddr(), srv.AdminToken)
	return h
}

// agent connects a real uplink client, as `vigil agent` does.
func (h *harness) agent(t *testing.T, id string) (*uplink.Client, context.CancelFunc) {
	t.Helper()
	tlsCfg, err := pki.ClientTLS(filepath.Join(h.data, "ca.pem"), "localhost")
	if err != nil {
		t.Fatal(err)
	}
	c, err := uplink.New(uplink.Config{Server: h.srv.IngestAddr(), TLS: tlsCfg, Token: h.srv.AgentToken,
		Agent:             wire.AgentInfo{ID: id, Version: "test", Hostname: "host-" + id, InstanceID: "i-" + id, Kind: "host"},
		HeartbeatInterval: 200 * time.Millisecond,
		StatsFunc:         func() uplink.SensorStats { return uplink.SensorStats{Attached: true} },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = c.Run(ctx) }()
	t.Cleanup(cancel)
	return c, cancel
}

func dockerConnect(pid uint32, ctr string) event.Event {
	now := time.Now().UTC()
	return event.Event{Kind: event.KindConnect, Time: now,
		Process: event.Process{PID: pid, NamespacePID: 7, PPID: 1, Name: "curl", ExecutablePath: "/usr/bin/curl",
			UUID: "6f1c2f1e-0000-5000-8000-00000000000" + string(rune('0'+pid%10)), StartTime: now.Add(-time.Second)},
		Container: &event.Container{ID: ctr, Runtime: "docker"},
		Connect:   &event.Connect{Family: "AF_UNIX", SocketPath: "/var/run/docker.sock"}}
}

func putSeedRule(t *testing.T, h *harness) {
	t.Helper()
	_, err := h.client.PutRule(context.Background(), bus.Rule{Name: "seed", Enabled: true,
		Pattern: []byte(`{"source":["aws.guardduty"],"detail":{"type":["Backdoor:Runtime/C&CActivity.B","PrivilegeEscalation:Runtime/DockerSocketAccessed"]}}`),
		Targets: []bus.Target{{Kind: bus.TargetEmail, Email: &bus.EmailTarget{To: []string{"sec@example.com"}}}}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFindingIsStoredAggregatedAndMailed(t *testing.T) {
	h := newHarness(t, nil)
	putSeedRule(t, h)
	up, _ := h.agent(t, "a1")
	ctr := strings.Repeat("ab", 32)
	up.Send(dockerConnect(101, ctr))
	var fs []finding.Finding
	polltest.Until(t, 10*time.Second, "the finding", func() bool {
		var err error
		fs, err = h.client.ListFindings(context.Background(), nil)
		return err == nil && len(fs) == 1
	})
	f := fs[0]
	if f.Type != "PrivilegeEscalation:Runtime/DockerSocketAccessed" || f.Resource.ContainerDetails.ID != ctr ||
		f.Service.RuntimeDetails.Context.SocketPath != "/var/run/docker.sock" || f.Service.Count != 1 {
		t.Fatalf("finding %+v", f)
	}
	// A repeat updates the same finding and is not mailed again.
	up.Send(dockerConnect(102, ctr))
	polltest.Until(t, 10*time.Second, "count 2", func() bool {
		g, err := h.client.GetFinding(context.Background(), f.ID)
		return err == nil && g.Service.Count == 2 && g.CreatedAt == f.CreatedAt
	})
	h.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return len(ms) >= 1 }, 10*time.Second)
	ms, _ := h.mail.Messages(context.Background())
	if len(ms) != 1 || !strings.Contains(ms[0].Subject, "DockerSocketAccessed") || ms[0].To[0].Address != "sec@example.com" {
		t.Fatalf("mail %+v", ms)
	}
}

func TestSilentAgentTurnsUnhealthyAndBack(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.client.PutRule(context.Background(), bus.Rule{Name: "health", Enabled: true,
		Pattern: []byte(`{"source":["aws.guardduty"],"detail-type":[{"prefix":"GuardDuty Runtime Protection"}]}`),
		Targets: []bus.Target{{Kind: bus.TargetEmail, Email: &bus.EmailTarget{To: []string{"ops@example.com"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, stop := h.agent(t, "a2")
	status := func(want string) func() bool {
		return func() bool {
			rs, err := h.client.ListCoverage(context.Background())
			return err == nil && len(rs) == 1 && rs[0].CoverageStatus == want
		}
	}
	polltest.Until(t, 10*time.Second, "HEALTHY", status("HEALTHY"))
	stop()
	polltest.Until(t, 10*time.Second, "UNHEALTHY", status("UNHEALTHY"))
	h.mail.WaitFor(t, func(ms []mailpittest.Summary) bool {
		return len(ms) == 1 && strings.Contains(ms[0].Subject, "UNHEALTHY")
	}, 10*time.Second)
	h.agent(t, "a2")
	polltest.Until(t, 10*time.Second, "HEALTHY again", status("HEALTHY"))
	h.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return len(ms) == 2 }, 10*time.Second)
}

func TestBadRuleIsRefusedAndRulesKept(t *testing.T) {
	h := newHarness(t, nil)
	putSeedRule(t, h)
	_, err := h.client.PutRule(context.Background(), bus.Rule{Name: "bad", Enabled: true,
		Pattern: []byte(`{"detail":{"severity":[{"numeric":[">",5,"<",2]}]}}`),
		Targets: []bus.Target{{Kind: bus.TargetEmail, Email: &bus.EmailTarget{To: []string{"a@example.com"}}}}})
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != api.CodeBadRequest || !strings.Contains(ae.Message, "detail.severity") {
		t.Fatalf("bad pattern: %v", err)
	}
	rs, err := h.client.ListRules(context.Background())
	if err != nil || len(rs) != 1 || rs[0].Name != "seed" {
		t.Fatalf("rules after a refused put: %+v %v", rs, err)
	}
}

func TestSamplesForEveryType(t *testing.T) {
	h := newHarness(t, nil)
	fs, err := h.client.CreateSampleFindings(context.Background(), nil)
	if err != nil || len(fs) != 46 {
		t.Fatalf("samples: %d, %v", len(fs), err)
	}
	again, err := h.client.CreateSampleFindings(context.Background(), []string{"Backdoor:Runtime/C&CActivity.B"})
	var first finding.Finding
	for _, f := range fs {
		if f.Type == "Backdoor:Runtime/C&CActivity.B" {
			first = f
		}
	}
	if err != nil || len(again) != 1 || first.ID == "" || again[0].ID == first.ID {
		t.Fatalf("a second sample request makes a new finding: %+v %v", again, err)
	}
	if !strings.Contains(again[0].Service.AdditionalInfo.Value, `"sample":true`) {
		t.Fatalf("sample mark missing: %s", again[0].Service.AdditionalInfo.Value)
	}
	_, err = h.client.CreateSampleFindings(context.Background(), []string{"Backdoor:Runtime/Nope"})
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Path != "findingTypes[0]" {
		t.Fatalf("unknown type: %v", err)
	}
}

func TestThreatListFindingsAndRestartKeepsState(t *testing.T) {
	list := filepath.Join(t.TempDir(), "c2.txt")
	writeFile(t, list, "203.0.113.9\nevil.example\n")
	var data string
	h := newHarness(t, func(c *config.Config) { c.ThreatLists = []string{list}; data = c.Data })
	up, _ := h.agent(t, "a3")
	now := time.Now().UTC()
	p := event.Process{PID: 300, Name: "sh", ExecutablePath: "/bin/sh", UUID: "6f1c2f1e-0000-5000-8000-000000000300", StartTime: now}
	up.Send(event.Event{Kind: event.KindConnect, Time: now, Process: p,
		Connect: &event.Connect{Family: "AF_INET", Protocol: "TCP", Remote: netip.MustParseAddr("203.0.113.9"), RemotePort: 443, Result: -111}})
	up.Send(event.Event{Kind: event.KindDNS, Time: now, Process: p,
		DNS: &event.DNS{Name: "c2.evil.example", QType: 1, Remote: netip.MustParseAddr("127.0.0.53"), RemotePort: 53, Protocol: "UDP"}})
	polltest.Until(t, 10*time.Second, "two C&C findings", func() bool {
		fs, err := h.client.ListFindings(context.Background(), nil)
		return err == nil && len(fs) == 2
	})
	h.stop()
	h2 := newHarness(t, func(c *config.Config) { c.Data = data; c.ThreatLists = []string{list} })
	fs, err := h2.client.ListFindings(context.Background(), []string{"Backdoor:Runtime/C&CActivity.B!DNS"})
	if err != nil || len(fs) != 1 || fs[0].Service.Action.DNSRequestAction.Domain != "c2.evil.example" {
		t.Fatalf("after restart: %+v %v", fs, err)
	}
}

func TestBadThreatListReloadKeepsTheOldOne(t *testing.T) {
	list := filepath.Join(t.TempDir(), "c2.txt")
	writeFile(t, list, "203.0.113.9\n")
	h := newHarness(t, func(c *config.Config) { c.ThreatLists = []string{list} })
	writeFile(t, list, "203.0.113.9\nnot an entry!\n")
	err := h.srv.ReloadThreatLists()
	if err == nil || !strings.Contains(err.Error(), "c2.txt:2") {
		t.Fatalf("reload error %v, want it to name c2.txt:2", err)
	}
	up, _ := h.agent(t, "a4")
	now := time.Now().UTC()
	up.Send(event.Event{Kind: event.KindConnect, Time: now,
		Process: event.Process{PID: 400, Name: "sh", UUID: "6f1c2f1e-0000-5000-8000-000000000400", StartTime: now},
		Connect: &event.Connect{Family: "AF_INET", Protocol: "TCP", Remote: netip.MustParseAddr("203.0.113.9"), RemotePort: 80}})
	polltest.Until(t, 10*time.Second, "a finding from the list still in force", func() bool {
		fs, err := h.client.ListFindings(context.Background(), []string{"Backdoor:Runtime/C&CActivity.B"})
		return err == nil && len(fs) == 1
	})
	writeFile(t, list, "198.51.100.7\n")
	if err := h.srv.ReloadThreatLists(); err != nil {
		t.Fatal(err)
	}
}

// TestRepeatsArePublishedAtTheFrequency: a new finding is mailed at once,
// its repeats are aggregated and mailed once the publishing frequency
// (FIFTEEN_MINUTES here) has passed since the last publication.
func TestRepeatsArePublishedAtTheFrequency(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Findings.PublishingFrequency = "FIFTEEN_MINUTES" })
	putSeedRule(t, h)
	up, _ := h.agent(t, "a11")
	ctr := strings.Repeat("12", 32)
	up.Send(dockerConnect(1101, ctr))
	h.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return len(ms) == 1 }, 10*time.Second)
	up.Send(dockerConnect(1102, ctr))
	up.Send(dockerConnect(1103, ctr))
	var id string
	polltest.Until(t, 10*time.Second, "count 3", func() bool {
		fs, err := h.client.ListFindings(t.Context(), nil)
		if err == nil && len(fs) == 1 {
			id = fs[0].ID
		}
		return err == nil && len(fs) == 1 && fs[0].Service.Count == 3
	})
	h.srv.publishDue(t.Context(), time.Now().Add(14*time.Minute))
	// publishDue enqueues synchronously: once the outbox is empty again,
	// anything it enqueued has been sent, so mailpit must still hold only
	// the first mail.
	polltest.Until(t, 10*time.Second, "an empty outbox", func() bool {
		n, err := h.srv.store.PendingDeliveries(t.Context())
		return err == nil && n == 0
	})
	if ms, err := h.mail.Messages(t.Context()); err != nil || len(ms) != 1 {
		t.Fatalf("after 14 minutes, %d mails (%v), want still 1: repeats were published before the frequency", len(ms), err)
	}
	h.srv.publishDue(t.Context(), time.Now().Add(16*time.Minute))
	h.srv.publishDue(t.Context(), time.Now().Add(17*time.Minute))
	ms := h.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return len(ms) == 2 }, 10*time.Second)
	full, err := h.mail.Message(t.Context(), ms[0].ID)
	if err != nil || !strings.Contains(full.Text, id) || !strings.Contains(full.Text, `"count": 3`) && !strings.Contains(full.Text, `"count":3`) {
		t.Fatalf("the update mail carries the aggregated finding (count 3): %v\n%s", err, full.Text)
	}
}

// TestSuppressedFindingsAreArchivedAndNotPublished: a new finding that an
// ARCHIVE filter matches is stored archived and never mailed, nor are its
// repeats.
func TestSuppressedFindingsAreArchivedAndNotPublished(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Findings.PublishingFrequency = "FIFTEEN_MINUTES" })
	putSeedRule(t, h)
	_, err := h.client.PutFilter(t.Context(), finding.Filter{Name: "ci-runners", Action: "ARCHIVE",
		FindingCriteria: finding.Criteria{Criterion: map[string]finding.Condition{
			"resource.containerDetails.id": {Equals: []string{strings.Repeat("aa", 32)}},
			"type":                         {Equals: []string{"PrivilegeEscalation:Runtime/DockerSocketAccessed"}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	up, _ := h.agent(t, "a12")
	up.Send(dockerConnect(1201, strings.Repeat("aa", 32))) // suppressed
	up.Send(dockerConnect(1202, strings.Repeat("bb", 32))) // not
	up.Send(dockerConnect(1203, strings.Repeat("aa", 32))) // a repeat of the suppressed one
	polltest.Until(t, 10*time.Second, "two findings, one archived with count 2", func() bool {
		fs, err := h.client.ListFindings(t.Context(), nil)
		if err != nil || len(fs) != 2 {
			return false
		}
		for _, f := range fs {
			if f.Resource.ContainerDetails.ID == strings.Repeat("aa", 32) && (!f.Service.Archived || f.Service.Count != 2) {
				return false
			}
		}
		return true
	})
	h.srv.publishDue(t.Context(), time.Now().Add(time.Hour))
	h.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return len(ms) == 1 }, 10*time.Second)
	ms, _ := h.mail.Messages(t.Context())
	if len(ms) != 1 || !strings.Contains(ms[0].Subject, "bbbbbbbbbbbb") {
		t.Fatalf("only the unsuppressed finding is mailed: %+v", ms)
	}
	if _, err := h.client.PutFilter(t.Context(), finding.Filter{Name: "x", Action: "ARCHIVE",
		FindingCriteria: finding.Criteria{Criterion: map[string]finding.Condition{"nope.field": {Equals: []string{"1"}}}}}); err == nil || !strings.Contains(err.Error(), "nope.field") {
		t.Fatalf("a filter on an unknown attribute: %v", err)
	}
}
