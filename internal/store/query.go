package store

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
)

// FindingQuery selects findings for ListFindings. Zero values select
// everything.
type FindingQuery struct {
	Types       []string // any of these types; empty for all
	Archived    *bool    // only archived (true) or only current (false); nil for both
	MinSeverity float64  // severity >= MinSeverity
	Limit       int      // at most Limit findings; 0 for no limit
	After       string   // cursor from CursorAfter: continue after that finding
}

// Cursor is a position in the updatedAt-descending order of findings. It
// holds the sort key itself rather than the id alone, so a page boundary
// stays put even when the finding at it is updated (and moves to the top)
// between two pages.
type Cursor struct {
	UpdatedAt time.Time
	ID        string
}

// CursorAfter returns the cursor that continues a listing after f, usually
// the last finding of the previous page.
func CursorAfter(f finding.Finding) string {
	return base64.RawURLEncoding.EncodeToString([]byte(f.UpdatedAt + "\n" + f.ID))
}

// ParseCursor decodes a cursor made by CursorAfter. Implementations call it;
// its errors wrap ErrInvalid.
func ParseCursor(s string) (Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, fmt.Errorf("cursor %q: %w: %v", s, ErrInvalid, err)
	}
	at, id, ok := strings.Cut(string(raw), "\n")
	if !ok || id == "" {
		return Cursor{}, fmt.Errorf("cursor %q: %w: no finding id", s, ErrInvalid)
	}
	t, err := ParseFindingTime(at)
	if err != nil {
		return Cursor{}, fmt.Errorf("cursor %q: %w", s, err)
	}
	return Cursor{UpdatedAt: t, ID: id}, nil
}

// ParseFindingTime parses a finding's createdAt or updatedAt (ISO-8601 in
// UTC, GuardDuty writes milliseconds). Stores sort on the parsed time, not
// the string, so that a producer writing other precisions or offsets still
// sorts correctly.
func ParseFindingTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w: %v", s, ErrInvalid, err)
	}
	return t.UTC(), nil
}
