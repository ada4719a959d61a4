package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// UpdateCoverage implements Coverage.
func (s *SQLite) UpdateCoverage(ctx context.Context, resourceID string, fn CoverageFunc) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		prev, ok, err := getCoverage(ctx, tx, resourceID)
		if err != nil {
			return err
		}
		var prevp *CoverageRecord
		if ok {
			prevp = &prev
		}
		next, out, changed := fn(prevp)
		if changed {
			if err := putCoverage(ctx, tx, resourceID, next); err != nil {
				return err
			}
		}
		return insertDeliveries(ctx, tx, out, s.now())
	})
	if err != nil {
		return fmt.Errorf("updating coverage of %s: %w", resourceID, err)
	}
	return nil
}

func putCoverage(ctx context.Context, tx *sql.Tx, resourceID string, c CoverageRecord) error {
	if c.ResourceID != "" && c.ResourceID != resourceID {
		return fmt.Errorf("%w: record names resource %q", ErrInvalid, c.ResourceID)
	}
	if !json.Valid(c.Doc) {
		return fmt.Errorf("%w: document is not JSON", ErrInvalid)
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO coverage (resource_id, status, updated_at, doc) VALUES (?, ?, ?, ?)
ON CONFLICT (resource_id) DO UPDATE SET
	status = excluded.status, updated_at = excluded.updated_at, doc = excluded.doc`,
		resourceID, c.Status, nanos(c.UpdatedAt), string(c.Doc))
	if err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	return nil
}

func getCoverage(ctx context.Context, q queryer, resourceID string) (CoverageRecord, bool, error) {
	row := q.QueryRowContext(ctx, `SELECT resource_id, status, updated_at, doc FROM coverage WHERE resource_id = ?`, resourceID)
	c, err := scanCoverage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return CoverageRecord{}, false, nil
	}
	if err != nil {
		return CoverageRecord{}, false, fmt.Errorf("reading: %w", err)
	}
	return c, true, nil
}

func scanCoverage(sc interface{ Scan(...any) error }) (CoverageRecord, error) {
	var c CoverageRecord
	var at int64
	var doc []byte
	if err := sc.Scan(&c.ResourceID, &c.Status, &at, &doc); err != nil {
		return CoverageRecord{}, err
	}
	c.UpdatedAt, c.Doc = fromNanos(at), json.RawMessage(doc)
	return c, nil
}

// ListCoverage implements Coverage.
func (s *SQLite) ListCoverage(ctx context.Context) ([]CoverageRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT resource_id, status, updated_at, doc FROM coverage ORDER BY resource_id`)
	if err != nil {
		return nil, fmt.Errorf("listing coverage: %w", err)
	}
	defer rows.Close()
	var out []CoverageRecord
	for rows.Next() {
		c, err := scanCoverage(rows)
		if err != nil {
			return nil, fmt.Errorf("listing coverage: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing coverage: %w", err)
	}
	return out, nil
}
