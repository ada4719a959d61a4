package agent

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/runctest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestOutputJSONEnrichesContainerEvents runs the agent as
// `vigil agent --output json` does and checks that an exec inside a real
// runc container comes out with its container id, executable hash and
// lineage.
func TestOutputJSONEnrichesContainerEvents(t *testing.T) {
	kerneltest.Require(t, "root", "btf", "runc", "busybox")
	out := &syncBuffer{}
	ag, err := New(Config{StateDir: t.TempDir(), Output: out, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ag.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	if err := ag.Ready(); err != nil {
		t.Fatalf("Ready with --output json: %v", err)
	}
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer rcancel()
	res, err := runctest.Run(rctx, t, runctest.Spec{Args: []string{"/bin/probe", "unix", "/nonexistent.sock"},
		Files: map[string]string{"/bin/probe": runctest.ProbeBinary(t)}})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var line string
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, `"socketPath":"/nonexistent.sock"`) && strings.Contains(l, res.ID) {
				line = l
			}
		}
		if line != "" {
			for _, want := range []string{`"executablePath":"/bin/probe"`, `"lineage":[`, `"runtime":"runc"`} {
				if !strings.Contains(line, want) {
					t.Errorf("event %s lacks %s", line, want)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connect event from container %s in:\n%.3000s", res.ID, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
