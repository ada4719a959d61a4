package bus

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"time"
)

// Topic is an SNS-style topic: rules publish to it (a target of kind
// topic) and it fans out to its confirmed subscriptions.
type Topic struct {
	Name        string    `json:"name"`
	DisplayName string    `json:"displayName,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Subscription protocols and statuses (SNS's).
const (
	ProtocolEmail     = "email"      // a readable mail per message
	ProtocolEmailJSON = "email-json" // the message JSON as the mail body
	ProtocolWebhook   = "webhook"
	ProtocolSlack     = "slack"

	StatusPending   = "PendingConfirmation"
	StatusConfirmed = "Confirmed"
)

// Subscription is one endpoint of a topic. Email subscriptions start
// PendingConfirmation and receive nothing but the confirmation mail until
// the recipient follows its link; webhook and Slack subscriptions are made
// by an administrator and are confirmed at once.
type Subscription struct {
	ID          string    `json:"id"`
	Topic       string    `json:"topic"`
	Protocol    string    `json:"protocol"`
	Endpoint    string    `json:"endpoint"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"createdAt"`
	ConfirmedAt time.Time `json:"confirmedAt,omitzero"`
	// Token authorises the confirm and unsubscribe links; it is never
	// shown by the API (only its presence in links sent to the endpoint).
	Token string `json:"-"`
}

var topicNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// ValidateTopic checks a topic's name (SNS's rule: 1-256 of [A-Za-z0-9_-]).
func ValidateTopic(t Topic) error {
	if !topicNameRE.MatchString(t.Name) {
		return fmt.Errorf("name %q: want 1-256 of [A-Za-z0-9_-]", t.Name)
	}
	if len(t.DisplayName) > 100 {
		return errors.New("displayName: at most 100 characters")
	}
	return nil
}

// ValidateSubscription checks protocol and endpoint.
func ValidateSubscription(s Subscription) error {
	switch s.Protocol {
	case ProtocolEmail, ProtocolEmailJSON:
		if _, err := mail.ParseAddress(s.Endpoint); err != nil {
			return fmt.Errorf("endpoint %q: %w", s.Endpoint, err)
		}
		return nil
	case ProtocolWebhook:
		return validateWebhook(&WebhookTarget{URL: s.Endpoint})
	case ProtocolSlack:
		return validateSlack(&SlackTarget{URL: s.Endpoint})
	case "":
		return errors.New("protocol is required (email, email-json, webhook or slack)")
	}
	return fmt.Errorf("protocol %q: want email, email-json, webhook or slack", s.Protocol)
}

// SubscriptionTarget is the concrete target a message to the subscription
// is delivered through. Its ID is left empty: the caller names it after the
// topic target it expands (ExpandTopics).
func SubscriptionTarget(s Subscription, unsubscribeURL string) Target {
	t := Target{UnsubscribeURL: unsubscribeURL, Subscription: s.ID}
	switch s.Protocol {
	case ProtocolEmail, ProtocolEmailJSON:
		t.Kind, t.Email = TargetEmail, &EmailTarget{To: []string{s.Endpoint}, Raw: s.Protocol == ProtocolEmailJSON}
	case ProtocolWebhook:
		t.Kind, t.Webhook = TargetWebhook, &WebhookTarget{URL: s.Endpoint}
	case ProtocolSlack:
		t.Kind, t.Slack = TargetSlack, &SlackTarget{URL: s.Endpoint}
	}
	return t
}

// ExpandTopics replaces every delivery to a topic target by one delivery
// per confirmed subscription of that topic (subs by topic name). link
// gives a subscription's unsubscribe URL. A topic without confirmed
// subscriptions yields nothing, as SNS delivers to nobody.
func ExpandTopics(ds []Delivery, subs map[string][]Subscription, link func(Subscription) string) []Delivery {
	out := ds[:0:0]
	for _, d := range ds {
		if d.Target.Kind != TargetTopic || d.Target.Topic == nil {
			out = append(out, d)
			continue
		}
		for _, s := range subs[d.Target.Topic.Name] {
			if s.Status != StatusConfirmed {
				continue
			}
			e := d
			e.Target = SubscriptionTarget(s, link(s))
			e.Target.ID = d.Target.ID + "/" + s.ID
			out = append(out, e)
		}
	}
	return out
}
