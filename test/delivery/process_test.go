package delivery

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/buildtest"
)

// proc is one run of a vigil process, stopped by its PID only.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// startProc runs vigil with args, appending its output to logPath (kept
// across restarts, so a failure shows the whole history).
func startProc(t testing.TB, logPath string, args ...string) *proc {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("opening server log: %v", err)
	}
	p := &proc{cmd: exec.Command(vigilBinary(t), args...), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("starting vigil %v: %v", args, err)
	}
	go func() {
		_ = p.cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig and waits for the exit; SIGKILL follows after grace.
func (p *proc) signal(sig syscall.Signal, grace time.Duration) {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// rssKiB reads the resident set size of the running process (0 once it
// has exited).
func (p *proc) rssKiB() int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// cli runs a client command against the server whose data dir is data,
// as a user would, and returns its standard output.
func cli(t testing.TB, data string, args ...string) []byte {
	t.Helper()
	args = append(args, "--data", data)
	var stderr bytes.Buffer
	cmd := exec.Command(vigilBinary(t), args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vigil %v: %v: %s", args, err, stderr.Bytes())
	}
	return out
}

// readTrimmed reads a one-value file the server wrote (token, address).
func readTrimmed(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return strings.TrimSpace(string(b))
}

// vigilBinary is cmd/vigil, built once per test binary: the tests run what
// users run, not the server package in-process, so a crash is a real
// process death and a restart really re-reads the data directory.
func vigilBinary(t testing.TB) string {
	return buildtest.Binary(t, "github.com/vigilsec/vigil/cmd/vigil")
}
