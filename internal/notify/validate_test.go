package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/bus"
)

// The bus validates targets when a rule is stored (internal/bus/rules.go);
// these cases live here, next to the senders whose assumptions they guard.

func ruleWith(t bus.Target) bus.Rule {
	return bus.Rule{
		Name: "r", Enabled: true, Targets: []bus.Target{t},
		Pattern: json.RawMessage(`{"source":["aws.guardduty"]}`),
	}
}

func TestValidateTargetKinds(t *testing.T) {
	webhook := func(w bus.WebhookTarget) bus.Target { return bus.Target{Kind: bus.TargetWebhook, Webhook: &w} }
	slack := func(u string) bus.Target { return bus.Target{Kind: bus.TargetSlack, Slack: &bus.SlackTarget{URL: u}} }
	file := func(p string) bus.Target { return bus.Target{Kind: bus.TargetFile, File: &bus.FileTarget{Path: p}} }
	manyHeaders := map[string]string{}
	for i := range 21 {
		manyHeaders[fmt.Sprintf("X-H%d", i)] = "v"
	}
	cases := []struct {
		name    string
		target  bus.Target
		wantErr string
	}{
		{"webhook ok", webhook(bus.WebhookTarget{URL: "https://h.example/x", Secret: "s",
			Headers: map[string]string{"Authorization": "Bearer t", "X-Team": "sec\tops"}}), ""},
		{"webhook http ok", webhook(bus.WebhookTarget{URL: "http://10.0.0.5:8080/hook"}), ""},
		{"webhook member missing", bus.Target{Kind: bus.TargetWebhook}, "needs a webhook member"},
		{"webhook no url", webhook(bus.WebhookTarget{}), "webhook.url: is required"},
		{"webhook relative url", webhook(bus.WebhookTarget{URL: "/hook"}), "webhook.url: "},
		{"webhook ftp", webhook(bus.WebhookTarget{URL: "ftp://h.example/"}), "webhook.url: "},
		{"webhook no host", webhook(bus.WebhookTarget{URL: "https:///x"}), "webhook.url: "},
		{"webhook user info", webhook(bus.WebhookTarget{URL: "https://u:p@h.example/"}), "webhook.url: "},
		{"webhook secret too long", webhook(bus.WebhookTarget{URL: "https://h.example/", Secret: strings.Repeat("s", 257)}), "webhook.secret: "},
		{"webhook too many headers", webhook(bus.WebhookTarget{URL: "https://h.example/", Headers: manyHeaders}), "webhook.headers: 21 headers"},
		{"webhook bad header name", webhook(bus.WebhookTarget{URL: "https://h.example/", Headers: map[string]string{"X Y": "v"}}), `webhook.headers["X Y"]`},
		{"webhook header CRLF", webhook(bus.WebhookTarget{URL: "https://h.example/", Headers: map[string]string{"X-Y": "a\r\nb"}}), "control characters"},
		{"webhook header same name twice", webhook(bus.WebhookTarget{URL: "https://h.example/", Headers: map[string]string{"x-a": "1", "X-A": "2"}}), "case-insensitive"},
		{"slack ok", slack("https://hooks.slack.com/services/T0/B0/x"), ""},
		{"slack local http ok", slack("http://127.0.0.1:8080/x"), ""},
		{"slack localhost http ok", slack("http://localhost/x"), ""},
		{"slack member missing", bus.Target{Kind: bus.TargetSlack}, "needs a slack member"},
		{"slack http elsewhere", slack("http://hooks.slack.com/services/x"), "slack.url: "},
		{"slack no url", slack(""), "slack.url: is required"},
		{"file ok", file("/var/log/vigil/events.jsonl"), ""},
		{"file member missing", bus.Target{Kind: bus.TargetFile}, "needs a file member"},
		{"file relative", file("events.jsonl"), "file.path "},
		{"file empty", file(""), "file.path: is required"},
		{"file NUL", file("/var/log/a\x00b"), "file.path: contains a NUL"},
		{"file not clean", file("/var/log/../../etc/passwd"), "not clean"},
		{"file under /proc", file("/proc/sys/kernel/core_pattern"), "not allowed"},
		{"file under /dev", file("/dev/sda"), "not allowed"},
		{"file /devices is fine", file("/devices.jsonl"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := bus.ValidateRule(ruleWith(c.target))
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

// TestReservedHeaders: the bus's validation and BuildWebhook's own check
// (for targets stored before a rule was tightened) each refuse the headers
// vigil sets itself and names that are not HTTP tokens, and accept others.
func TestReservedHeaders(t *testing.T) {
	cases := []struct {
		name    string
		refused bool
	}{
		{"Content-Type", true}, {"content-length", true}, {"Host", true}, {"Transfer-Encoding", true},
		{"Connection", true}, {"X-Vigil-Signature", true}, {"x-vigil-timestamp", true},
		{"X-VIGIL-EVENT-ID", true}, {"X-Vigil-Other", true}, {"Bad Name", true}, {"X:Y", true}, {"é", true},
		{"Authorization", false}, {"X-Team", false}, {"User-Agent", false}, {"X-Vigilant", false},
	}
	for _, c := range cases {
		w := bus.WebhookTarget{URL: "https://h.example/", Headers: map[string]string{c.name: "v"}}
		if err := bus.ValidateRule(ruleWith(bus.Target{Kind: bus.TargetWebhook, Webhook: &w})); (err != nil) != c.refused {
			t.Errorf("header %q: bus.ValidateRule error = %v, want refused %v", c.name, err, c.refused)
		}
		if _, err := BuildWebhook(w, "e", []byte(`{}`), testNow); (err != nil) != c.refused {
			t.Errorf("header %q: BuildWebhook error = %v, want refused %v", c.name, err, c.refused)
		}
	}
}

// TestNormalizeCopiesTargets: a normalized rule shares no maps or members
// with its input, so editing one cannot change a stored rule.
func TestNormalizeCopiesTargets(t *testing.T) {
	in := ruleWith(bus.Target{Kind: bus.TargetWebhook, Webhook: &bus.WebhookTarget{
		URL: "https://h.example/", Headers: map[string]string{"X-A": "1"}}})
	in.Targets = append(in.Targets,
		bus.Target{Kind: bus.TargetSlack, Slack: &bus.SlackTarget{URL: "https://s.example/"}},
		bus.Target{Kind: bus.TargetFile, File: &bus.FileTarget{Path: "/tmp/a"}})
	out, err := bus.NormalizeRule(in)
	if err != nil {
		t.Fatal(err)
	}
	in.Targets[0].Webhook.Headers["X-A"] = "changed"
	in.Targets[0].Webhook.URL = "changed"
	in.Targets[1].Slack.URL = "changed"
	in.Targets[2].File.Path = "changed"
	if out.Targets[0].Webhook.Headers["X-A"] != "1" || out.Targets[0].Webhook.URL == "changed" ||
		out.Targets[1].Slack.URL == "changed" || out.Targets[2].File.Path == "changed" {
		t.Errorf("normalized rule shares state with its input: %+v", out.Targets)
	}
}
