package container

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/runctest"
)

// startContainer runs a sleeping busybox container and returns its host pid
// and cgroup id (the inode of its cgroup2 directory, as BPF reports it).
func startContainer(t *testing.T, spec runctest.Spec) (*runctest.Container, uint32, uint64) {
	t.Helper()
	kerneltest.Require(t, "root", "runc", "busybox", "cgroup2")
	spec.Args = []string{"sleep", "60"}
	c, err := runctest.Start(t, spec)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := c.Pid(20 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c, uint32(pid), cgroupIDOfPid(t, uint32(pid))
}

func cgroupIDOfPid(t *testing.T, pid uint32) uint64 {
	t.Helper()
	path, ok := procCgroup("/proc", pid)
	if !ok {
		t.Fatalf("no cgroup v2 path for pid %d", pid)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(kerneltest.CgroupV2Root(), path), &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

func TestLookupRealRuncContainer(t *testing.T) {
	c, pid, id := startContainer(t, runctest.Spec{})
	r, err := NewResolver(Config{})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Lookup(id, pid)
	if got == nil || got.ID != c.ID || got.Runtime != "runc" || got.Name != c.ID {
		t.Fatalf("Lookup(%d, %d) = %+v, want runc container %s", id, pid, got, c.ID)
	}
	// Without runc state, the container's own pid namespace gives it away.
	r, err = NewResolver(Config{RuncRoots: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Lookup(id, pid); got == nil || got.ID != c.ID || got.Runtime != "runc" {
		t.Fatalf("Lookup without runc state = %+v, want runc container %s", got, c.ID)
	}
	// Cached by cgroup id: a later lookup without a pid still resolves.
	if got := r.Lookup(id, 0); got == nil || got.ID != c.ID {
		t.Fatalf("cached Lookup = %+v", got)
	}
}

func TestLookupRealDockerLayout(t *testing.T) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	hexID := hex.EncodeToString(b)
	_, pid, id := startContainer(t, runctest.Spec{CgroupsPath: "/docker/" + hexID})
	r, err := NewResolver(Config{})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Lookup(id, pid)
	if got == nil || got.ID != hexID || got.Runtime != "docker" {
		t.Fatalf("Lookup = %+v, want docker %s", got, hexID)
	}
	// By cgroup id alone (the index is built from cgroupfs).
	r, err = NewResolver(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Lookup(id, 0); got == nil || got.ID != hexID {
		t.Fatalf("Lookup by id only = %+v", got)
	}
}

func TestLookupHostProcess(t *testing.T) {
	kerneltest.Require(t, "cgroup2")
	self := uint32(os.Getpid())
	r, err := NewResolver(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Lookup(cgroupIDOfPid(t, self), self); got != nil {
		t.Fatalf("the test process resolved to container %+v", got)
	}
}
