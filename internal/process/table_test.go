package process

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

var testBoot = time.Date(2026, 3, 1, 8, 0, 0, 123_456_789, time.UTC)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

// newTestTable makes a table over procRoot (an empty dir when "") with a
// fixed boot id and boot time, so UUIDs are reproducible.
func newTestTable(t *testing.T, procRoot string, clock *fakeClock, max int) *Table {
	t.Helper()
	if procRoot == "" {
		procRoot = t.TempDir()
	}
	tb, err := NewTable(Config{
		ProcRoot: procRoot, BootID: "test-boot", Boot: func() time.Time { return testBoot }, CgroupRoot: "",
		MaxEntries: max, ExitedTTL: 30 * time.Second, Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tb.Close() })
	return tb
}

// at is a sensor-style start time: nanosecond precision since boot.
func at(d time.Duration) time.Time { return testBoot.Add(d) }

func proc(pid, ppid uint32, start time.Time) event.Process {
	return event.Process{PID: pid, NamespacePID: pid, PPID: ppid, StartTime: start}
}

func execEv(pid, ppid uint32, start time.Time, exe string, args ...string) *event.Event {
	p := proc(pid, ppid, start)
	p.Name, p.ExecutablePath, p.Args, p.Cwd = filepath.Base(exe), exe, append([]string{exe}, args...), "/"
	return &event.Event{Kind: event.KindExec, Process: p}
}

func TestHandleLineageAndUUIDs(t *testing.T) {
	clock := &fakeClock{now: testBoot.Add(time.Hour)}
	tb := newTestTable(t, "", clock, 0)

	tb.Handle(execEv(1, 0, at(10*time.Millisecond), "/sbin/init"))
	tb.Handle(&event.Event{Kind: event.KindFork, Process: proc(200, 1, at(5*time.Second+3*time.Millisecond))})
	forked, _ := tb.Get(200)
	if forked.ExecutablePath != "/sbin/init" || forked.Args[0] != "/sbin/init" {
		t.Fatalf("forked child does not run its parent's image: %+v", forked)
	}
	tb.Handle(execEv(200, 1, at(5*time.Second+3*time.Millisecond), "/bin/sh", "-c", "curl x"))
	tb.Handle(&event.Event{Kind: event.KindFork, Process: proc(300, 200, at(6*time.Second+7_654_321))})
	tb.Handle(execEv(300, 200, at(6*time.Second+7_654_321), "/usr/bin/curl", "x"))

	// A connect event carries only the sensor's fields.
	ev := &event.Event{Kind: event.KindConnect, Process: proc(300, 200, at(6*time.Second+7_654_999)), Connect: &event.Connect{}}
	tb.Handle(ev)
	p := ev.Process
	if p.ExecutablePath != "/usr/bin/curl" || len(p.Args) != 2 || p.Args[1] != "x" || p.Cwd != "/" {
		t.Fatalf("gaps not filled: %+v", p)
	}
	sh, _ := tb.Get(200)
	init1, _ := tb.Get(1)
	wantUUID := UUID("test-boot", 300, testBoot.Add(6*time.Second))
	if p.UUID != wantUUID || p.ParentUUID != sh.UUID || sh.ParentUUID != init1.UUID {
		t.Fatalf("UUIDs: got %s parent %s, want %s parent %s", p.UUID, p.ParentUUID, wantUUID, sh.UUID)
	}
	if forked.UUID != sh.UUID {
		t.Fatalf("exec changed the UUID of process 200: %s -> %s", forked.UUID, sh.UUID)
	}
	if got := lineagePIDs(ev.Lineage); !equalPIDs(got, []uint32{200, 1}) {
		t.Fatalf("lineage %v, want [200 1]", got)
	}
	if ev.Lineage[0].ExecutablePath != "/bin/sh" {
		t.Fatalf("lineage[0] = %+v, want /bin/sh", ev.Lineage[0])
	}
}

func TestExitTTLAndPIDReuse(t *testing.T) {
	clock := &fakeClock{now: testBoot.Add(time.Hour)}
	tb := newTestTable(t, "", clock, 0)
	tb.Handle(execEv(1, 0, at(0), "/sbin/init"))
	tb.Handle(execEv(50, 1, at(time.Second), "/bin/old"))
	old, _ := tb.Get(50)
	tb.Handle(&event.Event{Kind: event.KindExit, Process: proc(50, 1, at(time.Second)), Exit: &event.Exit{}})

	// A late event of the exited process still resolves.
	late := &event.Event{Kind: event.KindOpen, Process: proc(50, 1, at(time.Second)), Open: &event.Open{}}
	tb.Handle(late)
	if late.Process.ExecutablePath != "/bin/old" || late.Process.UUID != old.UUID {
		t.Fatalf("late event after exit not resolved: %+v", late.Process)
	}

	// The PID is reused by a new process: new UUID, old one gone.
	tb.Handle(&event.Event{Kind: event.KindFork, Process: proc(50, 1, at(time.Minute))})
	tb.Handle(execEv(50, 1, at(time.Minute), "/bin/new"))
	reused, _ := tb.Get(50)
	if reused.UUID == old.UUID || reused.ExecutablePath != "/bin/new" {
		t.Fatalf("PID reuse kept the old identity: %+v", reused)
	}

	tb.Handle(execEv(60, 1, at(2*time.Minute), "/bin/short"))
	tb.Handle(&event.Event{Kind: event.KindExit, Process: proc(60, 1, at(2*time.Minute)), Exit: &event.Exit{}})
	clock.now = clock.now.Add(29 * time.Second)
	tb.Handle(&event.Event{Kind: event.KindOpen, Process: proc(1, 0, at(0))})
	if _, ok := tb.Get(60); !ok {
		t.Fatal("exited process dropped before ExitedTTL")
	}
	clock.now = clock.now.Add(2 * time.Second)
	tb.Handle(&event.Event{Kind: event.KindOpen, Process: proc(1, 0, at(0))})
	if _, ok := tb.Get(60); ok {
		t.Fatal("exited process kept after ExitedTTL")
	}
}

func TestEvictOldestExitedFirst(t *testing.T) {
	clock := &fakeClock{now: testBoot.Add(time.Hour)}
	tb := newTestTable(t, "", clock, 4)
	tb.Handle(execEv(1, 0, at(0), "/sbin/init"))
	for pid := uint32(10); pid < 13; pid++ {
		tb.Handle(execEv(pid, 1, at(time.Duration(pid)*time.Second), "/bin/x"))
	}
	for _, pid := range []uint32{11, 10} { // 11 exits first
		tb.Handle(&event.Event{Kind: event.KindExit, Process: proc(pid, 1, at(time.Duration(pid)*time.Second))})
	}
	tb.Handle(execEv(20, 1, at(20*time.Second), "/bin/y")) // 5 entries > 4
	if _, ok := tb.Get(11); ok {
		t.Fatal("the oldest exited process was not evicted")
	}
	for _, pid := range []uint32{1, 10, 12, 20} {
		if _, ok := tb.Get(pid); !ok {
			t.Fatalf("pid %d evicted, want only 11", pid)
		}
	}
	if tb.Len() != 4 {
		t.Fatalf("Len = %d, want 4", tb.Len())
	}
}

// writeFakeProc makes <root>/<pid>/{stat,status,cmdline} as the kernel would.
func writeFakeProc(t *testing.T, root string, pid, ppid uint32, comm string, ticks uint64, args string) {
	t.Helper()
	dir := filepath.Join(root, strconv.Itoa(int(pid)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"stat":    statLine(int(pid), comm, int(ppid), ticks),
		"status":  "Name:\t" + comm + "\nTgid:\t" + strconv.Itoa(int(pid)) + "\nUid:\t0 0 0 0\nGid:\t0 0 0 0\n",
		"cmdline": args,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSeedAndEventUUIDsAgree checks that a process first seen in /proc
// (start in clock ticks) and one first seen in an exec event (start in
// nanoseconds) get the same UUID and start time.
func TestSeedAndEventUUIDsAgree(t *testing.T) {
	root := t.TempDir()
	writeFakeProc(t, root, 1, 0, "init", 1, "/sbin/init\x00")
	writeFakeProc(t, root, 4242, 1, "my (app) x", 123456, "/app\x00--flag\x00")
	clock := &fakeClock{now: testBoot.Add(2 * time.Hour)}

	seeded := newTestTable(t, root, clock, 0)
	if err := seeded.Seed(); err != nil {
		t.Fatal(err)
	}
	fromSeed, ok := seeded.Get(4242)
	if !ok || fromSeed.Name != "my (app) x" || len(fromSeed.Args) != 2 {
		t.Fatalf("seeded entry: %+v, %v", fromSeed, ok)
	}
	parent, _ := seeded.Get(1)
	if fromSeed.ParentUUID != parent.UUID || parent.UUID == "" {
		t.Fatalf("seeded parent UUID %q, want %q", fromSeed.ParentUUID, parent.UUID)
	}

	// The sensor reports the start with nanosecond precision: 1234.56s + 7.89ms.
	sensorStart := testBoot.Add(123456*tick + 7_890_123)
	evTable := newTestTable(t, "", clock, 0)
	ev := execEv(4242, 1, sensorStart, "/app", "--flag")
	evTable.Handle(ev)
	if ev.Process.UUID != fromSeed.UUID || !ev.Process.StartTime.Equal(fromSeed.StartTime) {
		t.Fatalf("event path UUID %s start %v, seed path UUID %s start %v",
			ev.Process.UUID, ev.Process.StartTime, fromSeed.UUID, fromSeed.StartTime)
	}

	// An exec of the seeded process keeps its UUID.
	ev2 := execEv(4242, 1, sensorStart, "/bin/other")
	seeded.Handle(ev2)
	if ev2.Process.UUID != fromSeed.UUID || ev2.Process.ParentUUID != parent.UUID {
		t.Fatalf("exec after seed: UUID %s parent %s, want %s parent %s",
			ev2.Process.UUID, ev2.Process.ParentUUID, fromSeed.UUID, parent.UUID)
	}
}

func lineagePIDs(l []event.Process) []uint32 {
	var out []uint32
	for _, p := range l {
		out = append(out, p.PID)
	}
	return out
}

func equalPIDs(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLineageBounded(t *testing.T) {
	clock := &fakeClock{now: testBoot.Add(time.Hour)}
	tb := newTestTable(t, "", clock, 0)
	for pid := uint32(1); pid <= 40; pid++ {
		tb.Handle(execEv(pid, pid-1, at(time.Duration(pid)*time.Second), "/bin/sh"))
	}
	ev := &event.Event{Kind: event.KindOpen, Process: proc(40, 39, at(40*time.Second))}
	tb.Handle(ev)
	if len(ev.Lineage) != event.MaxLineage || ev.Lineage[0].PID != 39 {
		t.Fatalf("lineage of %d starting at %d, want %d starting at 39", len(ev.Lineage), ev.Lineage[0].PID, event.MaxLineage)
	}
}

// TestConcurrentHandleAndGet is meant for -race: Handle from one goroutine,
// Get and Len from others, as the agent does.
func TestConcurrentHandleAndGet(t *testing.T) {
	clock := &fakeClock{now: testBoot.Add(time.Hour)}
	tb := newTestTable(t, "", clock, 64)
	done := make(chan struct{})
	for r := 0; r < 2; r++ {
		go func() {
			for {
				select {
				case <-done:
					return
				default:
					tb.Get(uint32(r + 10))
					tb.Len()
				}
			}
		}()
	}
	for i := uint32(0); i < 2000; i++ {
		pid := 10 + i%100
		start := at(time.Duration(i) * time.Second)
		tb.Handle(&event.Event{Kind: event.KindFork, Process: proc(pid, 1, start)})
		tb.Handle(execEv(pid, 1, start, "/bin/x"))
		tb.Handle(&event.Event{Kind: event.KindExit, Process: proc(pid, 1, start)})
	}
	close(done)
	if tb.Len() > 64 {
		t.Fatalf("Len %d over MaxEntries 64", tb.Len())
	}
}

// TestWallClockStepKeepsIdentity: the wall clock is stepped by 5 s (NTP, a
// VM resumed from a snapshot) and the sensor's clock re-measured; start
// times it reports afterwards are 5 s later for the same processes. The
// table converts with the same clock, so a running process keeps its entry
// and UUID instead of looking new.
func TestWallClockStepKeepsIdentity(t *testing.T) {
	boot := testBoot
	tb, err := NewTable(Config{ProcRoot: t.TempDir(), BootID: "test-boot", Boot: func() time.Time { return boot }})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	tb.Handle(execEv(300, 1, at(6*time.Second+7_654_321), "/usr/bin/curl", "x"))
	before, _ := tb.Get(300)

	boot = boot.Add(5 * time.Second)
	ev := &event.Event{Kind: event.KindConnect, Process: proc(300, 1, boot.Add(6*time.Second+7_654_999)), Connect: &event.Connect{}}
	tb.Handle(ev)
	if ev.Process.UUID != before.UUID || ev.Process.ExecutablePath != "/usr/bin/curl" {
		t.Fatalf("after the step: uuid %s exe %q, want %s /usr/bin/curl", ev.Process.UUID, ev.Process.ExecutablePath, before.UUID)
	}
}
