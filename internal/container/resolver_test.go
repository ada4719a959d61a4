package container

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
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
	got := r.Lookup(event.Process{CgroupID: id, PID: pid})
	if got == nil || got.ID != c.ID || got.Runtime != "runc" || got.Name != c.ID {
		t.Fatalf("Lookup(%d, %d) = %+v, want runc container %s", id, pid, got, c.ID)
	}
	// Without runc state, the container's own pid namespace gives it away.
	r, err = NewResolver(Config{RuncRoots: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Lookup(event.Process{CgroupID: id, PID: pid}); got == nil || got.ID != c.ID || got.Runtime != "runc" {
		t.Fatalf("Lookup without runc state = %+v, want runc container %s", got, c.ID)
	}
	// Cached by cgroup id: a later lookup without a pid still resolves.
	if got := r.Lookup(event.Process{CgroupID: id}); got == nil || got.ID != c.ID {
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
	got := r.Lookup(event.Process{CgroupID: id, PID: pid})
	if got == nil || got.ID != hexID || got.Runtime != "docker" {
		t.Fatalf("Lookup = %+v, want docker %s", got, hexID)
	}
	// By cgroup id alone (the index is built from cgroupfs).
	r, err = NewResolver(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Lookup(event.Process{CgroupID: id}); got == nil || got.ID != hexID {
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
	if got := r.Lookup(event.Process{CgroupID: cgroupIDOfPid(t, self), PID: self}); got != nil {
		t.Fatalf("the test process resolved to container %+v", got)
	}
}

// TestLookupGoneContainer is an event read after its container is gone: no
// cgroup directory, no /proc entry, no runc state. The kernel's record of
// the cgroup's path and the event's own pid namespace still attribute it.
func TestLookupGoneContainer(t *testing.T) {
	procRoot := t.TempDir()
	if err := os.Mkdir(filepath.Join(procRoot, "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	hexID := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	known := map[uint64]string{
		42: "/vigiltest-1-1",
		43: "/docker/" + hexID,
		44: "/system.slice/cron.service",
	}
	r, err := NewResolver(Config{
		ProcRoot: procRoot, CgroupRoot: t.TempDir(), RuncRoots: []string{},
		KnownPath: func(id uint64) (string, bool) { p, ok := known[id]; return p, ok },
	})
	if err != nil {
		t.Fatal(err)
	}
	const gonePID = 4000000
	// A host-namespace process (runc setup) in an unknown cgroup settles
	// nothing: the container's own process after it still resolves.
	if got := r.Lookup(event.Process{CgroupID: 42, PID: gonePID, NamespacePID: gonePID}); got != nil {
		t.Fatalf("host-namespace event in unknown cgroup: %+v, want nil", got)
	}
	got := r.Lookup(event.Process{CgroupID: 42, PID: gonePID, NamespacePID: 1})
	if got == nil || got.ID != "vigiltest-1-1" || got.Runtime != "runc" || got.Name != "vigiltest-1-1" {
		t.Fatalf("Lookup(42) = %+v, want runc container vigiltest-1-1", got)
	}
	if got := r.Lookup(event.Process{CgroupID: 43}); got == nil || got.ID != hexID || got.Runtime != "docker" {
		t.Fatalf("Lookup(43) = %+v, want docker %s", got, hexID)
	}
	if got := r.Lookup(event.Process{CgroupID: 44, PID: gonePID, NamespacePID: 1}); got != nil {
		t.Fatalf("Lookup(44) = %+v, want the host (a systemd service)", got)
	}
	if got := r.Lookup(event.Process{CgroupID: 45, PID: gonePID, NamespacePID: 1}); got != nil {
		t.Fatalf("Lookup(45) of an unknown cgroup = %+v, want nil", got)
	}
}
