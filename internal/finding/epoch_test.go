package finding

import (
	"encoding/json"
	"testing"
	"time"
)

func TestEpochTimeRoundTrip(t *testing.T) {
	times := []time.Time{
		time.Date(2021, 11, 3, 18, 0, 10, 342_000_000, time.UTC),
		time.Date(2026, 6, 1, 10, 15, 2, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 1, 1_000_000, time.UTC),
		time.Date(2026, 6, 1, 10, 15, 2, 999_999_999, time.FixedZone("x", 3600)), // truncated to ms
	}
	for _, tm := range times {
		e := Epoch(tm)
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back EpochTime
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !back.Equal(e.Time) {
			t.Errorf("%v → %s → %v", tm, b, back.Time)
		}
	}
}

func TestEpochTimeForms(t *testing.T) {
	cases := map[string]string{
		`1635962410.342`:             "2021-11-03T18:00:10.342Z",
		`1513612691.551`:             "2017-12-18T15:58:11.551Z",
		`"2023-03-22T19:37:20.168Z"`: "2023-03-22T19:37:20.168Z",
		`1780308919`:                 "2026-06-01T10:15:19.000Z",
	}
	for in, want := range cases {
		var e EpochTime
		if err := json.Unmarshal([]byte(in), &e); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := ISOTime(e.Time); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{`"yesterday"`, `"1960-01-01T00:00:00Z"`, `-1`, `1e300`, `true`, `{}`} {
		var e EpochTime
		if err := json.Unmarshal([]byte(bad), &e); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	var e EpochTime
	if err := json.Unmarshal([]byte(`null`), &e); err != nil || !e.IsZero() {
		t.Errorf("null: %v %v", err, e)
	}
	if b, _ := json.Marshal(EpochTime{}); string(b) != "null" {
		t.Errorf("zero marshals as %s", b)
	}
}

// FuzzEpochTime: any input either fails cleanly or yields a time that
// marshals and reads back to itself.
func FuzzEpochTime(f *testing.F) {
	for _, s := range []string{`1635962410.342`, `"2023-03-22T19:37:20.168Z"`, `null`, `0`, `1e11`, `"x"`, ` 1.5 `, `-0`, `"1960-01-01T00:00:00Z"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var e EpochTime
		if err := e.UnmarshalJSON(b); err != nil {
			return
		}
		out, err := e.MarshalJSON()
		if err != nil {
			t.Fatalf("%q read but does not marshal: %v", b, err)
		}
		var back EpochTime
		if err := back.UnmarshalJSON(out); err != nil {
			t.Fatalf("%q → %s does not read back: %v", b, out, err)
		}
		if !back.Equal(e.Time) {
			t.Fatalf("%q → %v → %s → %v", b, e.Time, out, back.Time)
		}
	})
}
