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

// Target kinds.
const (
	TargetEmail = "email"
)

// Target is one destination of a rule. Kind says which member is set.
type Target struct {
	ID    string       `json:"id"`
	Kind  string       `json:"kind"`
	Email *EmailTarget `json:"email,omitempty"`
}

// EmailTarget sends each event as a mail to the addresses.
type EmailTarget struct {
	To []string `json:"to"`
}

// Delivery is one event on its way to one target of one rule: a row of the
// durable outbox, written in the same transaction as the state change that
// caused the event.
type Delivery struct {
	ID        int64           `json:"id"`
	EventID   string          `json:"eventId"`
	Rule      string          `json:"rule"`
	Target    Target          `json:"target"`
	Payload   json.RawMessage `json:"payload"` // the event (envelope) as delivered
	Attempts  int             `json:"attempts"`
	CreatedAt time.Time       `json:"createdAt"`
	NextAt    time.Time       `json:"nextAt"`
	LastError string          `json:"lastError,omitempty"`
}
