package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vigilsec/vigil/internal/kerneltest"
)

// TestPausedAgentStillAttributes freezes the agent (SIGSTOP: an overloaded
// host that leaves it no CPU) while a container connects to the Docker
// socket, exits and is deleted by runc. When the agent resumes, the
// container's processes, /proc entries, cgroup and runc state are all gone;
// the kernel kept the events and the cgroup's path, and the finding still
// names the container and its process.
func TestPausedAgentStillAttributes(t *testing.T) {
	e := setup(t)
	sock := dockerSock(t)
	agent := e.agent.cmd.Process
	if err := agent.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	defer func() {
		if !resumed {
			_ = agent.Signal(syscall.SIGCONT)
		}
	}()
	res := runProbe(t, sock, "unix", "/var/run/docker.sock")
	if !strings.Contains(res.Stdout, "ok") {
		t.Fatalf("probe in container failed: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(kerneltest.CgroupV2Root(), res.ID)); !os.IsNotExist(err) {
		t.Fatalf("container cgroup still there after runc delete (stat: %v)", err)
	}
	if err := agent.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	resumed = true
	f := waitDockerFinding(t, e.data, res.ID, "DockerSocketAccessed finding for the deleted container")
	rd := f.Service.RuntimeDetails
	if rd == nil || rd.Process == nil || rd.Context == nil {
		t.Fatalf("runtimeDetails missing: %+v", f.Service)
	}
	p := rd.Process
	if p.Name != "probe" || p.ExecutablePath != "/bin/probe" || p.Pid == 0 || p.NamespacePid != 1 || p.UUID == "" {
		t.Errorf("process %+v", p)
	}
	if rd.Context.SocketPath != "/var/run/docker.sock" || f.Resource.ResourceType != "Container" {
		t.Errorf("socketPath %q resource type %q", rd.Context.SocketPath, f.Resource.ResourceType)
	}
}
