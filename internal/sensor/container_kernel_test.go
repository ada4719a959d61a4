package sensor

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/runctest"
)

// TestContainerKernel runs a real runc container and checks that its events
// carry the cgroup v2 id of the container's cgroup (the inode of its
// directory under the cgroup2 mount) and pids of its own pid namespace, and
// that the cwd walk stops at the container's root.
func TestContainerKernel(t *testing.T) {
	c := startSensor(t, Config{}, "runc", "busybox", "cgroup2")
	id := runctest.NewID("vigil-sensor")
	ctr, err := runctest.Start(t, runctest.Spec{
		ID:          id,
		Args:        []string{"sh", "-c", "cd /tmp && /bin/busybox touch /tmp/vigil-marker && exec sleep 60"},
		HostNetwork: true,
		CgroupsPath: "/" + id,
	})
	if err != nil {
		t.Fatalf("starting container: %v", err)
	}
	hostPID, err := ctr.Pid(eventWait)
	if err != nil {
		t.Fatalf("container pid: %v (output: %s)", err, ctr.Output())
	}

	open := c.mustFind(t, "open of /tmp/vigil-marker", func(e event.Event) bool {
		return e.Kind == event.KindOpen && e.Open.Path == "/tmp/vigil-marker" && e.Process.PPID == uint32(hostPID)
	})
	// busybox sh runs bare applet names in-process (no execve), so the
	// execs are the init's /bin/sh and the explicit /bin/busybox.
	initExec := c.mustFind(t, "exec of the container init", func(e event.Event) bool {
		return e.Kind == event.KindExec && e.Process.PID == uint32(hostPID) && e.Process.ExecutablePath == "/bin/sh"
	})
	touch := c.mustFind(t, "exec of busybox touch", func(e event.Event) bool {
		return e.Kind == event.KindExec && e.Process.PPID == uint32(hostPID) && e.Process.ExecutablePath == "/bin/busybox"
	})
	// The cgroup exists while the container runs (Stop runs at cleanup).
	dir := filepath.Join(kerneltest.CgroupV2Root(), id)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("container cgroup: %v", err)
	}
	ino := fi.Sys().(*syscall.Stat_t).Ino
	for _, ev := range []event.Event{open, initExec, touch} {
		p := ev.Process
		if p.CgroupID != ino {
			t.Errorf("%s: CgroupID = %d, want %d (inode of %s)", ev.Kind, p.CgroupID, ino, dir)
		}
		if p.NamespacePID == 0 || p.NamespacePID > 10 || p.NamespacePID == p.PID {
			t.Errorf("%s: NamespacePID = %d (host pid %d), want a small pid of the container's namespace", ev.Kind, p.NamespacePID, p.PID)
		}
	}
	if initExec.Process.NamespacePID != 1 || initExec.Process.Cwd != "/" {
		t.Errorf("container init exec: NamespacePID %d cwd %q, want 1 and /", initExec.Process.NamespacePID, initExec.Process.Cwd)
	}
	// The walk stops at the container's root, not at the host's.
	if touch.Process.Cwd != "/tmp" {
		t.Errorf("exec in container: cwd %q, want /tmp", touch.Process.Cwd)
	}
	if open.Process.PID != touch.Process.PID {
		t.Errorf("open by pid %d, busybox touch is pid %d", open.Process.PID, touch.Process.PID)
	}
}
