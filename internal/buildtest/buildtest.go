// Package buildtest builds this module's commands for tests that run them
// as users do (a real process, stopped by its PID), once per test binary
// and package.
package buildtest

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
	"testing"
)

type result struct {
	path string
	err  error
}

var (
	mu    sync.Mutex
	built = map[string]*result{}
)

// Binary builds the Go package pkg (an import path) with the extra
// environment (e.g. "CGO_ENABLED=0" for a static binary) and returns the
// executable's path; later calls reuse it. A failed build fails the test.
func Binary(t testing.TB, pkg string, env ...string) string {
	t.Helper()
	key := pkg + fmt.Sprint(env)
	mu.Lock()
	defer mu.Unlock()
	r, ok := built[key]
	if !ok {
		r = build(pkg, env)
		built[key] = r
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.path
}

func build(pkg string, env []string) *result {
	dir, err := os.MkdirTemp("", "vigil-test-bin")
	if err != nil {
		return &result{err: fmt.Errorf("making build directory: %w", err)}
	}
	out := filepath.Join(dir, path.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return &result{err: fmt.Errorf("go build %s: %w: %s", pkg, err, msg)}
	}
	return &result{path: out}
}
