// Package runctest starts real containers for tests: runc with a busybox
// rootfs, each with its own namespaces and cgroup. Callers gate on
// kerneltest.Require(t, "root", "runc", "busybox") first.
package runctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/polltest"
)

// Mount is a bind mount from the host into the container.
type Mount struct {
	Source      string // host path (file or directory)
	Destination string // path inside the container
}

// Spec describes a container to run.
type Spec struct {
	// ID is the runc container id; a unique one is made when empty.
	ID string
	// Args is the process to run (busybox applets: sh, nc, wget, …).
	Args []string
	// Mounts are extra bind mounts.
	Mounts []Mount
	// HostNetwork keeps the host network namespace (so the container can
	// reach servers listening on the host's loopback).
	HostNetwork bool
	// CgroupsPath is passed to runc as linux.cgroupsPath (e.g.
	// "/docker/<64 hex>" to imitate docker's cgroupfs layout); empty
	// lets runc choose ("/<id>").
	CgroupsPath string
	// Files are host files copied into the rootfs (destination path in
	// the container → host source path), e.g. a static probe binary.
	Files map[string]string
}

// Result is what a finished container printed and how it ended.
type Result struct {
	ID       string
	Stdout   string
	Stderr   string
	ExitCode int
}

var applets = []string{"sh", "nc", "sleep", "cat", "echo", "ls", "wget", "nslookup", "true", "touch", "id", "ps"}

// Bundle writes an OCI bundle (busybox rootfs + config.json) under dir.
func Bundle(dir string, s Spec) error {
	rootfs := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "proc", "sys", "dev", "tmp", "etc", "var/run"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			return fmt.Errorf("making rootfs: %w", err)
		}
	}
	bb, err := kerneltest.BusyboxPath()
	if err != nil {
		return err
	}
	if err := copyFile(bb, filepath.Join(rootfs, "bin/busybox")); err != nil {
		return err
	}
	for _, a := range applets {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", a)); err != nil && !os.IsExist(err) {
			return fmt.Errorf("linking %s: %w", a, err)
		}
	}
	for dst, src := range s.Files {
		if err := copyFile(src, filepath.Join(rootfs, dst)); err != nil {
			return err
		}
	}
	for _, m := range s.Mounts {
		// runc needs the mount point to exist in the rootfs, of the same kind.
		dst := filepath.Join(rootfs, m.Destination)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("making mount point: %w", err)
		}
		if fi, err := os.Stat(m.Source); err == nil && fi.IsDir() {
			err = os.MkdirAll(dst, 0o755)
			if err != nil {
				return fmt.Errorf("making mount point: %w", err)
			}
		} else if err := os.WriteFile(dst, nil, 0o644); err != nil {
			return fmt.Errorf("making mount point: %w", err)
		}
	}
	cfg, err := config(s)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644)
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("reading %s for the rootfs: %w", src, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("making %s: %w", filepath.Dir(dst), err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil
}

// config makes a config.json from `runc spec`'s defaults, so it always suits
// the installed runc version.
func config(s Spec) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "runcspec")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("runc", "spec")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("runc spec: %v: %s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(tmp, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("reading runc spec: %w", err)
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("parsing runc spec: %w", err)
	}
	proc := spec["process"].(map[string]any)
	proc["terminal"] = false
	proc["args"] = s.Args
	spec["root"].(map[string]any)["readonly"] = false
	mounts := spec["mounts"].([]any)
	for _, m := range s.Mounts {
		mounts = append(mounts, map[string]any{
			"destination": m.Destination, "type": "bind", "source": m.Source,
			"options": []string{"rbind", "rw"},
		})
	}
	spec["mounts"] = mounts
	linux := spec["linux"].(map[string]any)
	if s.CgroupsPath != "" {
		linux["cgroupsPath"] = s.CgroupsPath
	}
	if s.HostNetwork {
		var ns []any
		for _, n := range linux["namespaces"].([]any) {
			if n.(map[string]any)["type"] != "network" {
				ns = append(ns, n)
			}
		}
		linux["namespaces"] = ns
	}
	return json.MarshalIndent(spec, "", " ")
}

var seq int

// NewID returns a container id unique within this test process.
func NewID(prefix string) string {
	seq++
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), seq)
}

// Run runs a container to completion (bounded by ctx) and returns its output.
// The bundle lives under t.TempDir(); the container is deleted afterwards.
func Run(ctx context.Context, t testing.TB, s Spec) (Result, error) {
	t.Helper()
	if s.ID == "" {
		s.ID = NewID("vigiltest")
	}
	dir := t.TempDir()
	if err := Bundle(dir, s); err != nil {
		return Result{}, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "runc", "run", "--bundle", dir, s.ID)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// A killed or failed run may leave state behind; delete is idempotent.
	_ = exec.Command("runc", "delete", "--force", s.ID).Run()
	res := Result{ID: s.ID, Stdout: stdout.String(), Stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.ExitCode = ee.ExitCode()
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("runc run %s: %w (stderr: %s)", s.ID, err, strings.TrimSpace(stderr.String()))
	}
	return res, nil
}

// Container is a container running in the background.
type Container struct {
	ID  string
	cmd *exec.Cmd
	out *bytes.Buffer
}

// Start starts a container in the background; t.Cleanup kills and deletes it.
func Start(t testing.TB, s Spec) (*Container, error) {
	t.Helper()
	if s.ID == "" {
		s.ID = NewID("vigiltest")
	}
	dir := t.TempDir()
	if err := Bundle(dir, s); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	cmd := exec.Command("runc", "run", "--bundle", dir, s.ID)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("runc run %s: %w", s.ID, err)
	}
	c := &Container{ID: s.ID, cmd: cmd, out: &out}
	t.Cleanup(c.Stop)
	return c, nil
}

// Pid returns the host PID of the container's init process once runc
// reports it, waiting up to timeout.
func (c *Container) Pid(timeout time.Duration) (int, error) {
	var pid int
	if !polltest.Poll(timeout, func() bool {
		out, err := exec.Command("runc", "state", c.ID).Output()
		if err != nil {
			return false
		}
		var st struct {
			Pid int `json:"pid"`
		}
		if json.Unmarshal(out, &st) == nil && st.Pid > 0 {
			pid = st.Pid
		}
		return pid > 0
	}) {
		return 0, fmt.Errorf("container %s has no pid after %v", c.ID, timeout)
	}
	return pid, nil
}

// Stop kills and deletes the container; safe to call more than once.
func (c *Container) Stop() {
	_ = exec.Command("runc", "kill", c.ID, "KILL").Run()
	if c.cmd.Process != nil {
		done := make(chan struct{})
		go func() { _ = c.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = c.cmd.Process.Kill()
		}
	}
	_ = exec.Command("runc", "delete", "--force", c.ID).Run()
}

// Output returns what the container printed so far.
func (c *Container) Output() string { return c.out.String() }
