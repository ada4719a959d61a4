package runctest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kerneltest"
)

func TestRunPrintsAndSeesMount(t *testing.T) {
	kerneltest.Require(t, "root", "runc", "busybox")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello"), []byte("from-host"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := Run(ctx, t, Spec{
		Args:   []string{"/bin/sh", "-c", "cat /host/hello; cat /proc/self/cgroup; exit 3"},
		Mounts: []Mount{{Source: dir, Destination: "/host"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 {
		t.Fatalf("exit code %d, want 3 (stderr %q)", res.ExitCode, res.Stderr)
	}
	if !strings.Contains(res.Stdout, "from-host") || !strings.Contains(res.Stdout, res.ID) {
		t.Fatalf("stdout %q lacks mount content or cgroup with id %s", res.Stdout, res.ID)
	}
}
