package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/vigilsec/vigil/internal/config"
)

// ensureToken reads a token file or creates it (0600) with 32 random bytes.
func ensureToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		tok := strings.TrimSpace(string(b))
		if len(tok) < 16 {
			return "", fmt.Errorf("token file %s: token shorter than 16 characters", path)
		}
		return tok, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading token file: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("making token: %w", err)
	}
	tok := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing token file: %w", err)
	}
	return tok, nil
}

// detectorID is the configured detector id or one derived from the account
// and data directory, so it is stable across restarts (32 hex, as GuardDuty's).
func detectorID(c *config.Config) string {
	if c.Account.DetectorID != "" {
		return c.Account.DetectorID
	}
	sum := sha256.Sum256([]byte("vigil-detector:" + c.Account.ID + ":" + c.Account.Region))
	return hex.EncodeToString(sum[:16])
}

// randomFindingID is a fresh 32-hex finding id.
func randomFindingID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making finding id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
