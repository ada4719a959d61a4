package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// DeadLetter implements Outbox. The row keeps its id, which AUTOINCREMENT
// guarantees no later outbox row will take, so a redrive can restore it.
func (s *SQLite) DeadLetter(ctx context.Context, id int64, reason string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `
INSERT INTO dead_letters (`+deliveryColumns+`, reason, failed_at)
SELECT `+deliveryColumns+`, ?, ? FROM outbox WHERE id = ?`,
			reason, nanos(s.now()), id)
		if err != nil {
			return err
		}
		return execOne(ctx, tx, `DELETE FROM outbox WHERE id = ?`, id)
	})
	if err != nil {
		return fmt.Errorf("dead-lettering delivery %d: %w", id, err)
	}
	return nil
}

// ListDeadLetters implements Outbox.
func (s *SQLite) ListDeadLetters(ctx context.Context) ([]DeadLetter, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+deliveryColumns+`, reason, failed_at
FROM dead_letters ORDER BY failed_at, id`)
	if err != nil {
		return nil, fmt.Errorf("listing dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var dl DeadLetter
		var failed int64
		dl.Delivery, err = scanDelivery(rows, &dl.Reason, &failed)
		if err != nil {
			return nil, fmt.Errorf("listing dead letters: %w", err)
		}
		dl.FailedAt = fromNanos(failed)
		out = append(out, dl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing dead letters: %w", err)
	}
	return out, nil
}

// Redrive implements Outbox. The last error is kept so whoever looks at the
// outbox still sees why the delivery had failed.
func (s *SQLite) Redrive(ctx context.Context, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"
	args := make([]any, 0, len(ids))
	for _, id := range ids {
		args = append(args, id)
	}
	n, err := s.redrive(ctx, `WHERE id IN `+in, args)
	if err != nil {
		return 0, fmt.Errorf("redriving %d dead letters: %w", len(ids), err)
	}
	return n, nil
}

// RedriveAll implements Outbox, in one transaction as Redrive does.
func (s *SQLite) RedriveAll(ctx context.Context) (int, error) {
	n, err := s.redrive(ctx, ``, nil)
	if err != nil {
		return 0, fmt.Errorf("redriving all dead letters: %w", err)
	}
	return n, nil
}

// redrive moves the dead letters that where (a WHERE clause, or empty for
// all) selects, with args its parameters, back to the outbox.
func (s *SQLite) redrive(ctx context.Context, where string, args []any) (int, error) {
	// A redriven delivery starts a new life: its age (for the maximum
	// event age) counts from the redrive, or an old dead letter could
	// never be sent again.
	now := nanos(s.now())
	var moved int
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
INSERT INTO outbox (`+deliveryColumns+`)
SELECT id, event_id, rule, target, payload, 0, ?, ?, last_error
FROM dead_letters `+where, append([]any{now, now}, args...)...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		moved = int(n)
		_, err = tx.ExecContext(ctx, `DELETE FROM dead_letters `+where, args...)
		return err
	})
	return moved, err
}
