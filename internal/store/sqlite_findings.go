package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/finding"
)

// UpsertFinding implements Findings.
func (s *SQLite) UpsertFinding(ctx context.Context, f finding.Finding, merge MergeFunc) (finding.Finding, bool, error) {
	var saved finding.Finding
	var created bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		prev, ok, err := getFinding(ctx, tx, f.ID)
		if err != nil {
			return err
		}
		var prevp *finding.Finding
		if ok {
			prevp = &prev
		}
		next, out := merge(prevp, f)
		if next.ID != f.ID {
			return fmt.Errorf("%w: merge changed the id to %q", ErrInvalid, next.ID)
		}
		if err := putFinding(ctx, tx, next); err != nil {
			return err
		}
		if err := insertDeliveries(ctx, tx, out, s.now()); err != nil {
			return err
		}
		saved, created = next, !ok
		return nil
	})
	if err != nil {
		return finding.Finding{}, false, fmt.Errorf("storing finding %s: %w", f.ID, err)
	}
	return saved, created, nil
}

// putFinding writes f's document and the columns derived from it.
func putFinding(ctx context.Context, tx *sql.Tx, f finding.Finding) error {
	if f.ID == "" {
		return fmt.Errorf("%w: empty finding id", ErrInvalid)
	}
	updated, err := ParseFindingTime(f.UpdatedAt)
	if err != nil {
		return fmt.Errorf("updatedAt: %w", err)
	}
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
INSERT INTO findings (id, type, severity, archived, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET type = excluded.type, severity = excluded.severity,
	archived = excluded.archived, updated_at = excluded.updated_at, doc = excluded.doc`,
		f.ID, f.Type, f.Severity, f.Service.Archived, nanos(updated), string(doc))
	if err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	return nil
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
	defer rows.Close()
	var out []finding.Finding
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("listing findings: %w", err)
		}
		var f finding.Finding
		if err := json.Unmarshal(doc, &f); err != nil {
			return nil, fmt.Errorf("listing findings: decoding stored document: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing findings: %w", err)
	}
	return out, nil
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
