package notify

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/bus"
)

// addSeeds seeds a fuzz target with the fixtures and a few awkward shapes.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"", "text\r\nX-Evil: 1", `"quoted"`, "null", "[1,2]", "\xff\xfe",
		`{"detail-type":"GuardDuty Finding","detail":{"type":"<!channel>","severity":1e308,"service":{"runtimeDetails":{"process":{"name":"&<>"}}}}}`,
		`{"detail-type":"GuardDuty Runtime Protection Unhealthy","detail":{"lastUpdatedAt":null,"issue":"` + strings.Repeat("<", 4000) + `"}}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzBuildWebhook: never panics; the body is the payload byte for byte and
// the signature verifies over it; no payload adds a header.
func FuzzBuildWebhook(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		target := bus.WebhookTarget{URL: "https://h.example/", Secret: "k", Headers: map[string]string{"X-A": "b"}}
		req, err := BuildWebhook(target, "ev-1", payload, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(req.Body, payload) {
			t.Fatal("body differs from payload")
		}
		if req.Headers.Get(HeaderSignature) != independentSignature("k", testNowUnix, payload) {
			t.Fatal("signature does not verify")
		}
		if len(req.Headers) != 6 {
			t.Fatalf("headers %v", req.Headers)
		}
	})
}

// FuzzBuildSlack: never panics; the message marshals; every text stays
// within Slack's limits and carries no unescaped markup.
func FuzzBuildSlack(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		m, err := BuildSlack("ev-1", payload, "https://c.example")
		if err != nil {
			if len(bytes.TrimSpace(payload)) != 0 {
				t.Fatalf("error on a non-empty payload: %v", err)
			}
			return
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatal(err)
		}
		if m.Text == "" || utf8.RuneCountInString(m.Text) > slackTextMax {
			t.Fatalf("text of %d runes", utf8.RuneCountInString(m.Text))
		}
		checkMrkdwn(t, m.Text, slackTextMax)
		for _, b := range m.Blocks {
			if b.Text != nil {
				checkMrkdwn(t, b.Text.Text, slackSectionMax)
			}
			if len(b.Fields) > 10 {
				t.Fatalf("%d fields", len(b.Fields))
			}
			for _, x := range append(b.Fields, b.Elements...) {
				checkMrkdwn(t, x.Text, slackFieldMax)
			}
		}
	})
}

func checkMrkdwn(t *testing.T, s string, max int) {
	t.Helper()
	if n := utf8.RuneCountInString(s); n > max {
		t.Fatalf("%d runes, limit %d", n, max)
	}
	// Our only markup is the console link; nothing else may contain < > &
	// other than as the three escapes.
	s = strings.Replace(s, "<https://c.example/findings/", "", 1)
	s = strings.Replace(s, "|View in the console>", "", 1)
	if strings.ContainsAny(strings.NewReplacer("&amp;", "", "&lt;", "", "&gt;", "").Replace(s), "<>&") {
		t.Fatalf("unescaped markup: %q", s)
	}
}

// FuzzBuildFileLine: never panics; the result is exactly one line holding
// one JSON object with the event id, and the payload round-trips (as JSON
// or as text).
func FuzzBuildFileLine(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		line, err := BuildFileLine("ev-1", payload, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(line, '\n') != len(line)-1 {
			t.Fatalf("not exactly one line: %q", line)
		}
		var l FileLine
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		if l.EventID != "ev-1" {
			t.Fatalf("event id %q", l.EventID)
		}
		if l.Text != nil {
			if json.Valid(payload) || (utf8.Valid(payload) && *l.Text != string(payload)) {
				t.Fatalf("text member for %q", payload)
			}
			return
		}
		var want bytes.Buffer
		if err := json.Compact(&want, payload); err != nil || !bytes.Equal(l.Payload, want.Bytes()) {
			t.Fatalf("payload %q, want %q", l.Payload, want.Bytes())
		}
	})
}
