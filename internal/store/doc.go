// Package store persists vigil's state: findings, coverage, rules, the
// delivery outbox with its dead letters, and per-agent ingest state.
//
// Callers depend on the Store interface only. The SQLite implementation
// (embedded, no cgo) serves one machine; a PostgreSQL implementation serves
// several servers sharing one deployment. Both must pass the conformance
// suite in package storetest, which is the executable form of the contract
// written in the interface's comments.
//
// State changes and the events they cause are written in one transaction
// (UpsertFinding, UpdateCoverage): the caller decides, in a pure function
// handed to the store, what to save and which deliveries to enqueue, so a
// crash can never save a finding but lose its notification, or the reverse.
package store
