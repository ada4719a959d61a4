package notify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/vigilsec/vigil/internal/bus"
)

func TestBuildFileLine(t *testing.T) {
	cases := []struct {
		name, payload, want string
	}{
		{"event is compacted, markup kept", "{\n  \"detail\": {\"name\": \"<script>&\"}\n}",
			`{"eventId":"ev-1","deliveredAt":"2026-06-01T10:52:41.000Z","payload":{"detail":{"name":"<script>&"}}}` + "\n"},
		{"JSON string stays JSON", `"HIGH in web"`,
			`{"eventId":"ev-1","deliveredAt":"2026-06-01T10:52:41.000Z","payload":"HIGH in web"}` + "\n"},
		{"null stays JSON", `null`,
			`{"eventId":"ev-1","deliveredAt":"2026-06-01T10:52:41.000Z","payload":null}` + "\n"},
		{"text goes in text", "\"Severity 8\"\n\"Type x\"\n",
			`{"eventId":"ev-1","deliveredAt":"2026-06-01T10:52:41.000Z","text":"\"Severity 8\"\n\"Type x\"\n"}` + "\n"},
		{"empty payload is text", "",
			`{"eventId":"ev-1","deliveredAt":"2026-06-01T10:52:41.000Z","text":""}` + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := BuildFileLine("ev-1", []byte(c.payload), testNow)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("line\n got %s\nwant %s", got, c.want)
			}
		})
	}
	// A null payload must not be confused with "no payload": the line
	// keeps "payload":null (checked above) and has no text member.
	got, _ := BuildFileLine("e", []byte("null"), testNow)
	var l FileLine
	if err := json.Unmarshal(got, &l); err != nil || l.Text != nil || string(l.Payload) != "null" {
		t.Errorf("null round trip: %+v, %v", l, err)
	}
}

func TestBuildFileLineFixture(t *testing.T) {
	payload := readFixture(t, "docker-socket")
	line, err := BuildFileLine("ev-1", payload, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
		t.Fatalf("not one line: %q", line)
	}
	var l FileLine
	if err := json.Unmarshal(line, &l); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	_ = json.Compact(&want, payload)
	if l.EventID != "ev-1" || !bytes.Equal(l.Payload, want.Bytes()) {
		t.Errorf("payload does not round-trip")
	}
}

func fileTarget(path string) bus.Target {
	return bus.Target{ID: "f", Kind: bus.TargetFile, File: &bus.FileTarget{Path: path}}
}

func fileSender(t *testing.T, cfg FileConfig) *Sender {
	t.Helper()
	s, err := NewSender(Config{File: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFileSendAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	s := fileSender(t, FileConfig{})
	ctx := context.Background()
	for _, p := range []string{`{"a":1}`, "plain text", `{"a":1}`} {
		if err := s.Send(ctx, fileTarget(path), "ev-"+p[:1], []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	lines := readLines(t, path)
	if len(lines) != 3 || lines[0].EventID != "ev-{" || lines[2].EventID != lines[0].EventID ||
		lines[1].Text == nil || *lines[1].Text != "plain text" {
		t.Errorf("lines = %+v", lines)
	}
	// An existing file keeps its mode: the operator may have widened it.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, fileTarget(path), "ev-4", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode changed to %v", fi.Mode().Perm())
	}
}

func readLines(t *testing.T, path string) []FileLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []FileLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var l FileLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d is not a whole JSON object: %v: %.80q", len(out)+1, err, sc.Text())
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFileSendConcurrent appends from 8 goroutines, each through its own
// Send (its own open file, as concurrent dispatcher workers do), with lines
// large enough that an interleaved write would show: every line must come
// back whole, and every delivery exactly once.
func TestFileSendConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	s := fileSender(t, FileConfig{})
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				filler := strings.Repeat(string(rune('a'+w)), 64<<10)
				payload := fmt.Sprintf(`{"writer":%d,"i":%d,"filler":%q}`, w, i, filler)
				errs <- s.Send(context.Background(), fileTarget(path), fmt.Sprintf("ev-%d-%d", w, i), []byte(payload))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, l := range readLines(t, path) {
		var p struct {
			Writer, I int
			Filler    string
		}
		if err := json.Unmarshal(l.Payload, &p); err != nil || l.EventID != fmt.Sprintf("ev-%d-%d", p.Writer, p.I) ||
			p.Filler != strings.Repeat(string(rune('a'+p.Writer)), 64<<10) {
			t.Fatalf("mixed line for %s: %v", l.EventID, err)
		}
		if seen[l.EventID] {
			t.Fatalf("%s written twice", l.EventID)
		}
		seen[l.EventID] = true
	}
	if len(seen) != writers*each {
		t.Errorf("%d lines, want %d", len(seen), writers*each)
	}
}

func TestFileSendErrors(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		cfg        FileConfig
		permanent  bool
	}{
		{"missing directory", filepath.Join(dir, "nope", "events.jsonl"), FileConfig{}, true},
		{"path is a directory", dir, FileConfig{}, true},
		{"through a file", filepath.Join(regular, "x"), FileConfig{}, true},
		{"FIFO without reader does not block", fifo, FileConfig{}, true},
		{"relative", "events.jsonl", FileConfig{}, true},
		{"not clean", dir + "/../x", FileConfig{}, true},
		{"outside allowed dirs", filepath.Join(dir, "a.jsonl"), FileConfig{AllowedDirs: []string{"/var/log/vigil"}}, true},
		{"allowed dir prefix is not a directory prefix", dir + "x/a.jsonl", FileConfig{AllowedDirs: []string{dir}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := fileSender(t, c.cfg).Send(context.Background(), fileTarget(c.path), "e", []byte(`{}`))
			if err == nil || bus.IsPermanent(err) != c.permanent {
				t.Fatalf("err = %v, want permanent=%v", err, c.permanent)
			}
			if !strings.HasPrefix(err.Error(), "target f: file ") {
				t.Errorf("error lacks context: %v", err)
			}
		})
	}
	if err := fileSender(t, FileConfig{AllowedDirs: []string{dir}}).Send(context.Background(),
		fileTarget(filepath.Join(dir, "ok.jsonl")), "e", []byte(`{}`)); err != nil {
		t.Errorf("inside allowed dir: %v", err)
	}
}

func TestClassifyFileErr(t *testing.T) {
	for errno, permanent := range map[syscall.Errno]bool{
		syscall.ENOSPC: false, syscall.EDQUOT: false, syscall.EIO: false, syscall.EROFS: false,
		syscall.ENOENT: true, syscall.EACCES: true, syscall.EISDIR: true,
	} {
		err := classifyFileErr("/x", "write", &os.PathError{Op: "write", Path: "/x", Err: errno})
		if bus.IsPermanent(err) != permanent {
			t.Errorf("%v: permanent = %v, want %v", errno, !permanent, permanent)
		}
	}
}
