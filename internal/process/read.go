package process

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/vigilsec/vigil/internal/container"
	"github.com/vigilsec/vigil/internal/event"
)

// snapshot is one process as read from /proc: its identity without the
// fields the table derives (UUIDs, start time, user name, digest).
type snapshot struct {
	proc  event.Process
	ticks uint64
	exe   fileKey
}

// readProc reads /proc/<pid>. Only stat and status are required: exe, cwd
// and cmdline are unreadable for kernel threads, zombies and (without
// CAP_SYS_PTRACE) some processes, and stay empty then.
func readProc(procRoot, cgroupRoot string, pid uint32) (snapshot, error) {
	dir := filepath.Join(procRoot, strconv.FormatUint(uint64(pid), 10))
	raw, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return snapshot{}, fmt.Errorf("reading stat of %d: %w", pid, err)
	}
	st, err := ParseStat(raw)
	if err != nil {
		return snapshot{}, fmt.Errorf("pid %d: %w", pid, err)
	}
	raw, err = os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return snapshot{}, fmt.Errorf("reading status of %d: %w", pid, err)
	}
	status, err := ParseStatus(raw)
	if err != nil {
		return snapshot{}, fmt.Errorf("pid %d: %w", pid, err)
	}
	p := event.Process{
		PID: pid, NamespacePID: pid, PPID: st.PPID, Name: st.Comm,
		UID: status.UID[0], EUID: status.UID[1], GID: status.GID[0], EGID: status.GID[1],
	}
	if n := len(status.NSpid); n > 0 {
		p.NamespacePID = status.NSpid[n-1]
	}
	p.ExecutablePath, _ = os.Readlink(filepath.Join(dir, "exe"))
	p.Cwd, _ = os.Readlink(filepath.Join(dir, "cwd"))
	if raw, err := os.ReadFile(filepath.Join(dir, "cmdline")); err == nil {
		p.Args = parseCmdline(raw)
	}
	p.CgroupID = cgroupIDOf(dir, cgroupRoot)
	return snapshot{proc: p, ticks: st.StartTicks, exe: exeKey(procRoot, pid)}, nil
}

// cgroupIDOf returns the cgroup v2 id of the process whose /proc dir is
// given: the inode of its cgroup directory under the cgroup2 mount, which is
// what bpf_get_current_cgroup_id reports. 0 when unknown.
func cgroupIDOf(procDir, cgroupRoot string) uint64 {
	if cgroupRoot == "" {
		return 0
	}
	raw, err := os.ReadFile(filepath.Join(procDir, "cgroup"))
	if err != nil {
		return 0
	}
	path, ok := container.ParseProcCgroup(raw)
	if !ok {
		return 0
	}
	return container.CgroupInode(cgroupRoot, path)
}
