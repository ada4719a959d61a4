// Package process is the agent's process table: it gives every process
// instance a stable identity (a UUID from boot id, PID and start time), keeps
// what exec events and /proc said about it (executable, arguments, cwd, user,
// executable digest), and fills those into later events together with the
// process's lineage, in the manner of Tetragon's process cache.
package process

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigilsec/vigil/internal/container"
	"github.com/vigilsec/vigil/internal/event"
)

// Config configures a Table. Zero values select the defaults.
type Config struct {
	ProcRoot     string        // default "/proc"
	BootID       string        // default: <ProcRoot>/sys/kernel/random/boot_id
	MaxEntries   int           // default 65536; the oldest exited are evicted first
	ExitedTTL    time.Duration // exited processes are kept this long for late events (default 30s)
	HashMaxBytes int64         // executables larger than this are not hashed (default 64 MiB)
	// SyncHashBytes: a newly exec'd executable up to this size is hashed
	// by Digest, before its first event is shipped, larger ones in the
	// background (default 16 MiB, a few milliseconds at most, once per
	// binary).
	SyncHashBytes int64

	// CgroupRoot is the cgroup2 mount; "" = /sys/fs/cgroup if it is cgroup2,
	// else /sys/fs/cgroup/unified (v1 hybrid).
	CgroupRoot string
	// Boot returns the wall-clock time of boot, used to turn start times
	// into clock ticks since boot and back. nil = now − CLOCK_BOOTTIME,
	// measured once. The agent passes its sensor's clock (re-measured when
	// the wall clock is stepped), so both convert identically.
	Boot func() time.Time
	// Now is the clock for exit bookkeeping; nil = time.Now. Tests set it.
	Now func() time.Time
}

// ticksPerSecond is USER_HZ, the unit of /proc/<pid>/stat's starttime. It is
// 100 on every Linux architecture the agent supports; sysconf(_SC_CLK_TCK)
// is not reachable from pure Go.
const ticksPerSecond = 100

const tick = time.Second / ticksPerSecond

// Table is the process table. It is safe for concurrent use.
type Table struct {
	cfg    Config
	users  *users
	hasher *hasher

	mu     sync.RWMutex
	procs  map[uint32]*entry
	exited []exitRef // in exit order, for TTL expiry and eviction
}

type entry struct {
	proc   event.Process // with UUID, ParentUUID, canonical StartTime
	ticks  uint64        // start time in clock ticks since boot
	exe    fileKey       // identity of the executable, for its digest
	exited bool
}

type exitRef struct {
	pid   uint32
	ticks uint64
	at    time.Time
}

// NewTable makes an empty table; call Seed to load running processes and
// Close to stop its hashing worker.
func NewTable(cfg Config) (*Table, error) {
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 65536
	}
	if cfg.ExitedTTL <= 0 {
		cfg.ExitedTTL = 30 * time.Second
	}
	if cfg.SyncHashBytes <= 0 {
		cfg.SyncHashBytes = 16 << 20
	}
	if cfg.HashMaxBytes <= 0 {
		cfg.HashMaxBytes = 64 << 20
	}
	if cfg.CgroupRoot == "" {
		cfg.CgroupRoot = container.DetectCgroupRoot()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BootID == "" {
		raw, err := os.ReadFile(filepath.Join(cfg.ProcRoot, "sys/kernel/random/boot_id"))
		if err != nil {
			return nil, fmt.Errorf("reading boot id: %w", err)
		}
		cfg.BootID = strings.TrimSpace(string(raw))
	}
	if cfg.Boot == nil {
		bt, err := BootTime()
		if err != nil {
			return nil, err
		}
		cfg.Boot = func() time.Time { return bt }
	}
	return &Table{
		cfg:    cfg,
		users:  newUsers(cfg.ProcRoot),
		hasher: newHasher(cfg.ProcRoot, cfg.HashMaxBytes),
		procs:  map[uint32]*entry{},
	}, nil
}

// BootTime returns the wall-clock time of boot: now − CLOCK_BOOTTIME (which,
// unlike CLOCK_MONOTONIC, counts suspend, as the kernel's process start
// times in /proc do).
func BootTime() (time.Time, error) {
	var ts unix.Timespec
	now := time.Now()
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return time.Time{}, fmt.Errorf("reading CLOCK_BOOTTIME: %w", err)
	}
	return now.Add(-time.Duration(ts.Nano())).UTC(), nil
}

// Close stops the background hashing. Handle and Get keep working, without
// new digests.
func (t *Table) Close() error {
	t.hasher.close()
	return nil
}

// startOf is the canonical start time of a process started ticks after boot.
// Both /proc (ticks) and exec events (nanoseconds) are reduced to it, so the
// UUID is the same whichever path saw the process first.
func (t *Table) startOf(ticks uint64) time.Time {
	return t.cfg.Boot().Add(time.Duration(ticks) * tick).UTC()
}

// ticksOf converts a wall-clock start time to clock ticks since boot.
func (t *Table) ticksOf(start time.Time) uint64 {
	d := start.Sub(t.cfg.Boot())
	if d <= 0 {
		return 0
	}
	return uint64(d / tick)
}

// Seed loads every process running now from /proc. Processes that exit
// while it reads are skipped.
func (t *Table) Seed() error {
	dents, err := os.ReadDir(t.cfg.ProcRoot)
	if err != nil {
		return fmt.Errorf("listing %s: %w", t.cfg.ProcRoot, err)
	}
	var snaps []snapshot
	for _, d := range dents {
		pid, err := strconv.ParseUint(d.Name(), 10, 32)
		if err != nil || pid == 0 {
			continue
		}
		s, err := readProc(t.cfg.ProcRoot, t.cfg.CgroupRoot, uint32(pid))
		if err != nil {
			continue
		}
		s.proc.User = t.users.lookup(s.proc.PID, s.proc.UID)
		snaps = append(snaps, s)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range snaps {
		// An event may already have told us about this instance; it is newer.
		if old, ok := t.procs[s.proc.PID]; ok && sameInstance(old.ticks, s.ticks) {
			continue
		}
		t.put(t.fromSnapshot(s))
	}
	for _, s := range snaps {
		if e := t.procs[s.proc.PID]; e != nil && e.proc.ParentUUID == "" {
			e.proc.ParentUUID = t.parentUUID(e)
		}
	}
	t.expireLocked()
	return nil
}

func (t *Table) fromSnapshot(s snapshot) *entry {
	e := &entry{proc: s.proc, ticks: s.ticks, exe: s.exe}
	e.proc.StartTime = t.startOf(s.ticks)
	e.proc.UUID = UUID(t.cfg.BootID, e.proc.PID, e.proc.StartTime)
	return e
}

// sameInstance says whether two start times (in ticks) are the same process
// instance; one tick of slack absorbs rounding between the sensor's
// nanoseconds and /proc's ticks. A PID is never reused within 10ms.
func sameInstance(a, b uint64) bool {
	return a == b || a+1 == b || b+1 == a
}

// Get returns what the table knows about the live or recently exited
// process pid.
func (t *Table) Get(pid uint32) (event.Process, bool) {
	t.mu.RLock()
	e, ok := t.procs[pid]
	var p event.Process
	var exe fileKey
	if ok {
		p, exe = e.proc, e.exe
	}
	t.mu.RUnlock()
	if ok && p.ExecutableSHA256 == "" {
		p.ExecutableSHA256 = t.hasher.sum(pid, exe)
	}
	return p, ok
}

// Len returns the number of processes in the table, exited ones included.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.procs)
}
