package bus

import "testing"

func TestRedactAndRestore(t *testing.T) {
	stored := Rule{Name: "r", Targets: []Target{
		{ID: "w", Kind: TargetWebhook, Webhook: &WebhookTarget{URL: "https://siem.example.com/in", Secret: "s3cret"}},
		{ID: "s", Kind: TargetSlack, Slack: &SlackTarget{URL: "https://hooks.slack.com/services/T0/B0/XYZ"}},
	}}
	shown := RedactRule(stored)
	if shown.Targets[0].Webhook.Secret != Redacted || shown.Targets[1].Slack.URL != "https://hooks.slack.com/REDACTED" {
		t.Fatalf("redacted: %+v %+v", shown.Targets[0].Webhook, shown.Targets[1].Slack)
	}
	if stored.Targets[0].Webhook.Secret != "s3cret" {
		t.Fatal("redaction changed the stored rule")
	}
	back := RestoreRedacted(shown, stored)
	if back.Targets[0].Webhook.Secret != "s3cret" || back.Targets[1].Slack.URL != stored.Targets[1].Slack.URL {
		t.Fatalf("restored: %+v %+v", back.Targets[0].Webhook, back.Targets[1].Slack)
	}
	changed := RedactRule(stored)
	changed.Targets[0].Webhook.Secret = "new"
	if RestoreRedacted(changed, stored).Targets[0].Webhook.Secret != "new" {
		t.Fatal("a new secret was replaced by the old one")
	}
}
