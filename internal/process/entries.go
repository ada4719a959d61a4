package process

import "github.com/vigilsec/vigil/internal/event"

// This file holds the table's bookkeeping under its lock: matching events to
// entries, filling events, lineage, reparenting and eviction.

// lookupLocked returns the entry of the instance p describes: same PID and,
// when p carries a start time, the same start (else the PID was reused).
func (t *Table) lookupLocked(p *event.Process) *entry {
	e := t.procs[p.PID]
	if e == nil {
		return nil
	}
	if !p.StartTime.IsZero() && !sameInstance(e.ticks, t.ticksOf(p.StartTime)) {
		return nil
	}
	return e
}

// put inserts or replaces the entry for e's PID.
func (t *Table) put(e *entry) {
	t.procs[e.proc.PID] = e
}

// parentUUID is the UUID of e's parent if the table has it.
func (t *Table) parentUUID(e *entry) string {
	if par := t.parentOf(e.proc.PID, e.proc.PPID, e.ticks); par != nil {
		return par.proc.UUID
	}
	return ""
}

// parentOf is the entry of the parent (ppid) of the process pid that started
// ticks after boot, if the table has it. A "parent" that started after its
// child is a reused PID and does not count; nor does the process itself.
func (t *Table) parentOf(pid, ppid uint32, ticks uint64) *entry {
	par := t.procs[ppid]
	if par == nil || ppid == pid || par.ticks > ticks+1 {
		return nil
	}
	return par
}

// reparentLocked follows a changed PPID: when a parent exits its children
// are re-parented to a subreaper or init.
func (t *Table) reparentLocked(e *entry, ppid uint32) {
	if ppid == 0 || ppid == e.proc.PPID {
		return
	}
	e.proc.PPID = ppid
	e.proc.ParentUUID = t.parentUUID(e)
}

// digestLocked fills e's executable digest from the hasher's cache, asking
// for it to be computed if the process still runs.
func (t *Table) digestLocked(e *entry) {
	if e.proc.ExecutableSHA256 == "" && !e.exited {
		e.proc.ExecutableSHA256 = t.hasher.sum(e.proc.PID, e.exe)
	}
}

// fillLocked fills the gaps of ev.Process from e and sets ev.Lineage.
func (t *Table) fillLocked(ev *event.Event, e *entry) {
	t.digestLocked(e)
	if e.proc.ParentUUID == "" { // the parent may have been loaded since
		e.proc.ParentUUID = t.parentUUID(e)
	}
	p, k := &ev.Process, &e.proc
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&p.UUID, k.UUID)
	fill(&p.ParentUUID, k.ParentUUID)
	fill(&p.Name, k.Name)
	fill(&p.ExecutablePath, k.ExecutablePath)
	fill(&p.ExecutableSHA256, k.ExecutableSHA256)
	fill(&p.Cwd, k.Cwd)
	fill(&p.User, k.User)
	if len(p.Args) == 0 {
		p.Args = k.Args
	}
	if p.NamespacePID == 0 {
		p.NamespacePID = k.NamespacePID
	}
	if p.PPID == 0 {
		p.PPID = k.PPID
	}
	if p.CgroupID == 0 {
		p.CgroupID = k.CgroupID
	}
	p.StartTime = k.StartTime
	ev.Lineage = t.lineageLocked(e)
}

// lineageLocked lists e's known ancestors, parent first. The walk stops at
// an unknown parent, at a PID that was reused (an "ancestor" younger than its
// child) and after event.MaxLineage steps, which also bounds any cycle.
func (t *Table) lineageLocked(e *entry) []event.Process {
	var out []event.Process
	cur := e
	for len(out) < event.MaxLineage {
		if cur.proc.PPID == 0 {
			break
		}
		par := t.parentOf(cur.proc.PID, cur.proc.PPID, cur.ticks)
		if par == nil {
			break
		}
		t.digestLocked(par)
		out = append(out, par.proc)
		cur = par
	}
	return out
}

// expireLocked drops exited processes older than ExitedTTL, and when the
// table is over MaxEntries, the oldest exited ones regardless of age; only
// if that is not enough, live entries (arbitrary ones: a table that full has
// lost exit events, and any entry can be re-read from /proc).
func (t *Table) expireLocked() {
	now := t.cfg.Now()
	for len(t.exited) > 0 {
		r := t.exited[0]
		if len(t.procs) <= t.cfg.MaxEntries && now.Sub(r.at) < t.cfg.ExitedTTL {
			break
		}
		t.exited = t.exited[1:]
		// The ref is stale if the PID was reused since.
		if e := t.procs[r.pid]; e != nil && e.exited && e.ticks == r.ticks {
			delete(t.procs, r.pid)
		}
	}
	for pid := range t.procs {
		if len(t.procs) <= t.cfg.MaxEntries {
			break
		}
		delete(t.procs, pid)
	}
}
