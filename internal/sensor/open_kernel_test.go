package sensor

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vigilsec/vigil/internal/event"
)

// openEvent waits for our own open of path.
func openEvent(t *testing.T, c *collector, path string) *event.Open {
	t.Helper()
	ev := c.mustFind(t, "open of "+path, func(e event.Event) bool {
		return e.Kind == event.KindOpen && e.Process.PID == uint32(os.Getpid()) && e.Open.Path == path
	})
	return ev.Open
}

// TestOpenKernel checks the in-kernel open filter: an open with
// O_WRONLY|O_CREAT is reported with flags, mode and result; read-only opens
// only under a configured prefix.
func TestOpenKernel(t *testing.T) {
	dir := t.TempDir()
	watched := filepath.Join(dir, "watched") + "/"
	c := startSensor(t, Config{OpenPathPrefixes: []string{watched}})
	if err := os.Mkdir(watched, 0o755); err != nil {
		t.Fatal(err)
	}

	quiet := filepath.Join(dir, "quiet")
	if err := os.WriteFile(quiet, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Read-only, outside every prefix: filtered in the kernel.
	fd, err := unix.Open(quiet, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)

	written := filepath.Join(dir, "written")
	flags := unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC
	fd, err = unix.Open(written, flags, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	if got := openEvent(t, c, written); got.Flags != uint32(flags) || got.Mode != 0o640 || got.Result != int32(fd) {
		t.Errorf("open(O_WRONLY|O_CREAT|O_TRUNC) = %+v, want flags %#o mode 0640 result %d", *got, flags, fd)
	}
	// The quiet open came first from this thread: had it passed the filter,
	// the ring buffer would have delivered it before the write above.
	if c.seen(func(e event.Event) bool {
		// (os.WriteFile's creating open of the same path is reported.)
		return e.Kind == event.KindOpen && e.Open.Path == quiet && e.Open.Flags&unix.O_ACCMODE == unix.O_RDONLY
	}) {
		t.Errorf("read-only open of %s was reported", quiet)
	}

	inWatched := filepath.Join(watched, "secret")
	if _, err := unix.Open(inWatched, unix.O_RDONLY, 0); err != unix.ENOENT {
		t.Fatalf("open missing file: %v", err)
	}
	if got := openEvent(t, c, inWatched); got.Flags != unix.O_RDONLY || got.Result != -int32(unix.ENOENT) {
		t.Errorf("read-only open under prefix = %+v, want flags 0 result -ENOENT", *got)
	}

}

// TestOpenVariantsKernel checks that openat2 and creat are decoded too.
func TestOpenVariantsKernel(t *testing.T) {
	c := startSensor(t, Config{})
	dir := t.TempDir()
	how := unix.OpenHow{Flags: unix.O_RDWR | unix.O_CREAT | unix.O_CLOEXEC, Mode: 0o600}
	a2 := filepath.Join(dir, "openat2")
	fd, err := unix.Openat2(unix.AT_FDCWD, a2, &how)
	if err != nil {
		t.Fatalf("openat2: %v", err)
	}
	unix.Close(fd)
	if got := openEvent(t, c, a2); got.Flags != uint32(how.Flags) || got.Mode != 0o600 || got.Result != int32(fd) {
		t.Errorf("openat2 = %+v, want flags %#o mode 0600 result %d", *got, how.Flags, fd)
	}

	cr := filepath.Join(dir, "creat")
	fd, err = unix.Creat(cr, 0o644)
	if err != nil {
		t.Fatalf("creat: %v", err)
	}
	unix.Close(fd)
	if got := openEvent(t, c, cr); got.Flags != unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC || got.Mode != 0o644 {
		t.Errorf("creat = %+v, want O_CREAT|O_WRONLY|O_TRUNC mode 0644", *got)
	}
}
