package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
)

// UpsertFinding implements Findings.
func (s *SQLite) UpsertFinding(ctx context.Context, f finding.Finding, merge MergeFunc) (finding.Finding, bool, error) {
	var u Upserted
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.upsert(ctx, tx, nil, f, merge)
		return err
	})
	if err != nil {
		return finding.Finding{}, false, fmt.Errorf("storing finding %s: %w", f.ID, err)
	}
	return u.Finding, u.Created, nil
}

// RecordBatch implements Findings.
func (s *SQLite) RecordBatch(ctx context.Context, agentID string, seq uint64, fs []finding.Finding, merge MergeFunc) ([]Upserted, error) {
	if seq > math.MaxInt64 {
		return nil, fmt.Errorf("recording batch %d of agent %s: %w: sequence exceeds a signed 64-bit integer", seq, agentID, ErrInvalid)
	}
	out := make([]Upserted, 0, len(fs))
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		// Made per attempt: it describes only what this transaction wrote.
		written := make(writtenDocs)
		for _, f := range fs {
			u, err := s.upsert(ctx, tx, written, f, merge)
			if err != nil {
				return fmt.Errorf("finding %s: %w", f.ID, err)
			}
			out = append(out, u)
		}
		return setLastSeq(ctx, tx, agentID, seq)
	})
	if err != nil {
		return nil, fmt.Errorf("recording batch %d of agent %s: %w", seq, agentID, err)
	}
	return out, nil
}

// writtenDocs holds, by finding id, the document each finding was last
// written with in the current transaction, so a later finding of the same
// batch with that id is merged without reading its row back. It keeps the
// encoded document rather than the finding: decoding it gives merge exactly
// what reading the row would (JSON drops empty omitempty slices, for one),
// and a finding merge shares with no other.
type writtenDocs map[string][]byte

// upsert is one finding's read-merge-write inside tx. written, when not
// nil, is consulted before reading the row and updated after writing it.
func (s *SQLite) upsert(ctx context.Context, tx *sql.Tx, written writtenDocs, f finding.Finding, merge MergeFunc) (Upserted, error) {
	var (
		prev finding.Finding
		ok   bool
		err  error
	)
	if doc, hit := written[f.ID]; hit {
		if err := json.Unmarshal(doc, &prev); err != nil {
			return Upserted{}, fmt.Errorf("decoding stored document: %w", err)
		}
		ok = true
	} else if prev, ok, err = getFinding(ctx, tx, f.ID); err != nil {
		return Upserted{}, err
	}
	var prevp *finding.Finding
	if ok {
		prevp = &prev
	}
	next, out := merge(prevp, f)
	if next.ID != f.ID {
		return Upserted{}, fmt.Errorf("%w: merge changed the id to %q", ErrInvalid, next.ID)
	}
	doc, err := putFinding(ctx, tx, next, !ok, s.now())
	if err != nil {
		return Upserted{}, err
	}
	if written != nil {
		written[next.ID] = doc
	}
	if err := insertDeliveries(ctx, tx, out, s.now()); err != nil {
		return Upserted{}, err
	}
	return Upserted{Finding: next, Created: !ok}, nil
}

// putFinding writes f's document, the columns derived from it and its
// publication state, and returns the document written. created says
// whether the row is new (upsert read none), now is the time of writing.
//
// The publication state: a new finding is published with its creation; an
// update of an existing one waits for PublishDue, unless the finding is
// archived (suppressed findings are never published). So a new row gets
// pending = 0 and published_at = now (the column default, 0, when
// archived); an existing row gets pending = 1 (0 when archived) and keeps
// its published_at.
func putFinding(ctx context.Context, tx *sql.Tx, f finding.Finding, created bool, now time.Time) ([]byte, error) {
	if f.ID == "" {
		return nil, fmt.Errorf("%w: empty finding id", ErrInvalid)
	}
	updated, err := ParseFindingTime(f.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("updatedAt: %w", err)
	}
	doc, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encoding: %w", err)
	}
	var pending, publishedAt int64
	switch {
	case f.Service.Archived:
	case created:
		publishedAt = nanos(now)
	default:
		pending = 1
	}
	_, err = tx.ExecContext(ctx, `
INSERT INTO findings (id, type, severity, archived, updated_at, doc, pending, published_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET type = excluded.type, severity = excluded.severity,
	archived = excluded.archived, updated_at = excluded.updated_at, doc = excluded.doc,
	pending = excluded.pending`,
		f.ID, f.Type, f.Severity, f.Service.Archived, nanos(updated), string(doc), pending, publishedAt)
	if err != nil {
		return nil, fmt.Errorf("writing: %w", err)
	}
	return doc, nil
}

// PublishDue implements Findings.
func (s *SQLite) PublishDue(ctx context.Context, cutoff time.Time, limit int, publish func(finding.Finding) []bus.Delivery) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT doc FROM findings WHERE pending = 1 AND published_at <= ?
ORDER BY published_at, id LIMIT ?`, nanos(cutoff), limit)
		if err != nil {
			return err
		}
		fs, err := scanFindings(rows)
		if err != nil {
			return err
		}
		now := s.now()
		for _, f := range fs {
			if err := insertDeliveries(ctx, tx, publish(f), now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE findings SET pending = 0, published_at = ? WHERE id = ?`, nanos(now), f.ID); err != nil {
				return err
			}
		}
		n = len(fs)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("publishing due findings: %w", err)
	}
	return n, nil
}

// GetFinding implements Findings.
func (s *SQLite) GetFinding(ctx context.Context, id string) (finding.Finding, bool, error) {
	f, ok, err := getFinding(ctx, s.r, id)
	if err != nil {
		return finding.Finding{}, false, fmt.Errorf("reading finding %s: %w", id, err)
	}
	return f, ok, nil
}

func getFinding(ctx context.Context, q queryer, id string) (finding.Finding, bool, error) {
	var doc []byte
	err := q.QueryRowContext(ctx, `SELECT doc FROM findings WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return finding.Finding{}, false, nil
	}
	if err != nil {
		return finding.Finding{}, false, err
	}
	var f finding.Finding
	if err := json.Unmarshal(doc, &f); err != nil {
		return finding.Finding{}, false, fmt.Errorf("decoding stored document: %w", err)
	}
	return f, true, nil
}

// ListFindings implements Findings.
func (s *SQLite) ListFindings(ctx context.Context, q FindingQuery) ([]finding.Finding, error) {
	query, args, err := findingQuerySQL(q)
	if err != nil {
		return nil, fmt.Errorf("listing findings: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing findings: %w", err)
	}
	out, err := scanFindings(rows)
	if err != nil {
		return nil, fmt.Errorf("listing findings: %w", err)
	}
	return out, nil
}

// scanFindings decodes rows of finding documents and closes rows.
func scanFindings(rows *sql.Rows) ([]finding.Finding, error) {
	defer rows.Close()
	var out []finding.Finding
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var f finding.Finding
		if err := json.Unmarshal(doc, &f); err != nil {
			return nil, fmt.Errorf("decoding stored document: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// findingQuerySQL builds the SELECT for q. Every value is a bind parameter;
// only the shape of the statement (how many types) varies.
func findingQuerySQL(q FindingQuery) (string, []any, error) {
	if q.Limit < 0 {
		return "", nil, fmt.Errorf("%w: negative limit %d", ErrInvalid, q.Limit)
	}
	var where []string
	var args []any
	if len(q.Types) > 0 {
		where = append(where, "type IN (?"+strings.Repeat(", ?", len(q.Types)-1)+")")
		for _, t := range q.Types {
			args = append(args, t)
		}
	}
	if q.Archived != nil {
		where = append(where, "archived = ?")
		args = append(args, *q.Archived)
	}
	if q.MinSeverity != 0 {
		where = append(where, "severity >= ?")
		args = append(args, q.MinSeverity)
	}
	if q.After != "" {
		c, err := ParseCursor(q.After)
		if err != nil {
			return "", nil, err
		}
		at := nanos(c.UpdatedAt)
		where = append(where, "(updated_at < ? OR (updated_at = ? AND id < ?))")
		args = append(args, at, at, c.ID)
	}
	query := "SELECT doc FROM findings"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY updated_at DESC, id DESC"
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	return query, args, nil
}
