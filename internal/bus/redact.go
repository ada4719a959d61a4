package bus

import "net/url"

// Redacted stands for a credential the API does not show: webhook secrets
// and Slack webhook paths (the path is the credential).
const Redacted = "REDACTED"

// RedactRule returns r with its credentials replaced by Redacted, for
// showing rules to API clients.
func RedactRule(r Rule) Rule {
	r.Targets = append([]Target(nil), r.Targets...)
	for i, t := range r.Targets {
		t = copyTarget(t)
		if t.Webhook != nil && t.Webhook.Secret != "" {
			t.Webhook.Secret = Redacted
		}
		if t.Slack != nil {
			t.Slack.URL = redactSlackURL(t.Slack.URL)
		}
		r.Targets[i] = t
	}
	return r
}

// RestoreRedacted puts back, into a rule sent by a client, the credentials
// it left as Redacted, from the stored rule's target of the same id, so a
// rule read from the API can be edited and put back without re-entering
// secrets.
func RestoreRedacted(r, stored Rule) Rule {
	byID := make(map[string]Target, len(stored.Targets))
	for _, t := range stored.Targets {
		byID[t.ID] = t
	}
	r.Targets = append([]Target(nil), r.Targets...)
	for i, t := range r.Targets {
		old, ok := byID[t.ID]
		if !ok {
			continue
		}
		t = copyTarget(t)
		if t.Webhook != nil && t.Webhook.Secret == Redacted && old.Webhook != nil {
			t.Webhook.Secret = old.Webhook.Secret
		}
		if t.Slack != nil && old.Slack != nil && t.Slack.URL == redactSlackURL(old.Slack.URL) {
			t.Slack.URL = old.Slack.URL
		}
		r.Targets[i] = t
	}
	return r
}

// redactSlackURL is a Slack webhook URL with its path (the credential)
// replaced by Redacted; a URL that does not parse is returned unchanged.
func redactSlackURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Scheme + "://" + u.Host + "/" + Redacted
}
