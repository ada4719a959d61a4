// Package bus is the event bus: the EventBridge envelope, rules with event
// patterns, and durable delivery from the outbox to targets with retries and
// dead letters. Targets themselves live in internal/notify; storage of rules
// and the outbox lives in internal/store, behind the Outbox interface.
package bus
