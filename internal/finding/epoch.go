package finding

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// EpochTime is a timestamp that GuardDuty's rest-json protocol serialises as
// Unix epoch seconds with fractional milliseconds (1717171042.456). It also
// accepts an RFC 3339 string on input, since AWS prose calls these fields
// "UTC date strings" and some exports carry them so.
type EpochTime struct{ time.Time }

// Epoch wraps t, truncated to milliseconds.
func Epoch(t time.Time) EpochTime { return EpochTime{t.UTC().Truncate(time.Millisecond)} }

// IsZero reports whether the time is unset (used by `omitzero`).
func (e EpochTime) IsZero() bool { return e.Time.IsZero() }

// MarshalJSON writes epoch seconds with millisecond precision.
func (e EpochTime) MarshalJSON() ([]byte, error) {
	if e.Time.IsZero() {
		return []byte("null"), nil
	}
	ms := e.Time.UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads epoch seconds (number) or an RFC 3339 string.
func (e *EpochTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*e = EpochTime{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("timestamp: %w", err)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q: want epoch seconds or RFC 3339", s)
		}
		// Same range as the numeric form, so that whatever is read can be
		// written and read back (MarshalJSON emits epoch seconds).
		if t.Before(time.Unix(0, 0)) || t.After(time.Unix(1e11, 0)) {
			return fmt.Errorf("timestamp %q: out of range (1970 to year 5138)", s)
		}
		*e = Epoch(t)
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return fmt.Errorf("timestamp %s: want epoch seconds or RFC 3339", b)
	}
	*e = EpochTime{time.UnixMilli(int64(math.Round(f * 1000))).UTC()}
	return nil
}

// ISOTime formats t as GuardDuty formats createdAt/updatedAt:
// 2023-05-29T02:05:48.564Z.
func ISOTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
