package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/vigilsec/vigil/internal/finding"
)

// PutFilter implements Filters.
func (s *SQLite) PutFilter(ctx context.Context, f finding.Filter) error {
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding filter %s: %w", f.Name, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO filters (name, rank, doc) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET rank = excluded.rank, doc = excluded.doc`, f.Name, f.Rank, string(doc))
		return err
	})
	if err != nil {
		return fmt.Errorf("storing filter %s: %w", f.Name, err)
	}
	return nil
}

// DeleteFilter implements Filters.
func (s *SQLite) DeleteFilter(ctx context.Context, name string) (bool, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM filters WHERE name = ?`, name)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("deleting filter %s: %w", name, err)
	}
	return n > 0, nil
}

// ListFilters implements Filters.
func (s *SQLite) ListFilters(ctx context.Context) ([]finding.Filter, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM filters ORDER BY rank, name`)
	if err != nil {
		return nil, fmt.Errorf("listing filters: %w", err)
	}
	defer rows.Close()
	var out []finding.Filter
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("listing filters: %w", err)
		}
		var f finding.Filter
		if err := json.Unmarshal(doc, &f); err != nil {
			return nil, fmt.Errorf("listing filters: decoding: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
