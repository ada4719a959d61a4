package process

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/container"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/polltest"
)

// TestSeedRealProc seeds from the real /proc and checks the test process
// itself: executable, arguments, credentials, cgroup, lineage up to pid 1
// and (once hashed in the background) the executable's digest.
func TestSeedRealProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skipf("no /proc: %v", err)
	}
	tb, err := NewTable(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	if err := tb.Seed(); err != nil {
		t.Fatal(err)
	}
	self := uint32(os.Getpid())
	p, ok := tb.Get(self)
	if !ok {
		t.Fatalf("test process %d not in the table (%d entries)", self, tb.Len())
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if exe, _ = filepath.EvalSymlinks(exe); p.ExecutablePath != exe {
		t.Errorf("ExecutablePath %q, want %q", p.ExecutablePath, exe)
	}
	if !reflect.DeepEqual(p.Args, os.Args) {
		t.Errorf("Args %q, want %q", p.Args, os.Args)
	}
	if p.UID != uint32(os.Getuid()) || p.EGID != uint32(os.Getegid()) || p.PPID != uint32(os.Getppid()) {
		t.Errorf("credentials/ppid %+v, want uid %d egid %d ppid %d", p, os.Getuid(), os.Getegid(), os.Getppid())
	}
	if os.Getuid() == 0 && p.User != "root" {
		t.Errorf("User %q, want root", p.User)
	}
	if wd, _ := os.Getwd(); p.Cwd != wd {
		t.Errorf("Cwd %q, want %q", p.Cwd, wd)
	}
	if !uuidRE.MatchString(p.UUID) || p.ParentUUID == "" {
		t.Errorf("UUID %q ParentUUID %q", p.UUID, p.ParentUUID)
	}
	checkCgroupID(t, p.CgroupID)

	ev := &event.Event{Kind: event.KindOpen, Process: event.Process{PID: self}, Open: &event.Open{}}
	tb.Handle(ev)
	if ev.Process.UUID != p.UUID {
		t.Errorf("event UUID %s, want %s", ev.Process.UUID, p.UUID)
	}
	pids := lineagePIDs(ev.Lineage)
	if len(pids) == 0 || pids[0] != uint32(os.Getppid()) || pids[len(pids)-1] != 1 {
		t.Fatalf("lineage %v: want parent %d first and pid 1 last", pids, os.Getppid())
	}

	waitDigest(t, tb, self, fileSHA256(t, exe))
}

// waitDigest polls until the background hasher has produced pid's digest.
func waitDigest(t *testing.T, tb *Table, pid uint32, want string) {
	t.Helper()
	var got string
	if !polltest.Poll(20*time.Second, func() bool {
		p, _ := tb.Get(pid)
		got = p.ExecutableSHA256
		return got == want
	}) {
		t.Fatalf("ExecutableSHA256 %q, want %q", got, want)
	}
}

// TestExecEventRealProcess feeds an exec event the way the sensor would (no
// UUID, user or digest) for a real child process and checks the table
// completes it consistently with Seed.
func TestExecEventRealProcess(t *testing.T) {
	cmd, snap := startExeced(t, "sleep", "30")
	pid := uint32(cmd.Process.Pid)
	tb, err := NewTable(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	ev := &event.Event{Kind: event.KindExec, Process: event.Process{
		PID: pid, NamespacePID: pid, PPID: uint32(os.Getpid()), Name: "sleep",
		ExecutablePath: snap.proc.ExecutablePath, Args: []string{"sleep", "30"},
		StartTime: tb.startOf(snap.ticks).Add(4 * time.Millisecond),
	}}
	tb.Handle(ev)
	tb.Digest(ev)
	if err := tb.Seed(); err != nil {
		t.Fatal(err)
	}
	seeded, _ := tb.Get(pid)
	self, _ := tb.Get(uint32(os.Getpid()))
	if ev.Process.UUID == "" || ev.Process.UUID != seeded.UUID || ev.Process.ParentUUID != self.UUID {
		t.Fatalf("exec UUID %s parent %s; table %s, self %s", ev.Process.UUID, ev.Process.ParentUUID, seeded.UUID, self.UUID)
	}
	if os.Getuid() == 0 && ev.Process.User != "root" {
		t.Errorf("User %q, want root", ev.Process.User)
	}
	// The exec event itself carries the digest: a finding raised by the
	// process's first connect must not lack it.
	if want := fileSHA256(t, snap.proc.ExecutablePath); ev.Process.ExecutableSHA256 != want {
		t.Errorf("exec event digest %q, want %q", ev.Process.ExecutableSHA256, want)
	}
}

func checkCgroupID(t *testing.T, id uint64) {
	t.Helper()
	root := container.DetectCgroupRoot()
	raw, err := os.ReadFile("/proc/self/cgroup")
	if root == "" || err != nil {
		return
	}
	path, ok := container.ParseProcCgroup(raw)
	if !ok {
		return
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(root, path), &st); err != nil {
		t.Fatal(err)
	}
	if id != st.Ino {
		t.Errorf("CgroupID %d, want inode %d of %s", id, st.Ino, path)
	}
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// TestDigestAfterExit is an agent that falls behind: the process exits and
// its executable is deleted before the exec event is shipped. The file
// pinned at Handle still gives the exec event, and the process's later
// events, the digest.
func TestDigestAfterExit(t *testing.T) {
	src, err := exec.LookPath("sleep")
	if err != nil {
		t.Skipf("no sleep: %v", err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "short-lived")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	cmd, snap := startExeced(t, bin, "30")
	pid := uint32(cmd.Process.Pid)
	tb, err := NewTable(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	start := tb.startOf(snap.ticks)
	execEv := &event.Event{Kind: event.KindExec, Process: event.Process{
		PID: pid, NamespacePID: pid, PPID: uint32(os.Getpid()), Name: "short-lived",
		ExecutablePath: bin, StartTime: start,
	}}
	tb.Handle(execEv)
	connectEv := &event.Event{Kind: event.KindConnect, Process: event.Process{PID: pid, StartTime: start}}
	tb.Handle(connectEv)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(int(pid)), "exe")); err == nil {
		t.Fatalf("process %d still has /proc/<pid>/exe after being reaped", pid)
	}
	tb.Digest(execEv)
	tb.Digest(connectEv)
	if execEv.Process.ExecutableSHA256 != want || connectEv.Process.ExecutableSHA256 != want {
		t.Fatalf("digests after exit: exec %q, connect %q; want %q",
			execEv.Process.ExecutableSHA256, connectEv.Process.ExecutableSHA256, want)
	}
}

// startExeced starts path and waits until the child has exec'd it (its
// /proc entry names that executable); the child is killed when the test
// ends.
func startExeced(t *testing.T, path string, args ...string) (*exec.Cmd, snapshot) {
	t.Helper()
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var snap snapshot
	polltest.Until(t, 10*time.Second, "the child to exec "+path, func() bool {
		var err error
		snap, err = readProc("/proc", "", uint32(cmd.Process.Pid))
		return err == nil && filepath.Base(snap.proc.ExecutablePath) == filepath.Base(path)
	})
	return cmd, snap
}
