package sensor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/runctest"
)

// TestCgroupPathKernel runs a container to its end (runc deletes its
// cgroup) and checks that the sensor still knows the path of the cgroup id
// its events carried: what attributes an event read after the container is
// gone.
func TestCgroupPathKernel(t *testing.T) {
	c := startSensor(t, Config{}, "runc", "busybox", "cgroup2")
	id := runctest.NewID("vigil-cgpath")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := runctest.Run(ctx, t, runctest.Spec{
		ID: id, Args: []string{"/bin/busybox", "true"}, HostNetwork: true, CgroupsPath: "/" + id,
	})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("container: %v %+v", err, res)
	}
	if _, err := os.Stat(filepath.Join(kerneltest.CgroupV2Root(), id)); !os.IsNotExist(err) {
		t.Fatalf("container cgroup still exists after runc delete (stat: %v)", err)
	}
	exec := c.mustFind(t, "exec of busybox in the container", func(e event.Event) bool {
		return e.Kind == event.KindExec && e.Process.ExecutablePath == "/bin/busybox" && e.Process.NamespacePID == 1
	})
	got, ok := c.s.CgroupPath(exec.Process.CgroupID)
	if want := "/" + id; !ok || got != want {
		t.Errorf("CgroupPath(%d) = %q, %v; want %q", exec.Process.CgroupID, got, ok, want)
	}
	// The root cgroup existed before the sensor: not recorded, not invented.
	if p, ok := c.s.CgroupPath(1); ok {
		t.Errorf("CgroupPath(1) = %q, want unknown", p)
	}
}
