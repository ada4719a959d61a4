package store_test

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storetest"
)

// The store is the bus's outbox; checked here so a drift between the two
// interfaces fails this package's tests.
var _ bus.Outbox = (*store.SQLite)(nil)

func openSQLite(t testing.TB, path string) *store.SQLite {
	t.Helper()
	s, err := store.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) store.Store {
			return openSQLite(t, filepath.Join(t.TempDir(), "vigil.db"))
		},
		Reopen: func(t *testing.T, s store.Store) store.Store {
			return openSQLite(t, s.(*store.SQLite).Path())
		},
	})
}

func TestSQLiteRejectsNonFilePaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=memory"} {
		if _, err := store.OpenSQLite(p); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("OpenSQLite(%q) error = %v; want ErrInvalid", p, err)
		}
	}
}

// TestSQLiteSchema checks the file's settings and that a database from a
// newer vigil is refused rather than misread.
func TestSQLiteSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	s := openSQLite(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	var version int
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version < 1 {
		t.Fatalf("user_version = %d, %v; want >= 1", version, err)
	}
	// Reopening an up-to-date file migrates nothing and succeeds.
	openSQLite(t, path).Close()
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.OpenSQLite(path); err == nil {
		t.Fatal("opened a database with a newer schema version")
	}
}

// benchMerge adds counts, as the server's merge does, and makes one
// delivery per finding.
func benchMerge(prev *finding.Finding, next finding.Finding) (finding.Finding, []bus.Delivery) {
	if prev != nil {
		next.Service.Count += prev.Service.Count
	}
	return next, []bus.Delivery{{EventID: next.ID, Rule: "r", Payload: []byte(`{"detail":{}}`)}}
}

func benchFinding() finding.Finding {
	f := finding.Finding{ID: "f", Type: "Execution:Runtime/NewBinaryExecuted", Severity: 5,
		UpdatedAt: time.Now().UTC().Format(time.RFC3339Nano)}
	f.Service.Count = 1
	return f
}

// BenchmarkUpsertFinding measures aggregation upserts (read, merge, write
// finding and one outbox row, commit) on one file, sequentially and from
// several goroutines on distinct ids.
func BenchmarkUpsertFinding(b *testing.B) {
	merge, f := benchMerge, benchFinding()
	run := func(b *testing.B, parallel bool) {
		s := openSQLite(b, filepath.Join(b.TempDir(), "bench.db"))
		b.ResetTimer()
		upsert := func(i int) {
			g := f
			g.ID = fmt.Sprintf("f%d", i%64) // 64 hot findings: mostly merges
			if _, _, err := s.UpsertFinding(b.Context(), g, merge); err != nil {
				b.Error(err)
			}
		}
		if parallel {
			var n atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					upsert(int(n.Add(1)))
				}
			})
		} else {
			for i := 0; b.Loop(); i++ {
				upsert(i)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "upserts/s")
	}
	b.Run("sequential", func(b *testing.B) { run(b, false) })
	b.Run("parallel", func(b *testing.B) { run(b, true) })
}

// BenchmarkRecordBatch measures agent batches of 100 findings over 16 ids
// (so most findings within a batch merge into one written earlier in the
// same transaction), each with one outbox row.
func BenchmarkRecordBatch(b *testing.B) {
	merge, f := benchMerge, benchFinding()
	fs := make([]finding.Finding, 100)
	for i := range fs {
		fs[i] = f
		fs[i].ID = fmt.Sprintf("f%d", i%16)
	}
	s := openSQLite(b, filepath.Join(b.TempDir(), "bench.db"))
	var seq uint64
	for b.Loop() {
		seq++
		if _, err := s.RecordBatch(b.Context(), "agent", seq, fs, merge); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(fs))/b.Elapsed().Seconds(), "findings/s")
}
