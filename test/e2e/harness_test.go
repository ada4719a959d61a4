// Package e2e runs vigil as users do: `vigil server` and `vigil agent` as
// processes, real runc containers, real mail through mailpit, and asserts
// on what the CLI prints and what arrives by mail.
package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/buildtest"
	"github.com/vigilsec/vigil/internal/coverage"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/outputtest"
	"github.com/vigilsec/vigil/internal/polltest"
)

// proc is a vigil process started by a test and stopped by PID.
type proc struct {
	cmd *exec.Cmd
	log *outputtest.Buffer
}

func start(t testing.TB, args ...string) *proc {
	t.Helper()
	p := &proc{log: &outputtest.Buffer{}}
	p.cmd = exec.Command(vigilBinary(t), args...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting vigil %v: %v", args, err)
	}
	t.Cleanup(func() {
		p.stop(syscall.SIGTERM)
		if t.Failed() {
			t.Logf("vigil %s output:\n%s", args[0], p.output())
		}
	})
	return p
}

func (p *proc) output() string {
	return p.log.String()
}

// stop signals the process and waits for it (SIGKILL after 10 s).
func (p *proc) stop(sig syscall.Signal) {
	if p.cmd.ProcessState != nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// cli runs a client command against the server whose data dir is data.
func cli(t testing.TB, data string, args ...string) []byte {
	t.Helper()
	args = append(args, "--data", data)
	out, err := exec.Command(vigilBinary(t), args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("vigil %v: %v: %s", args, err, stderr)
	}
	return out
}

func findings(t testing.TB, data string) []finding.Finding {
	t.Helper()
	var fs []finding.Finding
	if err := json.Unmarshal(cli(t, data, "findings", "list", "--json"), &fs); err != nil {
		t.Fatalf("findings list --json: %v", err)
	}
	return fs
}

func coverageList(t testing.TB, data string) []coverage.Resource {
	t.Helper()
	var rs []coverage.Resource
	if err := json.Unmarshal(cli(t, data, "coverage", "list", "--json"), &rs); err != nil {
		t.Fatalf("coverage list --json: %v", err)
	}
	return rs
}

func findByType(fs []finding.Finding, typ string, pred func(finding.Finding) bool) (finding.Finding, bool) {
	for _, f := range fs {
		if f.Type == typ && (pred == nil || pred(f)) {
			return f, true
		}
	}
	return finding.Finding{}, false
}

// waitDockerFinding waits for the DockerSocketAccessed finding of container
// id and returns it.
func waitDockerFinding(t testing.TB, data, id, what string) finding.Finding {
	t.Helper()
	var f finding.Finding
	polltest.Until(t, 20*time.Second, what, func() bool {
		var ok bool
		f, ok = findByType(findings(t, data), "PrivilegeEscalation:Runtime/DockerSocketAccessed", func(f finding.Finding) bool {
			return f.Resource.ContainerDetails != nil && f.Resource.ContainerDetails.ID == id
		})
		return ok
	})
	return f
}

// healthy waits until GET /healthz answers 200.
func healthy(t testing.TB, data string, timeout time.Duration) string {
	t.Helper()
	var base string
	polltest.Until(t, timeout, "vigil /healthz", func() bool {
		b, err := os.ReadFile(filepath.Join(data, "api.url"))
		if err != nil {
			return false
		}
		base = strings.TrimSpace(string(b))
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return base
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func withTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// vigilBinary is cmd/vigil, built once per test binary.
func vigilBinary(t testing.TB) string {
	return buildtest.Binary(t, "github.com/vigilsec/vigil/cmd/vigil")
}
