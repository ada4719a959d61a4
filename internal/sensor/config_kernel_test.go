package sensor

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/kerneltest"
)

// TestExcludePIDsKernel excludes the test's own pid: its opens vanish in
// the kernel while its child's are still reported.
func TestExcludePIDsKernel(t *testing.T) {
	c := startSensor(t, Config{ExcludePIDs: []uint32{uint32(os.Getpid())}})
	dir := t.TempDir()
	mine := filepath.Join(dir, "mine")
	fd, err := unix.Open(mine, unix.O_WRONLY|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	child := filepath.Join(dir, "child")
	cmd := exec.Command("/bin/sh", "-c", `: > "$0"`, child)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	c.mustFind(t, "the child's open", func(e event.Event) bool {
		return e.Kind == event.KindOpen && e.Open.Path == child && e.Process.PID == uint32(cmd.Process.Pid)
	})
	// Our open happened before the child existed, so it would be ahead of
	// the child's record in the ring buffer.
	if c.seen(func(e event.Event) bool { return e.Process.PID == uint32(os.Getpid()) }) {
		t.Error("an event of the excluded pid was reported")
	}
}

// TestLostKernel fills a one-page ring buffer that nobody reads: the
// programs' failed reservations must show in Stats().Lost.
func TestLostKernel(t *testing.T) {
	kerneltest.Require(t, "root", "btf")
	s, err := New(Config{RingBufferBytes: 4096})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer s.Close()
	// One exec record (~3.9 KiB) fills the page; the next ones are lost.
	for range 3 {
		if err := exec.Command("/bin/true").Run(); err != nil {
			t.Fatal(err)
		}
	}
	if st := s.Stats(); st.Lost < 2 {
		t.Errorf("Stats = %+v, want Lost >= 2", st)
	}
	lost := s.Stats().Lost
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Lost < lost {
		t.Errorf("Stats after Close = %+v, want Lost >= %d", st, lost)
	}
}
