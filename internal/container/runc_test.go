package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// stateJSON is a runc state.json trimmed to the fields read, as runc 1.1
// writes it, with the annotations containerd's CRI plugin sets.
func stateJSON(id, cgroupDir string) string {
	return `{"id":"` + id + `","init_process_pid":8262,"created":"2026-11-27T03:40:23.002075337Z",
"cgroup_paths":{"":"` + cgroupDir + `","memory":"/sys/fs/cgroup/memory/x"},
"config":{"rootfs":"/b/rootfs","cgroups":{"name":"` + id + `","path":""},
"labels":["bundle=/run/containerd/io.containerd.runtime.v2.task/k8s.io/` + id + `",
"io.kubernetes.cri.container-name=web","io.kubernetes.cri.image-name=docker.io/library/nginx:1.27",
"io.kubernetes.cri.sandbox-name=web-7d9f","io.kubernetes.cri.sandbox-namespace=prod"]}}`
}

func TestParseRuncState(t *testing.T) {
	st, err := parseRuncState([]byte(stateJSON("abc", "/sys/fs/cgroup/unified/x/abc")), "/sys/fs/cgroup/unified")
	if err != nil {
		t.Fatal(err)
	}
	if st.ID != "abc" || st.Cgroup != "/x/abc" || !strings.HasSuffix(st.Bundle, "/k8s.io/abc") {
		t.Fatalf("state %+v", st)
	}
	f := fieldsFromAnnotations(st.Annotations)
	if f != (containerFields{Name: "web", Image: "docker.io/library/nginx:1.27", PodName: "web-7d9f", PodNamespace: "prod"}) {
		t.Fatalf("annotations %+v", f)
	}
	// A containerised agent sees the host's cgroupfs elsewhere; runc's
	// recorded path is still /sys/fs/cgroup/...
	if st, _ := parseRuncState([]byte(stateJSON("abc", "/sys/fs/cgroup/a/b")), "/host/sys/fs/cgroup"); st.Cgroup != "/a/b" {
		t.Fatalf("cgroup %q, want /a/b", st.Cgroup)
	}
	for _, bad := range []string{"", "{", `{"cgroup_paths":{}}`} {
		if _, err := parseRuncState([]byte(bad), "/"); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
}

// TestLookupRuncState resolves a container known only from its state.json.
func TestLookupRuncState(t *testing.T) {
	cgRoot, runcRoot := t.TempDir(), t.TempDir()
	id := mkCgroup(t, cgRoot, "/mycontainer")
	host := mkCgroup(t, cgRoot, "/system.slice/cron.service")
	other := mkCgroup(t, cgRoot, "/unknown")
	if err := os.MkdirAll(filepath.Join(runcRoot, "mycontainer"), 0o755); err != nil {
		t.Fatal(err)
	}
	state := stateJSON("mycontainer", filepath.Join(cgRoot, "mycontainer"))
	if err := os.WriteFile(filepath.Join(runcRoot, "mycontainer/state.json"), []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := NewResolver(Config{CgroupRoot: cgRoot, RuncRoots: []string{runcRoot}, RescanInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Lookup(event.Process{CgroupID: id})
	if c == nil || c.ID != "mycontainer" || c.Runtime != "runc" || c.Name != "web" || c.PodNamespace != "prod" {
		t.Fatalf("Lookup = %+v", c)
	}
	if c := r.Lookup(event.Process{CgroupID: host}); c != nil {
		t.Fatalf("host service resolved to %+v", c)
	}
	if c := r.Lookup(event.Process{CgroupID: other}); c != nil {
		t.Fatalf("unknown cgroup without state or pid resolved to %+v", c)
	}
	// The returned value is a copy: changing it does not change the cache.
	c.ID = "changed"
	if again := r.Lookup(event.Process{CgroupID: id}); again.ID != "mycontainer" {
		t.Fatalf("cache was modified through a returned value: %+v", again)
	}
}

func TestIsHostCgroup(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/init.scope": true, "/system.slice/sshd.service": true,
		"/user.slice/user-0.slice/session-1.scope": true,
		"/vigiltest-1": false, "/machine.slice/foo.scope": false,
	} {
		if got := isHostCgroup(p); got != want {
			t.Errorf("isHostCgroup(%q) = %v, want %v", p, got, want)
		}
	}
}
