package notify

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzBuildEmail feeds arbitrary payloads: BuildEmail must not panic, and
// whatever it builds must be a parseable mail whose headers no input can
// extend (no injected header lines).
func FuzzBuildEmail(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"detail-type":"GuardDuty Finding","detail":{"type":"x\r\nBcc: evil@example.com","resource":{"containerDetails":{"id":"\u0000"}}}}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		m, err := BuildEmail([]string{"a@example.com"}, "v@example.com", "ev\r\nX: y", payload, "https://c.example")
		if err != nil {
			return
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Fatalf("subject with a line break: %q", m.Subject)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Raw()))
		if err != nil {
			t.Fatalf("Raw does not parse: %v", err)
		}
		for _, h := range []string{"Bcc", "X"} {
			if msg.Header.Get(h) != "" {
				t.Fatalf("injected header %s", h)
			}
		}
	})
}
