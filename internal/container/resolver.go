package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// Config configures a Resolver. Zero values select the defaults.
type Config struct {
	CgroupRoot string   // "" = auto (/sys/fs/cgroup if cgroup2, else /sys/fs/cgroup/unified)
	ProcRoot   string   // default "/proc"
	RuncRoots  []string // runc state dirs; nil = DefaultRuncRoots
	// ECSMetadataURI is ECS_CONTAINER_METADATA_URI_V4 when the agent runs in
	// an ECS task; "" disables ECS metadata.
	ECSMetadataURI string
	// RescanInterval bounds how often a miss rescans cgroupfs, runc state
	// and the ECS endpoint (default 1s).
	RescanInterval time.Duration
	// KnownPath, when set, names cgroup ids the kernel saw made (the
	// sensor's record): it answers for cgroups already removed, which
	// neither cgroupfs nor /proc can.
	KnownPath func(id uint64) (string, bool)
}

// DefaultRuncRoots are where runc, docker (moby) and containerd keep runc
// state.json files.
var DefaultRuncRoots = []string{
	"/run/runc", "/run/docker/runtime-runc/moby",
	"/run/containerd/runc/k8s.io", "/run/containerd/runc/default",
}

// maxCache bounds the per-cgroup cache; past it the cache starts over.
const maxCache = 16384

// Resolver attributes cgroups to containers. It is safe for concurrent use.
type Resolver struct {
	procRoot string
	hostNS   string
	cgroups  *cgroupIndex
	runc     *runcIndex
	ecs      *ecsMetadata // nil without ECSMetadataURI

	mu    sync.Mutex
	cache map[uint64]cached
}

// cached is a settled verdict for one cgroup: a container, or (c == nil)
// certainly the host.
type cached struct{ c *event.Container }

// NewResolver makes a resolver; with an ECS URI it starts fetching the task
// metadata in the background.
func NewResolver(cfg Config) (*Resolver, error) {
	if cfg.ProcRoot == "" {
		cfg.ProcRoot = "/proc"
	}
	if cfg.CgroupRoot == "" {
		cfg.CgroupRoot = DetectCgroupRoot()
	}
	if cfg.RuncRoots == nil {
		cfg.RuncRoots = DefaultRuncRoots
	}
	if cfg.RescanInterval <= 0 {
		cfg.RescanInterval = time.Second
	}
	if _, err := os.Stat(filepath.Join(cfg.ProcRoot, "self")); err != nil {
		return nil, fmt.Errorf("container resolver: proc root: %w", err)
	}
	// Unreadable in some sandboxes even to root; the NStgid check covers it.
	hostNS, _ := os.Readlink(filepath.Join(cfg.ProcRoot, "1/ns/pid"))
	r := &Resolver{
		procRoot: cfg.ProcRoot, hostNS: hostNS,
		cgroups: newCgroupIndex(cfg.CgroupRoot, cfg.ProcRoot, cfg.RescanInterval, cfg.KnownPath),
		runc:    newRuncIndex(cfg.RuncRoots, cfg.CgroupRoot, cfg.RescanInterval),
		cache:   map[uint64]cached{},
	}
	if cfg.ECSMetadataURI != "" {
		r.ecs = newECSMetadata(cfg.ECSMetadataURI, cfg.RescanInterval)
	}
	return r, nil
}

// Lookup returns the container of process p (by p.CgroupID), or nil for
// the host. p.PID is used when the cgroup is not indexed yet. A process in a
// pid namespace of its own (p.NamespacePID, as the sensor reports it,
// differs from p.PID) settles an unknown cgroup as a container without
// /proc, which may no longer have it; with no NamespacePID, /proc is asked.
// The result is a copy the caller may keep. Verdicts are cached per cgroup;
// metadata that arrives later (ECS) shows up on later lookups.
func (r *Resolver) Lookup(p event.Process) *event.Container {
	cgroupID := p.CgroupID
	r.mu.Lock()
	ent, ok := r.cache[cgroupID]
	r.mu.Unlock()
	if !ok || cgroupID == 0 {
		var settled bool
		ent, settled = r.resolve(cgroupID, p)
		if settled && cgroupID != 0 {
			r.store(cgroupID, ent)
		}
	}
	if ent.c == nil {
		return nil
	}
	if r.ecs != nil && ent.c.ECS == nil {
		if m, ok := r.ecs.get(ent.c.ID); ok {
			ent.c = withECS(ent.c, m)
			r.store(cgroupID, ent)
		}
	}
	c := *ent.c
	return &c
}

func (r *Resolver) store(id uint64, ent cached) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cache) >= maxCache {
		r.cache = map[uint64]cached{}
	}
	r.cache[id] = ent
}

// resolve decides what cgroup id is; settled is false when the answer may
// change (an unknown cgroup whose container state is not written yet), so
// that it is not cached.
func (r *Resolver) resolve(id uint64, p event.Process) (ent cached, settled bool) {
	path, ok := r.cgroups.pathOf(id, p.PID)
	if !ok {
		return cached{}, false
	}
	if info, ok := ParseCgroupPath(path); ok {
		c := &event.Container{ID: info.ID, Runtime: info.Runtime, PodUID: info.PodUID}
		if st, ok := r.runc.lookup(path); ok {
			addAnnotations(c, st)
		}
		return cached{c: c}, true
	}
	if isHostCgroup(path) {
		return cached{}, true
	}
	if st, ok := r.runc.lookup(path); ok {
		c := &event.Container{ID: st.ID, Runtime: "runc"}
		addAnnotations(c, st)
		if c.Name == "" {
			c.Name = st.ID // plain runc containers are named by their id
		}
		return cached{c: c}, true
	}
	// No state (yet, gone with the container, or a runtime that keeps it
	// elsewhere): a process in its own pid namespace in an unknown cgroup is
	// taken for a container. A host-namespace process (e.g. runc's own setup
	// process, which joins the cgroup first) settles nothing.
	if r.inOwnPidNS(p) {
		id := path[strings.LastIndexByte(path, '/')+1:]
		return cached{c: &event.Container{ID: id, Runtime: "runc", Name: id}}, true
	}
	return cached{}, false
}

// inOwnPidNS says whether p runs in a pid namespace other than the host's:
// from the sensor's namespace pid when the event has one, else from /proc.
func (r *Resolver) inOwnPidNS(p event.Process) bool {
	if p.NamespacePID != 0 {
		return p.NamespacePID != p.PID
	}
	return p.PID != 0 && inChildPidNS(r.procRoot, p.PID, r.hostNS)
}

func addAnnotations(c *event.Container, st runcState) {
	f := fieldsFromAnnotations(st.Annotations)
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&c.Name, f.Name)
	set(&c.Image, f.Image)
	set(&c.PodName, f.PodName)
	set(&c.PodNamespace, f.PodNamespace)
	set(&c.PodUID, f.PodUID)
}

// withECS returns a copy of c completed with the task metadata.
func withECS(c *event.Container, m ecsContainer) *event.Container {
	out := *c
	if m.Name != "" {
		out.Name = m.Name
	}
	if out.Image == "" {
		out.Image = m.Image
	}
	if out.ImageID == "" {
		out.ImageID = m.ImageID
	}
	out.ECS = m.Task
	return &out
}
