package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTestPatternCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ev := write("event.json", `{"source":"aws.guardduty","detail-type":"GuardDuty Finding","detail":{"type":"Backdoor:Runtime/C&CActivity.B","severity":8}}`)
	cases := []struct {
		pattern, out, errPart string
	}{
		{`{"source":["aws.guardduty"],"detail":{"type":["Backdoor:Runtime/C&CActivity.B"]}}`, `{"result":true}`, ""},
		{`{"detail":{"severity":[{"numeric":[">=",9]}]}}`, `{"result":false}`, ""},
		{`{"detail":{"severity":[{"numeric":[">",9,"<",2]}]}}`, "", "detail.severity"},
		{`{"source":"aws.guardduty"}`, "", "source"},
	}
	for i, c := range cases {
		p := write("p"+string(rune('0'+i))+".json", c.pattern)
		var out bytes.Buffer
		err := runTestPattern([]string{"--pattern", p, "--event", ev}, &out, io.Discard)
		if c.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), c.errPart) {
				t.Errorf("%s: error %v, want one naming %q", c.pattern, err, c.errPart)
			}
			continue
		}
		if err != nil || strings.TrimSpace(out.String()) != c.out {
			t.Errorf("%s: printed %q (%v), want %s", c.pattern, out.String(), err, c.out)
		}
	}
}
