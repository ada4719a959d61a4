package container

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// maxStateBytes bounds the read of one state.json (they are a few KiB).
const maxStateBytes = 4 << 20

// runcState is what the Resolver uses from a runc state.json.
type runcState struct {
	ID     string
	Bundle string
	Cgroup string // cgroup v2 path relative to the cgroup2 root
	// Annotations of the OCI spec (runc keeps them as "key=value" labels):
	// CRI runtimes record pod and image names there.
	Annotations map[string]string
}

// parseRuncState parses a runc (libcontainer) state.json.
func parseRuncState(data []byte, cgroupRoot string) (runcState, error) {
	var raw struct {
		ID          string            `json:"id"`
		CgroupPaths map[string]string `json:"cgroup_paths"`
		Config      struct {
			Labels  []string `json:"labels"`
			Cgroups struct {
				Path string `json:"path"`
			} `json:"cgroups"`
		} `json:"config"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return runcState{}, fmt.Errorf("parsing runc state: %w", err)
	}
	if raw.ID == "" {
		return runcState{}, fmt.Errorf("parsing runc state: no id")
	}
	st := runcState{ID: raw.ID, Annotations: map[string]string{}}
	for _, l := range raw.Config.Labels {
		if k, v, ok := strings.Cut(l, "="); ok {
			if k == "bundle" {
				st.Bundle = v
			} else {
				st.Annotations[k] = v
			}
		}
	}
	// On v2 and hybrid hosts the unified path has the empty key; on v1-only
	// hosts there is none and the configured path (cgroupfs driver) is used.
	if p, ok := raw.CgroupPaths[""]; ok {
		st.Cgroup = relCgroup(p, cgroupRoot)
	} else if strings.HasPrefix(raw.Config.Cgroups.Path, "/") {
		st.Cgroup = raw.Config.Cgroups.Path
	}
	return st, nil
}

// relCgroup makes an absolute cgroup directory relative to the cgroup2
// root. runc records paths in its own mount namespace, which may differ from
// the agent's (a containerised agent with the host's cgroupfs elsewhere), so
// the standard mount points are tried too.
func relCgroup(abs, cgroupRoot string) string {
	for _, root := range []string{cgroupRoot, "/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		if root == "" {
			continue
		}
		if rel, ok := strings.CutPrefix(abs, root); ok && (rel == "" || rel[0] == '/') {
			if rel == "" {
				return "/"
			}
			return rel
		}
	}
	return ""
}

// runcIndex maps cgroup paths to the runc containers whose state lives under
// the configured roots, rescanned on a miss at most once per minRescan.
type runcIndex struct {
	roots      []string
	cgroupRoot string
	minRescan  time.Duration

	mu       sync.Mutex
	byCgroup map[string]runcState
	lastScan time.Time
}

func newRuncIndex(roots []string, cgroupRoot string, minRescan time.Duration) *runcIndex {
	return &runcIndex{roots: roots, cgroupRoot: cgroupRoot, minRescan: minRescan, byCgroup: map[string]runcState{}}
}

func (x *runcIndex) lookup(cgroup string) (runcState, bool) {
	x.mu.Lock()
	st, ok := x.byCgroup[cgroup]
	due := time.Since(x.lastScan) >= x.minRescan
	if !ok && due {
		x.lastScan = time.Now()
	}
	x.mu.Unlock()
	if ok || !due {
		return st, ok
	}
	byCgroup := x.scan()
	x.mu.Lock()
	x.byCgroup = byCgroup
	x.mu.Unlock()
	st, ok = byCgroup[cgroup]
	return st, ok
}

// scan reads every <root>/<id>/state.json. These live on tmpfs (/run).
func (x *runcIndex) scan() map[string]runcState {
	out := map[string]runcState{}
	for _, root := range x.roots {
		dents, err := os.ReadDir(root)
		if err != nil {
			continue // a runtime that is not installed has no state dir
		}
		for _, d := range dents {
			st, err := readRuncState(filepath.Join(root, d.Name(), "state.json"), x.cgroupRoot)
			if err == nil && st.Cgroup != "" {
				out[st.Cgroup] = st
			}
		}
	}
	return out
}

func readRuncState(path, cgroupRoot string) (runcState, error) {
	f, err := os.Open(path)
	if err != nil {
		return runcState{}, fmt.Errorf("opening runc state: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStateBytes))
	if err != nil {
		return runcState{}, fmt.Errorf("reading %s: %w", path, err)
	}
	return parseRuncState(data, cgroupRoot)
}

// annotationKeys lists, per Container field, the OCI annotations CRI
// runtimes (containerd's CRI plugin, then cri-o) and nerdctl use for it.
var annotationKeys = []struct {
	keys []string
	set  func(c *containerFields, v string)
}{
	{[]string{"io.kubernetes.cri.container-name", "io.kubernetes.container.name", "nerdctl/name"},
		func(c *containerFields, v string) { c.Name = v }},
	{[]string{"io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName"},
		func(c *containerFields, v string) { c.Image = v }},
	{[]string{"io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"},
		func(c *containerFields, v string) { c.PodName = v }},
	{[]string{"io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace"},
		func(c *containerFields, v string) { c.PodNamespace = v }},
	{[]string{"io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid"},
		func(c *containerFields, v string) { c.PodUID = v }},
}

// containerFields are the Container fields filled from annotations.
type containerFields struct{ Name, Image, PodName, PodNamespace, PodUID string }

func fieldsFromAnnotations(a map[string]string) containerFields {
	var c containerFields
	for _, f := range annotationKeys {
		for _, k := range f.keys {
			if v := a[k]; v != "" {
				f.set(&c, v)
				break
			}
		}
	}
	return c
}
