package process

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/vigilsec/vigil/internal/event"
)

// Handle updates the table from one event and fills the gaps in
// ev.Process (executable, arguments, cwd, digest, user, UUIDs) and
// ev.Lineage from what the table knows. Exec creates or replaces the entry of
// the process, fork creates the child with its parent's image, exit marks the
// process exited (it stays for ExitedTTL so late events still resolve).
//
// ev.Process.StartTime is replaced by the canonical start time (clock-tick
// precision, see startOf) so one process instance always reports one start
// time, whether the table learnt it from /proc or from the sensor.
//
// /proc is read only for processes the table does not know yet, and outside
// the table's lock, so Get is never held up by it.
func (t *Table) Handle(ev *event.Event) {
	if ev == nil || ev.Process.PID == 0 {
		return
	}
	switch ev.Kind {
	case event.KindExec:
		t.handleExec(&ev.Process)
	case event.KindFork:
		t.handleFork(&ev.Process)
	default:
		t.ensure(&ev.Process)
	}
	t.ensureParent(ev.Process.PPID)

	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.lookupLocked(&ev.Process); e != nil {
		if ev.Kind != event.KindFork {
			t.reparentLocked(e, ev.Process.PPID)
		}
		t.fillLocked(ev, e)
		if ev.Kind == event.KindExit && !e.exited {
			e.exited = true
			t.exited = append(t.exited, exitRef{pid: e.proc.PID, ticks: e.ticks, at: t.cfg.Now()})
		}
	}
	t.expireLocked()
}

// handleExec records the new image of p. An exec keeps the process instance
// (same PID and start time), hence the same UUID.
func (t *Table) handleExec(p *event.Process) {
	ticks, ok := t.ticksFor(p)
	if !ok {
		return
	}
	// The image is pinned (opened) now, while the process surely runs;
	// Digest hashes it later, so a process gone by then still gets one.
	e := &entry{proc: *p, ticks: ticks, exe: t.hasher.pin(p.PID)}
	e.proc.ExecutableSHA256 = t.hasher.cached(e.exe)
	t.fillFromProc(&e.proc)
	if e.proc.User == "" {
		e.proc.User = t.users.lookup(p.PID, p.UID)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if old := t.procs[p.PID]; old != nil && sameInstance(old.ticks, ticks) {
		e.ticks = old.ticks // keep the UUID the instance already has
		if e.proc.User == "" && old.proc.UID == e.proc.UID {
			e.proc.User = old.proc.User
		}
	}
	e.proc.StartTime = t.startOf(e.ticks)
	e.proc.UUID = UUID(t.cfg.BootID, e.proc.PID, e.proc.StartTime)
	e.proc.ParentUUID = t.parentUUID(e)
	t.put(e)
}

// handleFork creates the child, which runs its parent's image until it execs.
func (t *Table) handleFork(p *event.Process) {
	ticks, ok := t.ticksFor(p)
	if !ok {
		return
	}
	t.mu.Lock()
	parent := t.parentOf(p.PID, p.PPID, ticks)
	t.mu.Unlock()
	if parent == nil {
		// The parent is unknown: the child's /proc shows the same image.
		t.ensure(p)
		return
	}
	user := p.User
	if user == "" {
		user = t.users.lookup(p.PID, p.UID)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e := &entry{proc: *p, ticks: ticks, exe: parent.exe}
	c := &e.proc
	c.ExecutablePath, c.Args, c.Cwd = parent.proc.ExecutablePath, parent.proc.Args, parent.proc.Cwd
	c.ExecutableSHA256 = parent.proc.ExecutableSHA256
	if c.Name == "" {
		c.Name = parent.proc.Name
	}
	c.User = user
	if c.User == "" && parent.proc.UID == c.UID {
		c.User = parent.proc.User
	}
	c.StartTime = t.startOf(ticks)
	c.UUID = UUID(t.cfg.BootID, c.PID, c.StartTime)
	c.ParentUUID = parent.proc.UUID
	t.put(e)
}

// ticksFor returns p's start in ticks since boot: from the event, else from
// the table, else from /proc.
func (t *Table) ticksFor(p *event.Process) (uint64, bool) {
	if !p.StartTime.IsZero() {
		return t.ticksOf(p.StartTime), true
	}
	t.mu.RLock()
	e := t.procs[p.PID]
	t.mu.RUnlock()
	if e != nil && !e.exited {
		return e.ticks, true
	}
	raw, err := os.ReadFile(filepath.Join(t.cfg.ProcRoot, strconv.FormatUint(uint64(p.PID), 10), "stat"))
	if err != nil {
		return 0, false
	}
	st, err := ParseStat(raw)
	if err != nil {
		return 0, false
	}
	return st.StartTicks, true
}

// fillFromProc completes an exec's image from /proc when the sensor left
// fields out (e.g. arguments beyond its buffer).
func (t *Table) fillFromProc(p *event.Process) {
	dir := filepath.Join(t.cfg.ProcRoot, strconv.FormatUint(uint64(p.PID), 10))
	if p.ExecutablePath == "" {
		p.ExecutablePath, _ = os.Readlink(filepath.Join(dir, "exe"))
	}
	if p.Cwd == "" {
		p.Cwd, _ = os.Readlink(filepath.Join(dir, "cwd"))
	}
	if len(p.Args) == 0 {
		if raw, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil {
			p.Args = parseCmdline(raw)
		}
	}
}

// ensure makes sure the table has the instance of p, reading /proc for a
// process it has not seen (started before Seed's scan reached it, or whose
// fork/exec events were lost), else recording what the event says.
func (t *Table) ensure(p *event.Process) {
	t.mu.RLock()
	known := t.lookupLocked(p) != nil
	t.mu.RUnlock()
	if known {
		return
	}
	var e *entry
	if s, err := readProc(t.cfg.ProcRoot, t.cfg.CgroupRoot, p.PID); err == nil &&
		(p.StartTime.IsZero() || sameInstance(s.ticks, t.ticksOf(p.StartTime))) {
		s.proc.User = t.users.lookup(p.PID, s.proc.UID)
		e = t.fromSnapshot(s)
	} else if !p.StartTime.IsZero() {
		e = &entry{proc: *p, ticks: t.ticksOf(p.StartTime)}
		e.proc.StartTime = t.startOf(e.ticks)
		e.proc.UUID = UUID(t.cfg.BootID, p.PID, e.proc.StartTime)
	} else {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lookupLocked(p) == nil {
		e.proc.ParentUUID = t.parentUUID(e)
		t.put(e)
	}
}

// ensureParent loads an unknown parent from /proc, so that lineage reaches
// past processes started between Seed and the sensor's first event.
func (t *Table) ensureParent(ppid uint32) {
	if ppid == 0 {
		return
	}
	t.mu.RLock()
	_, known := t.procs[ppid]
	t.mu.RUnlock()
	if !known {
		t.ensure(&event.Process{PID: ppid})
	}
}

// Digest completes ev.Process.ExecutableSHA256 after Handle: from the
// cache, or by hashing the executable pinned at exec when it is at most
// SyncHashBytes (milliseconds, once per binary), so that findings carry the
// digest even for a process that has exited since. Larger executables are
// hashed in the background and show up on later events. Callers run Handle
// as events arrive and Digest just before shipping, so the hashing never
// delays Handle's reads of /proc.
func (t *Table) Digest(ev *event.Event) {
	if ev == nil || ev.Process.PID == 0 || ev.Process.ExecutableSHA256 != "" {
		return
	}
	t.mu.RLock()
	var key fileKey
	if e := t.lookupLocked(&ev.Process); e != nil {
		key = e.exe
	}
	t.mu.RUnlock()
	s := t.hasher.digest(ev.Process.PID, key, t.cfg.SyncHashBytes)
	if s == "" {
		return
	}
	ev.Process.ExecutableSHA256 = s
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.lookupLocked(&ev.Process); e != nil && e.exe == key {
		e.proc.ExecutableSHA256 = s
	}
}
