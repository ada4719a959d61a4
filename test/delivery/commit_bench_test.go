package delivery

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkSQLiteCommit measures what bounds the burst: vigil's store
// commits one write transaction per finding (UpsertFinding with its outbox
// rows) and one per completed delivery, each with synchronous=FULL in WAL
// mode, i.e. an fsync per commit. It writes rows shaped like a finding
// plus two outbox rows (~3 KiB), with the store's connection settings,
// one transaction per finding or 256 per transaction (one agent batch),
// under synchronous FULL and NORMAL, so the figures show what a batched
// transaction or NORMAL would buy. It does not start vigil:
//
//	go test -count=1 -run '^$' -bench SQLiteCommit ./test/delivery
func BenchmarkSQLiteCommit(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		for _, perTx := range []int{1, 256} {
			b.Run(fmt.Sprintf("sync=%s/findings-per-tx=%d", sync, perTx), func(b *testing.B) {
				benchCommit(b, sync, perTx)
			})
		}
	}
}

func benchCommit(b *testing.B, sync string, perTx int) {
	path := filepath.Join(b.TempDir(), "bench.db")
	db, err := sql.Open("sqlite", path+"?_busy_timeout=10000&_foreign_keys=1&_synchronous="+sync+"&_journal_mode=WAL&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	for _, q := range []string{
		`CREATE TABLE findings (id TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID`,
		`CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, payload TEXT NOT NULL)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	doc := strings.Repeat("x", 1500) // a finding document is ~1.5 KiB of JSON
	b.ResetTimer()
	for i := 0; i < b.N; i += perTx {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for j := i; j < min(i+perTx, b.N); j++ {
			id := fmt.Sprintf("%032x", j)
			if _, err := tx.ExecContext(ctx, `INSERT INTO findings (id, doc) VALUES (?, ?)`, id, doc); err != nil {
				b.Fatal(err)
			}
			for range 2 { // one delivery per target
				if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (event_id, payload) VALUES (?, ?)`, id, doc); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "findings/s")
}
