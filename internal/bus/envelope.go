package bus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/vigilsec/vigil/internal/finding"
)

// Envelope values for GuardDuty-shaped events. Keeping GuardDuty's own source
// and detail-type strings lets patterns written for AWS work verbatim.
const (
	EnvelopeVersion     = "0"
	SourceGuardDuty     = "aws.guardduty"
	DetailTypeFinding   = "GuardDuty Finding"
	DetailTypeHealthy   = "GuardDuty Runtime Protection Healthy"
	DetailTypeUnhealthy = "GuardDuty Runtime Protection Unhealthy"
	envelopeTimeFormat  = "2006-01-02T15:04:05Z"
	emptyDetail         = "{}"
)

// Envelope is one event on the bus in EventBridge's JSON shape
// (event-patterns.md §1).
type Envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// MarshalJSON writes `resources` as [] and `detail` as {} when unset, because
// patterns and consumers expect those members to always be present with
// their JSON types (EventBridge never sends null for them).
func (e Envelope) MarshalJSON() ([]byte, error) {
	type plain Envelope // drops the method, avoiding recursion
	p := plain(e)
	if p.Resources == nil {
		p.Resources = []string{}
	}
	if len(bytes.TrimSpace(p.Detail)) == 0 {
		p.Detail = json.RawMessage(emptyDetail)
	}
	return json.Marshal(p)
}

// FindingEvent wraps a finding in a `GuardDuty Finding` event. Account and
// region come from the finding, as GuardDuty does.
func FindingEvent(f finding.Finding, id string, now time.Time) (Envelope, error) {
	detail, err := json.Marshal(f)
	if err != nil {
		return Envelope{}, fmt.Errorf("finding event %s: marshal finding: %w", f.ID, err)
	}
	return newEnvelope(DetailTypeFinding, f.AccountID, f.Region, detail, id, now)
}

// HealthEvent builds a runtime coverage health event
// (`GuardDuty Runtime Protection Healthy|Unhealthy`, guardduty-runtime.md §4.2).
// detail must marshal to a JSON object.
func HealthEvent(healthy bool, account, region string, detail any, id string, now time.Time) (Envelope, error) {
	dt := DetailTypeUnhealthy
	if healthy {
		dt = DetailTypeHealthy
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		return Envelope{}, fmt.Errorf("health event: marshal detail: %w", err)
	}
	return newEnvelope(dt, account, region, raw, id, now)
}

func newEnvelope(detailType, account, region string, detail []byte, id string, now time.Time) (Envelope, error) {
	detail = bytes.TrimSpace(detail)
	// EventBridge's PutEvents requires Detail to be a JSON object; patterns
	// on detail.* could never match anything else.
	if len(detail) == 0 || detail[0] != '{' {
		return Envelope{}, fmt.Errorf("%s event: detail must be a JSON object", detailType)
	}
	if id == "" {
		var err error
		if id, err = NewEventID(); err != nil {
			return Envelope{}, err
		}
	}
	return Envelope{
		Version:    EnvelopeVersion,
		ID:         id,
		DetailType: detailType,
		Source:     SourceGuardDuty,
		Account:    account,
		Time:       now.UTC().Format(envelopeTimeFormat),
		Region:     region,
		Resources:  []string{},
		Detail:     json.RawMessage(detail),
	}, nil
}

// NewEventID returns a random (version 4) UUID, the form EventBridge uses for
// event ids, so consumers that de-duplicate on `id` treat ours alike.
func NewEventID() (string, error) {
	u, err := uuid.NewRandom()
	if err != nil {
		return "", fmt.Errorf("event id: %w", err)
	}
	return u.String(), nil
}

// IsHealthDetailType reports whether dt is a runtime coverage health event.
func IsHealthDetailType(dt string) bool {
	return dt == DetailTypeHealthy || dt == DetailTypeUnhealthy
}
