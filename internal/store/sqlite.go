package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLite is the embedded Store: one database file in WAL mode.
//
// Writes go through a pool of exactly one connection. SQLite allows one
// writer at a time anyway; queueing writers in database/sql instead of
// letting them race for the file lock means concurrent writers in this
// process never see SQLITE_BUSY, and every write transaction starts with
// BEGIN IMMEDIATE so a read-then-write transaction never has to upgrade its
// lock (the classic source of deadlock-style BUSY errors between processes).
// Reads use a separate pool, which WAL lets run alongside the writer.
type SQLite struct {
	path  string
	w     *sql.DB // one connection, write transactions
	r     *sql.DB // several read-only connections
	now   func() time.Time
	close sync.Once
	err   error
}

// Option configures OpenSQLite.
type Option func(*SQLite)

// WithClock sets the clock used for times the store itself assigns (a dead
// letter's FailedAt, a redriven delivery's NextAt, Enqueue's defaults), so
// tests with a fake clock see those rows due when their clock says so.
func WithClock(now func() time.Time) Option {
	return func(s *SQLite) { s.now = now }
}

// busyTimeoutMS bounds how long a connection waits for another process's
// lock (another vigil process, or the sqlite3 shell) before failing.
const busyTimeoutMS = 10000

// OpenSQLite opens (creating if needed) the database file at path and
// brings its schema up to date. An in-memory database is not supported:
// the read and write pools must share one file.
func OpenSQLite(path string, opts ...Option) (*SQLite, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("opening sqlite store %q: %w: need a plain file path", path, ErrInvalid)
	}
	s := &SQLite{path: path, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	// synchronous=FULL: a committed outbox row must survive power loss, not
	// only a process crash; the benchmark shows the cost is acceptable.
	common := fmt.Sprintf("_busy_timeout=%d&_foreign_keys=1&_synchronous=FULL", busyTimeoutMS)
	w, err := sql.Open("sqlite", path+"?"+common+"&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("opening sqlite store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s.w = w
	// Migrating before the read pool exists also makes the first
	// connection switch the file to WAL before any reader opens it.
	if err := migrate(context.Background(), w); err != nil {
		w.Close()
		return nil, fmt.Errorf("opening sqlite store %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("opening sqlite store %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	s.r = r
	return s, nil
}

// Path is the database file, so that a test can reopen the same data.
func (s *SQLite) Path() string { return s.path }

// Close closes both pools. Later calls return the first call's result.
func (s *SQLite) Close() error {
	s.close.Do(func() {
		s.err = errors.Join(s.r.Close(), s.w.Close())
		if s.err != nil {
			s.err = fmt.Errorf("closing sqlite store %s: %w", s.path, s.err)
		}
	})
	return s.err
}

// write runs fn in a write transaction and commits it if fn succeeds. The
// deferred rollback also runs when fn panics (say, in a caller's merge
// function), so a panic never leaves the single write connection inside an
// open transaction.
func (s *SQLite) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	return nil
}

// nanos and fromNanos convert times to the integer columns they are stored
// in: integers compare and index correctly, whatever the time zone or
// precision of the time.Time given.
func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// queryer is what the read helpers need; both *sql.DB and *sql.Tx have it,
// so a read can run in or out of a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
