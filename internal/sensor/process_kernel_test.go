package sensor

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// TestExecKernel runs a binary as nobody with arguments in a nested cwd and
// checks path, argv, cwd (dentry walk), credentials and identity fields.
func TestExecKernel(t *testing.T) {
	c := startSensor(t, Config{})
	base, err := os.MkdirTemp("", "vigil-exec")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	cwd := filepath.Join(base, "a b", "c")
	if err := os.MkdirAll(cwd, 0o755); err != nil {
		t.Fatal(err)
	}
	// nobody must be able to chdir there (MkdirTemp makes 0700).
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	cmd := exec.Command("/bin/echo", "hello", "with space", "")
	cmd.Dir = cwd
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65533}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("running echo: %v: %s", err, out)
	}
	pid := uint32(cmd.Process.Pid)
	ev := c.mustFind(t, "exec of echo", func(e event.Event) bool {
		return e.Kind == event.KindExec && e.Process.PID == pid
	})
	p := ev.Process
	if p.ExecutablePath != "/bin/echo" {
		t.Errorf("ExecutablePath = %q, want /bin/echo", p.ExecutablePath)
	}
	if want := []string{"/bin/echo", "hello", "with space", ""}; !reflect.DeepEqual(p.Args, want) {
		t.Errorf("Args = %q, want %q", p.Args, want)
	}
	if p.Cwd != cwd {
		t.Errorf("Cwd = %q, want %q", p.Cwd, cwd)
	}
	if p.UID != 65534 || p.EUID != 65534 || p.GID != 65533 || p.EGID != 65533 {
		t.Errorf("creds uid=%d euid=%d gid=%d egid=%d, want 65534/65534/65533/65533", p.UID, p.EUID, p.GID, p.EGID)
	}
	if p.PPID != uint32(os.Getpid()) || p.NamespacePID != pid || p.Name != "echo" || p.CgroupID == 0 {
		t.Errorf("identity: ppid=%d nspid=%d name=%q cgroup=%d; want ppid=%d nspid=%d name=echo cgroup!=0",
			p.PPID, p.NamespacePID, p.Name, p.CgroupID, os.Getpid(), pid)
	}
	checkRecent(t, "StartTime", p.StartTime, started)
	checkRecent(t, "Time", ev.Time, started)
}

// checkRecent asserts that a converted boot-clock time lies within the test.
func checkRecent(t *testing.T, what string, got, started time.Time) {
	t.Helper()
	if got.Before(started.Add(-time.Second)) || got.After(time.Now().Add(time.Second)) {
		t.Errorf("%s = %v, want between %v and now (%v)", what, got, started, time.Now())
	}
}

// TestForkExitKernel checks the fork of a new process (not a thread) and the
// exit of its thread group with the wait(2) status.
func TestForkExitKernel(t *testing.T) {
	c := startSensor(t, Config{})
	cmd := exec.Command("/bin/sh", "-c", "exit 3")
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("sh -c 'exit 3': %v", err)
	}
	pid := uint32(cmd.Process.Pid)
	fork := c.mustFind(t, "fork of sh", func(e event.Event) bool {
		return e.Kind == event.KindFork && e.Process.PID == pid
	})
	if fork.Process.PPID != uint32(os.Getpid()) {
		t.Errorf("fork PPID = %d, want %d", fork.Process.PPID, os.Getpid())
	}
	exit := c.mustFind(t, "exit of sh", func(e event.Event) bool {
		return e.Kind == event.KindExit && e.Process.PID == pid
	})
	if exit.Exit == nil || exit.Exit.Code != 3<<8 {
		t.Errorf("exit = %+v, want code %d", exit.Exit, 3<<8)
	}
	if fork.Process.StartTime.IsZero() || !exit.Process.StartTime.Equal(fork.Process.StartTime) {
		t.Errorf("start time fork=%v exit=%v, want equal and set", fork.Process.StartTime, exit.Process.StartTime)
	}
	// Threads are not processes: the test binary's own threads never
	// produce fork events with our PID as the child.
	if c.seen(func(e event.Event) bool { return e.Kind == event.KindFork && e.Process.PID == uint32(os.Getpid()) }) {
		t.Error("a thread creation was reported as a fork")
	}
}
