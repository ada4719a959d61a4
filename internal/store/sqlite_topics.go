package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/vigilsec/vigil/internal/bus"
)

// PutTopic implements Topics.
func (s *SQLite) PutTopic(ctx context.Context, t bus.Topic) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO topics (name, display_name, created_at) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET display_name = excluded.display_name`, t.Name, t.DisplayName, nanos(s.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("storing topic %s: %w", t.Name, err)
	}
	return nil
}

// DeleteTopic implements Topics; its subscriptions go with it.
func (s *SQLite) DeleteTopic(ctx context.Context, name string) (bool, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM topics WHERE name = ?`, name)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("deleting topic %s: %w", name, err)
	}
	return n > 0, nil
}

// ListTopics implements Topics.
func (s *SQLite) ListTopics(ctx context.Context) ([]bus.Topic, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name, display_name, created_at FROM topics ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing topics: %w", err)
	}
	defer rows.Close()
	var out []bus.Topic
	for rows.Next() {
		var t bus.Topic
		var created int64
		if err := rows.Scan(&t.Name, &t.DisplayName, &created); err != nil {
			return nil, fmt.Errorf("listing topics: %w", err)
		}
		t.CreatedAt = fromNanos(created)
		out = append(out, t)
	}
	return out, rows.Err()
}

// Subscribe implements Topics: the subscription is stored with the digest
// of its token, and out (the confirmation mail) is enqueued with it.
func (s *SQLite) Subscribe(ctx context.Context, sub bus.Subscription, out []bus.Delivery) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM topics WHERE name = ?`, sub.Topic).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("%w: topic %s", ErrNotFound, sub.Topic)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO subscriptions
(id, topic, protocol, endpoint, status, token_sha256, created_at, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			sub.ID, sub.Topic, sub.Protocol, sub.Endpoint, sub.Status, tokenDigest(sub.Token),
			nanos(sub.CreatedAt), nanosOrZero(sub.ConfirmedAt))
		if err != nil {
			return err
		}
		return insertDeliveries(ctx, tx, out, s.now())
	})
	if err != nil {
		return fmt.Errorf("storing subscription to %s: %w", sub.Topic, err)
	}
	return nil
}

// ListSubscriptions implements Topics ("" lists every topic's).
func (s *SQLite) ListSubscriptions(ctx context.Context, topic string) ([]bus.Subscription, error) {
	q := `SELECT id, topic, protocol, endpoint, status, created_at, confirmed_at FROM subscriptions`
	var args []any
	if topic != "" {
		q += ` WHERE topic = ?`
		args = append(args, topic)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY topic, created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing subscriptions: %w", err)
	}
	defer rows.Close()
	var out []bus.Subscription
	for rows.Next() {
		var sub bus.Subscription
		var created, confirmed int64
		if err := rows.Scan(&sub.ID, &sub.Topic, &sub.Protocol, &sub.Endpoint, &sub.Status, &created, &confirmed); err != nil {
			return nil, fmt.Errorf("listing subscriptions: %w", err)
		}
		sub.CreatedAt = fromNanos(created)
		if confirmed != 0 {
			sub.ConfirmedAt = fromNanos(confirmed)
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// ConfirmSubscription implements Topics.
func (s *SQLite) ConfirmSubscription(ctx context.Context, id, token string) (bus.Subscription, error) {
	var sub bus.Subscription
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkToken(ctx, tx, id, token); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE subscriptions SET status = ?, confirmed_at = ?
WHERE id = ? AND status <> ?`, bus.StatusConfirmed, nanos(s.now()), id, bus.StatusConfirmed)
		if err != nil {
			return err
		}
		sub, err = getSubscription(ctx, tx, id)
		return err
	})
	if err != nil {
		return bus.Subscription{}, fmt.Errorf("confirming subscription %s: %w", id, err)
	}
	return sub, nil
}

// Unsubscribe implements Topics: with the subscription's token (from a
// mail's link), or with token "" by an administrator.
func (s *SQLite) Unsubscribe(ctx context.Context, id, token string, admin bool) (bus.Subscription, error) {
	var sub bus.Subscription
	err := s.write(ctx, func(tx *sql.Tx) error {
		if !admin {
			if err := checkToken(ctx, tx, id, token); err != nil {
				return err
			}
		}
		var err error
		if sub, err = getSubscription(ctx, tx, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return bus.Subscription{}, fmt.Errorf("unsubscribing %s: %w", id, err)
	}
	return sub, nil
}

func getSubscription(ctx context.Context, q queryer, id string) (bus.Subscription, error) {
	var sub bus.Subscription
	var created, confirmed int64
	err := q.QueryRowContext(ctx, `SELECT id, topic, protocol, endpoint, status, created_at, confirmed_at
FROM subscriptions WHERE id = ?`, id).Scan(&sub.ID, &sub.Topic, &sub.Protocol, &sub.Endpoint, &sub.Status, &created, &confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fmt.Errorf("%w: subscription %s", ErrNotFound, id)
	}
	sub.CreatedAt = fromNanos(created)
	if confirmed != 0 {
		sub.ConfirmedAt = fromNanos(confirmed)
	}
	return sub, err
}

// checkToken compares digests in constant time; a wrong token and a
// missing subscription look alike to the caller.
func checkToken(ctx context.Context, tx *sql.Tx, id, token string) error {
	var digest string
	err := tx.QueryRowContext(ctx, `SELECT token_sha256 FROM subscriptions WHERE id = ?`, id).Scan(&digest)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && subtle.ConstantTimeCompare([]byte(digest), []byte(tokenDigest(token))) != 1) {
		return fmt.Errorf("%w: subscription %s with that token", ErrNotFound, id)
	}
	return err
}

func tokenDigest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func nanosOrZero(t interface {
	IsZero() bool
	UnixNano() int64
}) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
