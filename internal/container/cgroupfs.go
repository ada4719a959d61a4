package container

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DetectCgroupRoot finds the cgroup2 mount: /sys/fs/cgroup on pure v2
// hosts, /sys/fs/cgroup/unified on v1 hybrid hosts; "" when there is none.
func DetectCgroupRoot() string {
	for _, p := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		if _, err := os.Stat(filepath.Join(p, "cgroup.controllers")); err == nil {
			return p
		}
	}
	return ""
}

// cgroupIndex maps cgroup v2 ids (directory inodes, as BPF reports them) to
// paths relative to the cgroup2 root. A miss triggers a full rescan, at most
// once per minRescan, so a flood of unknown ids cannot turn into a flood of
// directory walks.
type cgroupIndex struct {
	root      string
	procRoot  string
	minRescan time.Duration
	known     func(id uint64) (string, bool) // nil = none

	mu       sync.Mutex
	byID     map[uint64]string
	lastScan time.Time
}

func newCgroupIndex(root, procRoot string, minRescan time.Duration, known func(uint64) (string, bool)) *cgroupIndex {
	return &cgroupIndex{root: root, procRoot: procRoot, minRescan: minRescan, known: known, byID: map[uint64]string{}}
}

// pathOf returns the path of cgroup id: from the index; else from the
// kernel's record of cgroups made; else from pid's /proc/<pid>/cgroup when
// that cgroup's inode is id; else after a rescan; else, unverified, pid's
// cgroup (the process may have moved since the event).
func (x *cgroupIndex) pathOf(id uint64, pid uint32) (string, bool) {
	x.mu.Lock()
	p, ok := x.byID[id]
	x.mu.Unlock()
	if ok {
		return p, true
	}
	if x.known != nil && id != 0 {
		if p, ok := x.known(id); ok {
			x.remember(id, p)
			return p, true
		}
	}
	procPath, procOK := procCgroup(x.procRoot, pid)
	if procOK && id != 0 && x.inode(procPath) == id {
		x.remember(id, procPath)
		return procPath, true
	}
	if id != 0 && x.rescan() {
		x.mu.Lock()
		p, ok = x.byID[id]
		x.mu.Unlock()
		if ok {
			return p, true
		}
	}
	return procPath, procOK
}

func (x *cgroupIndex) remember(id uint64, path string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.byID[id] = path
}

func (x *cgroupIndex) inode(rel string) uint64 { return CgroupInode(x.root, rel) }

// rescan rebuilds the index if the last scan is older than minRescan and
// reports whether it did. cgroupfs lives in memory, so a walk costs
// microseconds per cgroup, with no disk or network I/O.
func (x *cgroupIndex) rescan() bool {
	x.mu.Lock()
	if x.root == "" || time.Since(x.lastScan) < x.minRescan {
		x.mu.Unlock()
		return false
	}
	x.lastScan = time.Now()
	x.mu.Unlock()

	byID := map[uint64]string{}
	_ = filepath.WalkDir(x.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil // a cgroup removed mid-walk is no reason to stop
		}
		var st syscall.Stat_t
		if syscall.Stat(path, &st) == nil {
			rel := strings.TrimPrefix(path, x.root)
			if rel == "" {
				rel = "/"
			}
			byID[st.Ino] = rel
		}
		return nil
	})
	x.mu.Lock()
	x.byID = byID
	x.mu.Unlock()
	return true
}

// procCgroup reads the cgroup v2 path of pid from /proc/<pid>/cgroup.
func procCgroup(procRoot string, pid uint32) (string, bool) {
	if pid == 0 {
		return "", false
	}
	raw, err := os.ReadFile(filepath.Join(procRoot, strconv.FormatUint(uint64(pid), 10), "cgroup"))
	if err != nil {
		return "", false
	}
	return ParseProcCgroup(raw)
}

// ParseProcCgroup returns the cgroup v2 path from the contents of
// /proc/<pid>/cgroup (the "0::" line), and false when there is none
// (pure cgroup v1 hosts).
func ParseProcCgroup(data []byte) (string, bool) {
	for _, line := range strings.Split(string(data), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok && strings.HasPrefix(p, "/") {
			return p, true
		}
	}
	return "", false
}

// CgroupInode returns the inode of the cgroup rel under the cgroup2 mount
// root: the id BPF reports for it (bpf_get_current_cgroup_id). 0 when
// unknown.
func CgroupInode(root, rel string) uint64 {
	if root == "" {
		return 0
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(root, rel), &st); err != nil {
		return 0
	}
	return st.Ino
}

// inChildPidNS reports whether pid runs in a pid namespace other than the
// one of procRoot (the host's, for an agent in the host pid namespace). The
// NStgid line of status lists one pid per namespace level, which needs no
// ptrace access, unlike reading /proc/<pid>/ns/pid (denied for some
// processes even to root); the link comparison is the fallback for kernels
// without NStgid.
func inChildPidNS(procRoot string, pid uint32, hostNS string) bool {
	dir := filepath.Join(procRoot, strconv.FormatUint(uint64(pid), 10))
	raw, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "NStgid:"); ok {
			return len(strings.Fields(v)) > 1
		}
	}
	ns, err := os.Readlink(filepath.Join(dir, "ns/pid"))
	return err == nil && hostNS != "" && ns != hostNS
}

// isHostCgroup says whether a path that matched no container layout is
// certainly the host's: the root, systemd's init scope, services and user
// sessions. Other unknown paths may be plain runc containers.
func isHostCgroup(p string) bool {
	if p == "/" || p == "" || strings.HasPrefix(p, "/user.slice/") {
		return true
	}
	last := p[strings.LastIndexByte(p, '/')+1:]
	return last == "init.scope" || strings.HasSuffix(last, ".service")
}
