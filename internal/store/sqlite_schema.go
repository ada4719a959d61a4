package store

import (
	"context"
	"database/sql"
	"fmt"
)

// sqliteMigrations returns the schema history. Entry i takes the database
// from user_version i to i+1. Entries are never edited once released: a
// change is a new entry, so every existing database reaches the same schema.
// It is a function over constants rather than a package variable so nothing
// can alter it at run time.
func sqliteMigrations() []string {
	return []string{schemaV1, schemaV2, schemaV3, schemaV4, schemaV5}
}

// schemaV1 is the initial schema.
const schemaV1 = `
CREATE TABLE findings (
	id         TEXT PRIMARY KEY,
	type       TEXT NOT NULL,
	severity   REAL NOT NULL,
	archived   INTEGER NOT NULL,
	updated_at INTEGER NOT NULL, -- unix nanoseconds, from the document's updatedAt
	doc        TEXT NOT NULL     -- the GuardDuty finding JSON
) WITHOUT ROWID;
CREATE INDEX findings_by_update ON findings (updated_at DESC, id DESC);
CREATE INDEX findings_by_type ON findings (type, updated_at DESC);

CREATE TABLE coverage (
	resource_id TEXT PRIMARY KEY,
	status      TEXT NOT NULL,
	updated_at  INTEGER NOT NULL,
	doc         TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE rules (
	name        TEXT PRIMARY KEY,
	description TEXT NOT NULL,
	pattern     TEXT NOT NULL, -- verbatim, so the user's pattern reads back as written
	enabled     INTEGER NOT NULL,
	targets     TEXT NOT NULL  -- JSON array of bus.Target
) WITHOUT ROWID;

-- AUTOINCREMENT so an id is never reused after its row is deleted: a
-- dead letter keeps its id and may be redriven into the outbox later.
CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	event_id   TEXT NOT NULL,
	rule       TEXT NOT NULL,
	target     TEXT NOT NULL, -- JSON of bus.Target
	payload    TEXT NOT NULL, -- the event, verbatim
	attempts   INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	next_at    INTEGER NOT NULL,
	last_error TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_at, id);

CREATE TABLE dead_letters (
	id         INTEGER PRIMARY KEY, -- the outbox id
	event_id   TEXT NOT NULL,
	rule       TEXT NOT NULL,
	target     TEXT NOT NULL,
	payload    TEXT NOT NULL,
	attempts   INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	next_at    INTEGER NOT NULL,
	last_error TEXT NOT NULL,
	reason     TEXT NOT NULL,
	failed_at  INTEGER NOT NULL
);
CREATE INDEX dead_letters_by_failure ON dead_letters (failed_at, id);

CREATE TABLE agents (
	agent_id TEXT PRIMARY KEY,
	last_seq INTEGER NOT NULL
) WITHOUT ROWID;
`

// migrate brings the schema to the newest version. It runs in one write
// transaction (BEGIN IMMEDIATE), so two processes opening a new file at once
// cannot both apply a migration, and a failed migration leaves the file as
// it was. PRAGMA user_version is part of the transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	ms := sqliteMigrations()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrating schema: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if v > len(ms) {
		return fmt.Errorf("schema version %d is newer than this vigil knows (%d): refusing to use it", v, len(ms))
	}
	for i := v; i < len(ms); i++ {
		if _, err := tx.ExecContext(ctx, ms[i]); err != nil {
			return fmt.Errorf("migrating schema to version %d: %w", i+1, err)
		}
	}
	// PRAGMA takes no bind parameters; the value is an int we computed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(ms))); err != nil {
		return fmt.Errorf("recording schema version %d: %w", len(ms), err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing schema version %d: %w", len(ms), err)
	}
	return nil
}

// schemaV2 tracks when each finding was last published, and whether it has
// an update not yet published (repeats are re-published at the detector's
// publishing frequency, as GuardDuty does).
const schemaV2 = `
ALTER TABLE findings ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX findings_pending ON findings (pending, published_at);
`

// schemaV3 holds SNS-style topics and their subscriptions. Tokens are kept
// as SHA-256 digests: a database copy cannot confirm or end anyone's
// subscription.
const schemaV3 = `
CREATE TABLE topics (
	name         TEXT PRIMARY KEY,
	display_name TEXT NOT NULL,
	created_at   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE subscriptions (
	id           TEXT PRIMARY KEY,
	topic        TEXT NOT NULL REFERENCES topics (name) ON DELETE CASCADE,
	protocol     TEXT NOT NULL,
	endpoint     TEXT NOT NULL,
	status       TEXT NOT NULL,
	token_sha256 TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	confirmed_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX subscriptions_by_topic ON subscriptions (topic, id);
`

// schemaV4 holds GuardDuty filters (suppression rules when ARCHIVE).
const schemaV4 = `
CREATE TABLE filters (
	name TEXT PRIMARY KEY,
	rank INTEGER NOT NULL,
	doc  TEXT NOT NULL -- the filter JSON
) WITHOUT ROWID;
`

// schemaV5 tells a leased row (being sent by some dispatcher) from one
// waiting for its retry: Expedite must only touch the latter, or a send in
// flight would be claimed and sent a second time.
const schemaV5 = `
ALTER TABLE outbox ADD COLUMN leased_until INTEGER NOT NULL DEFAULT 0;
`
