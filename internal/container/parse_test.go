package container

import (
	"strings"
	"testing"
)

const (
	hexA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	task = "158d1c8083dd49d6b527399fd6414f5c"
	pod  = "8dd2e1b2-2b3c-4d5e-9f60-123456789abc"
)

func TestParseCgroupPath(t *testing.T) {
	podU := strings.ReplaceAll(pod, "-", "_")
	tests := []struct {
		name, path string
		want       Info
		ok         bool
	}{
		{"docker cgroupfs", "/docker/" + hexA, Info{ID: hexA, Runtime: "docker"}, true},
		{"docker systemd", "/system.slice/docker-" + hexA + ".scope", Info{ID: hexA, Runtime: "docker"}, true},
		{"docker cgroup-parent", "/actions_job/" + hexA, Info{ID: hexA, Runtime: "docker"}, true},
		{"k8s cgroupfs", "/kubepods/besteffort/pod" + pod + "/" + hexA,
			Info{ID: hexA, Runtime: "containerd", PodUID: pod}, true},
		{"k8s cgroupfs guaranteed", "/kubepods/pod" + pod + "/" + hexA,
			Info{ID: hexA, Runtime: "containerd", PodUID: pod}, true},
		{"k8s systemd containerd", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + podU +
			".slice/cri-containerd-" + hexA + ".scope", Info{ID: hexA, Runtime: "containerd", PodUID: pod}, true},
		{"k8s systemd guaranteed", "/kubepods.slice/kubepods-pod" + podU + ".slice/cri-containerd-" + hexA + ".scope",
			Info{ID: hexA, Runtime: "containerd", PodUID: pod}, true},
		{"cri-o", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + podU +
			".slice/crio-" + hexA + ".scope", Info{ID: hexA, Runtime: "cri-o", PodUID: pod}, true},
		{"cri-o conmon is not the container", "/kubepods.slice/kubepods-besteffort.slice/crio-conmon-" + hexA + ".scope", Info{}, false},
		{"k8s docker systemd", "/kubepods.slice/kubepods-pod" + podU + ".slice/docker-" + hexA + ".scope",
			Info{ID: hexA, Runtime: "docker", PodUID: pod}, true},
		{"podman", "/machine.slice/libpod-" + hexA + ".scope", Info{ID: hexA, Runtime: "podman"}, true},
		{"podman nested", "/machine.slice/libpod-" + hexA + ".scope/container", Info{ID: hexA, Runtime: "podman"}, true},
		{"podman rootless", "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + hexA + ".scope",
			Info{ID: hexA, Runtime: "podman"}, true},
		{"podman cgroupfs", "/libpod_parent/libpod-" + hexA, Info{ID: hexA, Runtime: "podman"}, true},
		{"podman conmon", "/machine.slice/libpod-conmon-" + hexA + ".scope", Info{}, false},
		{"nerdctl", "/default/" + hexA, Info{ID: hexA, Runtime: "containerd"}, true},
		{"ecs v1", "/ecs/" + task + "/" + hexA, Info{ID: hexA, Runtime: "docker", ECSTaskID: task}, true},
		{"ecs v1 old task id", "/ecs/" + pod + "/" + hexA, Info{ID: hexA, Runtime: "docker", ECSTaskID: pod}, true},
		{"ecs v2", "/ecstasks.slice/ecstasks-" + task + ".slice/docker-" + hexA + ".scope",
			Info{ID: hexA, Runtime: "docker", ECSTaskID: task}, true},
		{"fargate", "/ecs/" + task + "/" + task + "-2495160603",
			Info{ID: task + "-2495160603", Runtime: "ecs", ECSTaskID: task}, true},
		{"docker in docker", "/docker/" + hexA + "/docker/" + strings.Repeat("b", 64),
			Info{ID: strings.Repeat("b", 64), Runtime: "docker"}, true},
		{"host root", "/", Info{}, false},
		{"host service", "/system.slice/sshd.service", Info{}, false},
		{"host session", "/user.slice/user-0.slice/session-3.scope", Info{}, false},
		{"plain runc", "/vigiltest-1-1", Info{}, false},
		{"short hex", "/docker/" + hexA[:63], Info{}, false},
		{"upper hex", "/docker/" + strings.ToUpper(hexA), Info{}, false},
		{"empty", "", Info{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseCgroupPath(tt.path)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("ParseCgroupPath(%q) = %+v, %v; want %+v, %v", tt.path, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParseCgroupPath(f *testing.F) {
	for _, s := range []string{
		"/docker/" + hexA, "/system.slice/docker-" + hexA + ".scope",
		"/kubepods/besteffort/pod" + pod + "/" + hexA,
		"/ecs/" + task + "/" + task + "-1", "/", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		info, ok := ParseCgroupPath(p)
		if !ok {
			if info != (Info{}) {
				t.Fatalf("not ok but %+v", info)
			}
			return
		}
		// The id and the runtime always come from the path itself.
		if info.ID == "" || !strings.Contains(p, info.ID) || info.Runtime == "" {
			t.Fatalf("ParseCgroupPath(%q) = %+v", p, info)
		}
		if info.PodUID != "" && !isUUID(info.PodUID) {
			t.Fatalf("pod uid %q", info.PodUID)
		}
	})
}
