package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/outputtest"
	"github.com/vigilsec/vigil/internal/polltest"
	"github.com/vigilsec/vigil/internal/runctest"
)

// TestOutputJSONEnrichesContainerEvents runs the agent as
// `vigil agent --output json` does and checks that an exec inside a real
// runc container comes out with its container id, executable hash and
// lineage.
func TestOutputJSONEnrichesContainerEvents(t *testing.T) {
	kerneltest.Require(t, "root", "btf", "runc", "busybox")
	out := &outputtest.Buffer{}
	ag := runAgent(t, out)
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
	line := waitLine(t, out, "the connect event from container "+res.ID, `"socketPath":"/nonexistent.sock"`, res.ID)
	for _, want := range []string{`"executablePath":"/bin/probe"`, `"lineage":[`, `"runtime":"runc"`} {
		if !strings.Contains(line, want) {
			t.Errorf("event %s lacks %s", line, want)
		}
	}
}

// gatedWriter blocks every Write until open is closed: an uplink that is
// slow, or a ship stage busy hashing.
type gatedWriter struct {
	open chan struct{}
	outputtest.Buffer
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	<-g.open
	return g.Buffer.Write(p)
}

// TestLateShipKeepsContainerAndDigest holds the agent's output until a
// short-lived container has exited and runc has deleted it (its processes,
// /proc entries, cgroup and state are gone). The events shipped afterwards
// still name the container and carry the executable's SHA-256.
func TestLateShipKeepsContainerAndDigest(t *testing.T) {
	kerneltest.Require(t, "root", "btf", "runc", "busybox")
	out := &gatedWriter{open: make(chan struct{})}
	runAgent(t, out)
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer rcancel()
	// It lives a moment: a process gone within a millisecond of its exec
	// may be gone before the agent reads the exec at all (no digest then).
	res, err := runctest.Run(rctx, t, runctest.Spec{Args: []string{"/bin/busybox", "sleep", "0.3"}})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("container: %v %+v", err, res)
	}
	close(out.open)
	want := `"executableSha256":"` + fileSHA256(t, busyboxPath(t)) + `"`
	line := waitLine(t, &out.Buffer, "the exec event from container "+res.ID, `"kind":"KIND_EXEC"`, `"id":"`+res.ID+`"`)
	if !strings.Contains(line, want) || !strings.Contains(line, `"runtime":"runc"`) {
		t.Fatalf("exec event %s: want %s and runtime runc", line, want)
	}
}

func busyboxPath(t *testing.T) string {
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("no busybox")
	return ""
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// runAgent runs an agent that prints its events to out, as
// `vigil agent --output json` does, until the test ends.
func runAgent(t *testing.T, out io.Writer) *Agent {
	t.Helper()
	ag, err := New(Config{StateDir: t.TempDir(), Output: out, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ag.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return ag
}

// waitLine waits for a JSON line of out that contains every part, and
// returns it.
func waitLine(t *testing.T, out *outputtest.Buffer, what string, parts ...string) string {
	t.Helper()
	var line string
	found := polltest.Poll(10*time.Second, func() bool {
		for _, l := range strings.Split(out.String(), "\n") {
			if containsAll(l, parts) {
				line = l
				return true
			}
		}
		return false
	})
	if !found {
		t.Fatalf("no %s in:\n%.3000s", what, out.String())
	}
	return line
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
