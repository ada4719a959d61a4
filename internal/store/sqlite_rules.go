package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigilsec/vigil/internal/bus"
)

// PutRule implements Rules. The pattern is kept in its own column, not
// inside a re-encoded document, because encoding/json would compact it and
// escape characters such as & (in "C&CActivity"): the user must read back
// the pattern they wrote.
func (s *SQLite) PutRule(ctx context.Context, r bus.Rule) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if r.Name == "" {
			return fmt.Errorf("%w: empty rule name", ErrInvalid)
		}
		if !json.Valid(r.Pattern) {
			return fmt.Errorf("%w: pattern is not JSON", ErrInvalid)
		}
		targets, err := json.Marshal(r.Targets)
		if err != nil {
			return fmt.Errorf("encoding targets: %w", err)
		}
		_, err = tx.ExecContext(ctx, `
INSERT INTO rules (name, description, pattern, enabled, targets) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET description = excluded.description,
	pattern = excluded.pattern, enabled = excluded.enabled, targets = excluded.targets`,
			r.Name, r.Description, string(r.Pattern), r.Enabled, string(targets))
		return err
	})
	if err != nil {
		return fmt.Errorf("storing rule %q: %w", r.Name, err)
	}
	return nil
}

const ruleColumns = `name, description, pattern, enabled, targets`

func scanRule(sc interface{ Scan(...any) error }) (bus.Rule, error) {
	var r bus.Rule
	var pattern, targets []byte
	if err := sc.Scan(&r.Name, &r.Description, &pattern, &r.Enabled, &targets); err != nil {
		return bus.Rule{}, err
	}
	r.Pattern = json.RawMessage(pattern)
	if err := json.Unmarshal(targets, &r.Targets); err != nil {
		return bus.Rule{}, fmt.Errorf("decoding targets: %w", err)
	}
	return r, nil
}

// GetRule implements Rules.
func (s *SQLite) GetRule(ctx context.Context, name string) (bus.Rule, bool, error) {
	r, err := scanRule(s.r.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM rules WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return bus.Rule{}, false, nil
	}
	if err != nil {
		return bus.Rule{}, false, fmt.Errorf("reading rule %q: %w", name, err)
	}
	return r, true, nil
}

// DeleteRule implements Rules.
func (s *SQLite) DeleteRule(ctx context.Context, name string) (bool, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `DELETE FROM rules WHERE name = ?`, name)
	})
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("deleting rule %q: %w", name, err)
	}
	return true, nil
}

// ListRules implements Rules.
func (s *SQLite) ListRules(ctx context.Context) ([]bus.Rule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+ruleColumns+` FROM rules ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing rules: %w", err)
	}
	defer rows.Close()
	var out []bus.Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("listing rules: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing rules: %w", err)
	}
	return out, nil
}
