package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
)

// AgentLastSeq implements Agents.
func (s *SQLite) AgentLastSeq(ctx context.Context, agentID string) (uint64, error) {
	var seq int64
	err := s.r.QueryRowContext(ctx, `SELECT last_seq FROM agents WHERE agent_id = ?`, agentID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading last sequence of agent %s: %w", agentID, err)
	}
	return uint64(seq), nil
}

// SetAgentLastSeq implements Agents. max() in the upsert keeps the mark
// monotonic inside the database, with no read-modify-write race to lose.
func (s *SQLite) SetAgentLastSeq(ctx context.Context, agentID string, seq uint64) error {
	if seq > math.MaxInt64 {
		return fmt.Errorf("storing last sequence of agent %s: %w: %d exceeds a signed 64-bit integer", agentID, ErrInvalid, seq)
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return setLastSeq(ctx, tx, agentID, seq) })
	if err != nil {
		return fmt.Errorf("storing last sequence of agent %s: %w", agentID, err)
	}
	return nil
}

func setLastSeq(ctx context.Context, tx *sql.Tx, agentID string, seq uint64) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO agents (agent_id, last_seq) VALUES (?, ?)
ON CONFLICT (agent_id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`,
		agentID, int64(seq))
	return err
}
