package delivery

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite" // the driver vigil's store uses
)

// outboxReader counts the server's pending deliveries by reading its
// SQLite file (read-only; WAL lets a reader run beside the server's
// writer). vigil exposes no outbox gauge in /metrics or the API, so this
// is the one way to watch the backlog from outside; docs/delivery.md
// proposes a vigil_outbox_pending gauge instead. It depends on the table
// name "outbox" of the store's schema.
type outboxReader struct{ db *sql.DB }

func openOutbox(t testing.TB, s *vigilServer) *outboxReader {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(s.data, "vigil.db")+"?_query_only=1&_busy_timeout=5000")
	if err != nil {
		t.Fatalf("opening the server's database read-only: %v", err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return &outboxReader{db: db}
}

// pending counts outbox rows (leased ones included): deliveries not yet
// completed or dead-lettered.
func (o *outboxReader) pending(ctx context.Context) (int, error) {
	var n int
	if err := o.db.QueryRowContext(ctx, "SELECT count(*) FROM outbox").Scan(&n); err != nil {
		return 0, fmt.Errorf("counting outbox rows: %w", err)
	}
	return n, nil
}
