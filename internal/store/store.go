package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
)

// MergeFunc decides, from the stored finding (nil if none) and the incoming
// one, what to save and which deliveries to enqueue with it. It must be pure:
// an implementation may call it more than once when it retries a transaction.
// It is an alias so that methods spelled with the plain func type (as in
// fakes written elsewhere) still satisfy Store.
type MergeFunc = func(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery)

// CoverageFunc decides the next coverage record of a resource from the stored
// one (nil if none). When changed is false the record is left as it was, but
// out is still enqueued. Like MergeFunc it must be pure, and is an alias for
// the same reason.
type CoverageFunc = func(prev *CoverageRecord) (next CoverageRecord, out []bus.Delivery, changed bool)

// Store is vigil's persistence. All methods are safe for concurrent use.
//
// Times are stored with at least microsecond precision and returned in UTC.
// Payloads, patterns and coverage documents (json.RawMessage) are returned
// byte for byte as they were given.
type Store interface {
	Findings
	Coverage
	Rules
	Outbox
	Agents
	Topics
	Filters
	// Close releases the store. It is idempotent.
	Close() error
}

// Findings persists findings as their GuardDuty JSON document.
type Findings interface {
	// UpsertFinding runs in one transaction: it reads the finding with
	// f.ID, calls merge(prev, f), and saves the finding merge returns
	// together with its deliveries. The saved finding must keep f.ID and
	// carry an RFC 3339 updatedAt. Concurrent calls on one id are
	// serialized, so merge always sees the latest saved finding.
	UpsertFinding(ctx context.Context, f finding.Finding, merge MergeFunc) (saved finding.Finding, created bool, err error)
	// RecordBatch stores the findings of one agent batch and the agent's
	// last sequence number in one transaction, each finding merged as
	// UpsertFinding does: a batch resent after a crash is then either
	// wholly stored already (and skipped by its sequence number) or not
	// at all, never counted twice. merge may be called again on retry.
	RecordBatch(ctx context.Context, agentID string, seq uint64, fs []finding.Finding, merge MergeFunc) ([]Upserted, error)
	// GetFinding returns the finding with id, and whether it exists.
	GetFinding(ctx context.Context, id string) (finding.Finding, bool, error)
	// ListFindings returns the findings matching q, most recently updated
	// first (ties broken by id, descending).
	ListFindings(ctx context.Context, q FindingQuery) ([]finding.Finding, error)
	// PublishDue re-publishes, in one transaction, up to limit findings
	// that have an unpublished update and were last published at or
	// before cutoff: publish gives each one's deliveries, which are
	// enqueued, and the finding counts as published now. A new finding
	// counts as published when it is created; an archived one is never
	// due. It returns how many findings were published.
	PublishDue(ctx context.Context, cutoff time.Time, limit int, publish func(finding.Finding) []bus.Delivery) (int, error)
}

// Upserted is one finding as RecordBatch saved it.
type Upserted struct {
	Finding finding.Finding
	Created bool
}

// Coverage persists one coverage document per resource.
type Coverage interface {
	// UpdateCoverage runs fn on the resource's record in one transaction and
	// saves its result and deliveries atomically. next.ResourceID may be
	// left empty; any other value than resourceID is an error.
	UpdateCoverage(ctx context.Context, resourceID string, fn CoverageFunc) error
	// ListCoverage returns every record, ordered by resource id.
	ListCoverage(ctx context.Context) ([]CoverageRecord, error)
}

// CoverageRecord is the coverage of one resource. Doc is the GuardDuty
// CoverageResource JSON, owned by internal/coverage; the store indexes only
// Status and UpdatedAt.
type CoverageRecord struct {
	ResourceID string
	Status     string
	UpdatedAt  time.Time
	Doc        json.RawMessage
}

// Rules persists the bus's rules, keyed by name.
type Rules interface {
	// PutRule creates or replaces the rule named r.Name.
	PutRule(ctx context.Context, r bus.Rule) error
	GetRule(ctx context.Context, name string) (bus.Rule, bool, error)
	// DeleteRule reports whether the rule existed.
	DeleteRule(ctx context.Context, name string) (bool, error)
	// ListRules returns every rule, ordered by name.
	ListRules(ctx context.Context) ([]bus.Rule, error)
}

// Outbox is the bus's durable delivery queue. Delivery is at least once: a
// claim whose lease expires is handed out again, even if the first worker
// is merely slow.
type Outbox interface {
	// Enqueue adds deliveries not tied to a state change. The store assigns
	// IDs; a zero CreatedAt means now, a zero NextAt means CreatedAt.
	Enqueue(ctx context.Context, ds []bus.Delivery) error
	// Claim leases up to limit deliveries due at now (NextAt <= now), oldest
	// due first: each one's NextAt becomes now+lease and its Attempts grows
	// by one, so a crashed worker's claims come back when the lease ends.
	// The returned deliveries carry the new NextAt and Attempts, in ID order.
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]bus.Delivery, error)
	// Complete removes a delivered row. ErrNotFound if it is gone.
	Complete(ctx context.Context, id int64) error
	// Retry makes a row due again at next, recording the error. ErrNotFound
	// if it is gone.
	Retry(ctx context.Context, id int64, next time.Time, lastErr string) error
	// Defer makes a claimed row due again at next and gives back the
	// attempt its Claim counted (Attempts never goes below zero), keeping
	// the last error: the dispatcher decided not to send it (a rate limit),
	// so it must not use up the target's retries. ErrNotFound if it is
	// gone.
	Defer(ctx context.Context, id int64, next time.Time) error
	// DeadLetter moves a row to the dead-letter list. ErrNotFound if it is
	// gone.
	DeadLetter(ctx context.Context, id int64, reason string) error
	// ListDeadLetters returns the dead letters, oldest failure first.
	ListDeadLetters(ctx context.Context) ([]DeadLetter, error)
	// Redrive moves dead letters back to the outbox under their old IDs,
	// due now with Attempts reset to zero and CreatedAt set to now (its
	// age starts again). Unknown IDs are skipped; the
	// count of moved rows is returned.
	Redrive(ctx context.Context, ids []int64) (int, error)
	// RedriveAll moves every dead letter back to the outbox as Redrive
	// does, in one transaction, and returns how many it moved.
	RedriveAll(ctx context.Context) (int, error)
	// CompleteMany removes many delivered deliveries in one transaction;
	// ids no longer in the outbox are skipped.
	CompleteMany(ctx context.Context, ids []int64) error
	// Expedite makes the deliveries of one rule target that wait to retry
	// a failure (LastError set, NextAt after now) due at now.
	Expedite(ctx context.Context, rule, targetID string, now time.Time) (int, error)
	// PendingDeliveries counts outbox rows, leased ones included.
	PendingDeliveries(ctx context.Context) (int, error)
}

// DeadLetter is a delivery that failed for good.
type DeadLetter struct {
	Delivery bus.Delivery
	Reason   string
	FailedAt time.Time
}

// Topics persists SNS-style topics and their subscriptions.
type Topics interface {
	PutTopic(ctx context.Context, t bus.Topic) error
	DeleteTopic(ctx context.Context, name string) (bool, error)
	ListTopics(ctx context.Context) ([]bus.Topic, error)
	// Subscribe stores a new subscription (its Token kept only as a
	// digest) and enqueues out in the same transaction; ErrNotFound when
	// the topic does not exist.
	Subscribe(ctx context.Context, sub bus.Subscription, out []bus.Delivery) error
	// ListSubscriptions lists a topic's subscriptions ("" for all).
	ListSubscriptions(ctx context.Context, topic string) ([]bus.Subscription, error)
	// ConfirmSubscription confirms a subscription given its token;
	// ErrNotFound for an unknown id or a wrong token.
	ConfirmSubscription(ctx context.Context, id, token string) (bus.Subscription, error)
	// Unsubscribe deletes a subscription given its token, or without one
	// when admin is true; ErrNotFound as for ConfirmSubscription.
	Unsubscribe(ctx context.Context, id, token string, admin bool) (bus.Subscription, error)
}

// Filters persists GuardDuty filters and suppression rules.
type Filters interface {
	PutFilter(ctx context.Context, f finding.Filter) error
	DeleteFilter(ctx context.Context, name string) (bool, error)
	// ListFilters returns the filters by rank, then name.
	ListFilters(ctx context.Context) ([]finding.Filter, error)
}

// Agents persists the per-agent state ingest needs across restarts.
type Agents interface {
	// AgentLastSeq returns the highest batch sequence number accepted from
	// the agent, 0 if none.
	AgentLastSeq(ctx context.Context, agentID string) (uint64, error)
	// SetAgentLastSeq records seq unless a higher one is already stored,
	// so that a late writer cannot move the high-water mark back. Values
	// above math.MaxInt64 are refused (SQL integers are signed).
	SetAgentLastSeq(ctx context.Context, agentID string, seq uint64) error
}
