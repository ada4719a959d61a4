package bus

import (
	"encoding/json"
	"time"
)

// Rule routes events that match Pattern to Targets, as an EventBridge rule.
type Rule struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Pattern     json.RawMessage `json:"pattern"`
	Enabled     bool            `json:"enabled"`
	Targets     []Target        `json:"targets"`
}

// Target kinds. Each has one file in internal/notify (topics fan out to
// their subscriptions' kinds).
const (
	TargetEmail   = "email"
	TargetWebhook = "webhook"
	TargetSlack   = "slack"
	TargetFile    = "file"
	TargetTopic   = "topic"
)

// Target is one destination of a rule. Kind says which member is set. Input,
// InputPath and InputTransformer shape what is delivered, as EventBridge's
// PutTargets defines them (at most one of the three); without them the
// whole event is delivered.
type Target struct {
	ID      string         `json:"id"`
	Kind    string         `json:"kind"`
	Email   *EmailTarget   `json:"email,omitempty"`
	Webhook *WebhookTarget `json:"webhook,omitempty"`
	Slack   *SlackTarget   `json:"slack,omitempty"`
	File    *FileTarget    `json:"file,omitempty"`
	Topic   *TopicTarget   `json:"topic,omitempty"`

	Input            string            `json:"input,omitempty"`     // constant JSON text sent instead of the event
	InputPath        string            `json:"inputPath,omitempty"` // JSONPath ($.detail) of the part to send
	InputTransformer *InputTransformer `json:"inputTransformer,omitempty"`

	RetryPolicy *RetryPolicy `json:"retryPolicy,omitempty"`
	RateLimit   *RateLimit   `json:"rateLimit,omitempty"`

	// Set only on deliveries fanned out from a topic: the subscription
	// and the link that ends it (every topic mail carries it).
	Subscription   string `json:"subscription,omitempty"`
	UnsubscribeURL string `json:"unsubscribeUrl,omitempty"`
}

// InputTransformer is EventBridge's: variables taken from the event by
// JSONPath, substituted into a template.
type InputTransformer struct {
	InputPathsMap map[string]string `json:"inputPathsMap,omitempty"`
	InputTemplate string            `json:"inputTemplate"`
}

// RetryPolicy bounds the retries of one target (EventBridge's defaults: 185
// attempts, 24 hours); zero fields take the deployment's defaults.
type RetryPolicy struct {
	MaximumRetryAttempts     int `json:"maximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds int `json:"maximumEventAgeInSeconds,omitempty"`
}

// RateLimit caps the deliveries per second to one target; excess
// deliveries wait in the outbox, they are not dropped.
type RateLimit struct {
	PerSecond float64 `json:"perSecond"`
	Burst     int     `json:"burst,omitempty"`
}

// WebhookTarget POSTs each event as JSON, signed with HMAC-SHA256 when a
// secret is set.
type WebhookTarget struct {
	URL     string            `json:"url"`
	Secret  string            `json:"secret,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

// SlackTarget posts a readable message to a Slack incoming webhook.
type SlackTarget struct {
	URL string `json:"url"`
}

// FileTarget appends each event as one JSON line to a file.
type FileTarget struct {
	Path string `json:"path"`
}

// TopicTarget publishes to a topic, which fans out to its confirmed
// subscriptions.
type TopicTarget struct {
	Name string `json:"name"`
}

// EmailTarget sends each event as a mail to the addresses.
type EmailTarget struct {
	To []string `json:"to"`
	// Raw sends the payload itself as a plain-text body (a topic's
	// email-json subscriptions) instead of the readable layout.
	Raw bool `json:"raw,omitempty"`
}

// Delivery is one event on its way to one target of one rule: a row of the
// durable outbox, written in the same transaction as the state change that
// caused the event.
type Delivery struct {
	ID        int64           `json:"id"`
	EventID   string          `json:"eventId"`
	Rule      string          `json:"rule"`
	Target    Target          `json:"target"`
	Payload   json.RawMessage `json:"payload"` // what the target receives (shaped), stored with EncodePayload; PayloadBody gives the bytes
	Attempts  int             `json:"attempts"`
	CreatedAt time.Time       `json:"createdAt"`
	NextAt    time.Time       `json:"nextAt"`
	LastError string          `json:"lastError,omitempty"`
}
