// Package container attributes processes to containers: it maps a cgroup v2
// id to the cgroup's path, recognises the path layouts of the common
// runtimes (docker, containerd/CRI, cri-o, podman, ECS) and of plain runc, and
// adds metadata from runc's state files and the ECS task metadata endpoint,
// without ever blocking the event path on slow I/O.
package container

import (
	"strings"
)

// Info is what a cgroup path alone says about a container.
type Info struct {
	ID        string // runtime id (64 hex for docker/containerd/cri-o/podman)
	Runtime   string // "docker", "containerd", "cri-o", "podman", "ecs"
	PodUID    string // Kubernetes pod UID, with dashes
	ECSTaskID string // ECS task id (last part of the task ARN)
}

// scopePrefixes are the systemd-driver unit names of container cgroups
// ("<prefix><64 hex>.scope"), and the cgroupfs-driver names that share them.
var scopePrefixes = []struct{ prefix, runtime string }{
	{"docker-", "docker"},
	{"cri-containerd-", "containerd"},
	{"crio-", "cri-o"},
	{"libpod-", "podman"},
	{"nerdctl-", "containerd"},
}

// ParseCgroupPath recognises a container in a cgroup v2 path (the "0::" line
// of /proc/<pid>/cgroup, or the equivalent v1 path). It searches from the
// leaf upward, so a process in a sub-cgroup of a container (podman's
// ".../libpod-<id>.scope/container", systemd inside a container) still
// resolves to the innermost container. It returns false for host cgroups and
// for layouts it does not know (plain runc is recognised by the Resolver).
func ParseCgroupPath(p string) (Info, bool) {
	elems := strings.Split(strings.Trim(p, "/"), "/")
	for i := len(elems) - 1; i >= 0; i-- {
		if info, ok := parseElem(elems, i); ok {
			info.PodUID = podUID(elems[:i])
			return info, true
		}
	}
	return Info{}, false
}

func parseElem(elems []string, i int) (Info, bool) {
	e := strings.TrimSuffix(elems[i], ".scope")
	for _, sp := range scopePrefixes {
		id, ok := strings.CutPrefix(e, sp.prefix)
		if ok && isHex(id, 64) {
			info := Info{ID: id, Runtime: sp.runtime}
			// ECS on cgroup v2: /ecstasks.slice/ecstasks-<task>.slice/docker-<id>.scope
			if i > 0 {
				t, ok := strings.CutPrefix(strings.TrimSuffix(elems[i-1], ".slice"), "ecstasks-")
				if ok && isTaskID(t) {
					info.ECSTaskID = t
				}
			}
			return info, true
		}
	}
	// ECS (v1, cgroupfs): /ecs/<task>/<64 hex>; on Fargate the container id
	// is "<task>-<digits>": /ecs/<task>/<task>-<digits>.
	if i == 2 && elems[0] == "ecs" && isTaskID(elems[1]) {
		if isHex(e, 64) {
			return Info{ID: e, Runtime: "docker", ECSTaskID: elems[1]}, true
		}
		if rest, ok := strings.CutPrefix(e, elems[1]+"-"); ok && isDigits(rest) {
			return Info{ID: e, Runtime: "ecs", ECSTaskID: elems[1]}, true
		}
	}
	if !isHex(e, 64) {
		return Info{}, false
	}
	// A bare 64-hex directory: the cgroupfs driver of docker (/docker/<id>,
	// or a --cgroup-parent) or of containerd (Kubernetes, nerdctl).
	for _, a := range elems[:i] {
		if strings.HasPrefix(a, "kubepods") {
			return Info{ID: e, Runtime: "containerd"}, true
		}
	}
	if i > 0 && elems[i-1] == "default" {
		return Info{ID: e, Runtime: "containerd"}, true // nerdctl's namespace
	}
	return Info{ID: e, Runtime: "docker"}, true
}

// podUID finds the pod of a Kubernetes container among its ancestors:
// "pod<uid>" (cgroupfs driver) or "kubepods-<qos>-pod<uid_with_underscores>.slice"
// (systemd driver, which cannot use dashes inside a unit name's part).
func podUID(ancestors []string) string {
	for i := len(ancestors) - 1; i >= 0; i-- {
		a := strings.TrimSuffix(ancestors[i], ".slice")
		if j := strings.LastIndex(a, "pod"); j >= 0 && (j == 0 || a[j-1] == '-') {
			uid := strings.ReplaceAll(a[j+3:], "_", "-")
			if isUUID(uid) {
				return uid
			}
		}
	}
	return ""
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isUUID accepts the 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if s[i] != '-' {
				return false
			}
		case !isHex(s[i:i+1], 1):
			return false
		}
	}
	return true
}

// isTaskID accepts ECS task ids: 32 hex (current ARN format) or a UUID (the
// old one).
func isTaskID(s string) bool {
	return isHex(s, 32) || isUUID(s)
}
