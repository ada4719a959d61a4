package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
)

var _ Store = (*SQLite)(nil)

// insertDeliveries writes ds to the outbox inside tx, so they commit or roll
// back with the state change that produced them.
func insertDeliveries(ctx context.Context, tx *sql.Tx, ds []bus.Delivery, now time.Time) error {
	for i, d := range ds {
		if !json.Valid(d.Payload) {
			return fmt.Errorf("enqueuing delivery %d (event %s): %w: payload is not JSON", i, d.EventID, ErrInvalid)
		}
		target, err := json.Marshal(d.Target)
		if err != nil {
			return fmt.Errorf("enqueuing delivery %d (event %s): encoding target: %w", i, d.EventID, err)
		}
		created, next := d.CreatedAt, d.NextAt
		if created.IsZero() {
			created = now
		}
		if next.IsZero() {
			next = created
		}
		_, err = tx.ExecContext(ctx, `
INSERT INTO outbox (event_id, rule, target, payload, attempts, created_at, next_at, last_error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			d.EventID, d.Rule, string(target), string(d.Payload), d.Attempts,
			nanos(created), nanos(next), d.LastError)
		if err != nil {
			return fmt.Errorf("enqueuing delivery %d (event %s): %w", i, d.EventID, err)
		}
	}
	return nil
}

// Enqueue implements Outbox.
func (s *SQLite) Enqueue(ctx context.Context, ds []bus.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		return insertDeliveries(ctx, tx, ds, s.now())
	})
	if err != nil {
		return fmt.Errorf("enqueuing %d deliveries: %w", len(ds), err)
	}
	return nil
}

// deliveryColumns is the column list scanDelivery expects, shared by the
// outbox and dead-letter queries.
const deliveryColumns = `id, event_id, rule, target, payload, attempts, created_at, next_at, last_error`

// scanDelivery reads one row of deliveryColumns followed by extra.
func scanDelivery(sc interface{ Scan(...any) error }, extra ...any) (bus.Delivery, error) {
	var d bus.Delivery
	var target, payload []byte
	var created, next int64
	dest := append([]any{&d.ID, &d.EventID, &d.Rule, &target, &payload, &d.Attempts, &created, &next, &d.LastError}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return bus.Delivery{}, err
	}
	if err := json.Unmarshal(target, &d.Target); err != nil {
		return bus.Delivery{}, fmt.Errorf("decoding target of delivery %d: %w", d.ID, err)
	}
	d.Payload = json.RawMessage(payload)
	d.CreatedAt, d.NextAt = fromNanos(created), fromNanos(next)
	return d, nil
}

// Claim implements Outbox. One UPDATE … RETURNING both selects and leases
// the rows, so no other claimer can be handed the same row in between.
func (s *SQLite) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]bus.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []bus.Delivery
	err := s.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
UPDATE outbox SET next_at = ?, leased_until = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM outbox WHERE next_at <= ? ORDER BY next_at, id LIMIT ?)
RETURNING `+deliveryColumns, nanos(now.Add(lease)), nanos(now.Add(lease)), nanos(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claiming deliveries: %w", err)
	}
	// RETURNING yields rows in no defined order; hand them out in id
	// (enqueue) order so callers deliver in the order events happened.
	slices.SortFunc(out, func(a, b bus.Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Complete implements Outbox.
func (s *SQLite) Complete(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `DELETE FROM outbox WHERE id = ?`, id)
	})
	if err != nil {
		return fmt.Errorf("completing delivery %d: %w", id, err)
	}
	return nil
}

// CompleteMany implements Outbox: one transaction for many completions,
// which is what lets delivery keep up with a burst (every commit is an
// fsync). Ids already gone are skipped.
func (s *SQLite) CompleteMany(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `DELETE FROM outbox WHERE id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, id := range ids {
			if _, err := stmt.ExecContext(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("completing %d deliveries: %w", len(ids), err)
	}
	return nil
}

// Retry implements Outbox.
func (s *SQLite) Retry(ctx context.Context, id int64, next time.Time, lastErr string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE outbox SET next_at = ?, last_error = ?, leased_until = 0 WHERE id = ?`,
			nanos(next), lastErr, id)
	})
	if err != nil {
		return fmt.Errorf("scheduling retry of delivery %d: %w", id, err)
	}
	return nil
}

// Defer implements Outbox. SQLite's two-argument max() is the scalar
// maximum, so a row enqueued with Attempts 0 and deferred without a claim
// stays at 0.
func (s *SQLite) Defer(ctx context.Context, id int64, next time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE outbox SET next_at = ?, leased_until = 0, attempts = max(attempts - 1, 0) WHERE id = ?`,
			nanos(next), id)
	})
	if err != nil {
		return fmt.Errorf("deferring delivery %d: %w", id, err)
	}
	return nil
}

// Expedite implements Outbox.
func (s *SQLite) Expedite(ctx context.Context, rule, targetID string, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET next_at = ?
WHERE rule = ? AND json_extract(target, '$.id') = ? AND last_error <> '' AND next_at > ? AND leased_until <= ?`,
			nanos(now), rule, targetID, nanos(now), nanos(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expediting deliveries to %s/%s: %w", rule, targetID, err)
	}
	return int(n), nil
}

// PendingDeliveries implements Outbox.
func (s *SQLite) PendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting pending deliveries: %w", err)
	}
	return n, nil
}

// execOne runs a statement that must affect exactly one row, and reports
// ErrNotFound when it affected none.
func execOne(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
