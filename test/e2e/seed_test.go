package e2e

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/mailpittest"
	"github.com/vigilsec/vigil/internal/polltest"
	"github.com/vigilsec/vigil/internal/runctest"
)

const (
	seedPatternFindings  = `{"source":["aws.guardduty"],"detail":{"type":["Backdoor:Runtime/C&CActivity.B","PrivilegeEscalation:Runtime/DockerSocketAccessed"]}}`
	seedPatternUnhealthy = `{"source":["aws.guardduty"],"detail-type":["GuardDuty Runtime Protection Unhealthy"]}`
	seedPatternHealthy   = `{"source":["aws.guardduty"],"detail-type":["GuardDuty Runtime Protection Healthy"]}`
)

// env is one running deployment: mailpit, vigil server, vigil agent.
type env struct {
	data, agentState string
	mail             *mailpittest.Mailpit
	server, agent    *proc
}

func setup(t testing.TB) *env {
	kerneltest.Require(t, "root", "btf", "runc", "busybox")
	e := &env{data: t.TempDir(), agentState: t.TempDir(), mail: mailpittest.Start(t)}
	dir := t.TempDir()
	threats := filepath.Join(dir, "threats.txt")
	write(t, threats, "# test C&C list\n127.0.0.66\nguarddutyc2activityb.com\n")
	cfg := filepath.Join(dir, "vigil.yaml")
	write(t, cfg, "coverage:\n  unhealthy_after: 8s\n")
	e.server = start(t, "server", "--config", cfg, "--data", e.data, "--listen", "127.0.0.1:0", "--ingest", "127.0.0.1:0",
		"--smtp", e.mail.SMTPAddr(), "--smtp-from", "vigil@example.com", "--threat-list", threats)
	healthy(t, e.data, 30*time.Second)
	for name, pat := range map[string]string{"seed-findings": seedPatternFindings, "seed-unhealthy": seedPatternUnhealthy, "seed-healthy": seedPatternHealthy} {
		pf := filepath.Join(dir, name+".json")
		write(t, pf, pat)
		cli(t, e.data, "rules", "put", name, "--pattern", pf, "--email", "secops@example.com")
	}
	e.startAgent(t)
	return e
}

func (e *env) startAgent(t testing.TB) {
	e.agent = start(t, "agent", "--server", readFile(t, filepath.Join(e.data, "ingest.addr")),
		"--token-file", filepath.Join(e.data, "agent.token"), "--ca-file", filepath.Join(e.data, "ca.pem"),
		"--state-dir", e.agentState)
	polltest.Until(t, 60*time.Second, "agent coverage HEALTHY", func() bool {
		rs := coverageList(t, e.data)
		return len(rs) == 1 && rs[0].CoverageStatus == "HEALTHY"
	})
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dockerSock listens on a unix socket that a container sees as
// /var/run/docker.sock.
func dockerSock(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go answer(c)
		}
	}()
	return path
}

// answer reads a client's request and answers as the Docker daemon's
// /version would. Closing without reading would break the client's write
// (EPIPE) and fail the probe.
func answer(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	_, _ = c.Read(buf)
	_, _ = io.WriteString(c, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"Version\":\"vigil-test\"}\n")
}

func runProbe(t testing.TB, sock string, args ...string) runctest.Result {
	t.Helper()
	ctx, cancel := withTimeout(30 * time.Second)
	defer cancel()
	spec := runctest.Spec{Args: append([]string{"/bin/probe"}, args...), HostNetwork: true,
		Files: map[string]string{"/bin/probe": runctest.ProbeBinary(t)}}
	if sock != "" {
		spec.Mounts = []runctest.Mount{{Source: sock, Destination: "/var/run/docker.sock"}}
	}
	res, err := runctest.Run(ctx, t, spec)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSeedScenario(t *testing.T) {
	e := setup(t)

	// 3. A process in a container connects to the Docker socket.
	res := runProbe(t, dockerSock(t), "unix", "/var/run/docker.sock")
	if !strings.Contains(res.Stdout, "ok") {
		t.Fatalf("probe in container failed: %+v", res)
	}
	f := waitDockerFinding(t, e.data, res.ID, "DockerSocketAccessed finding")
	assertDockerFinding(t, f, res.ID)
	e.mail.WaitFor(t, func(ms []mailpittest.Summary) bool {
		return hasSubject(ms, "DockerSocketAccessed")
	}, 20*time.Second)

	// C&C by IP (emailed) and by DNS (recorded; the seed rule does not route it).
	runProbe(t, "", "tcp", "127.0.0.66:9")
	runProbe(t, "", "dns", "c2.guarddutyc2activityb.com", "127.0.0.1:5353")
	polltest.Until(t, 20*time.Second, "C&C findings", func() bool {
		fs := findings(t, e.data)
		_, ip := findByType(fs, "Backdoor:Runtime/C&CActivity.B", nil)
		_, dns := findByType(fs, "Backdoor:Runtime/C&CActivity.B!DNS", nil)
		return ip && dns
	})
	e.mail.WaitFor(t, func(ms []mailpittest.Summary) bool {
		return hasSubject(ms, "Backdoor:Runtime/C&CActivity.B in")
	}, 20*time.Second)

	// 4. A sample finding is made and mailed, marked as a sample.
	cli(t, e.data, "findings", "sample", "--type", "Backdoor:Runtime/C&CActivity.B")
	e.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return hasSubject(ms, "[SAMPLE]") }, 20*time.Second)

	// 5. The agent is killed: its resource turns UNHEALTHY and a mail says so;
	// back again, a Healthy event follows.
	e.agent.stop(syscall.SIGKILL)
	polltest.Until(t, 30*time.Second, "coverage UNHEALTHY", func() bool {
		rs := coverageList(t, e.data)
		return len(rs) == 1 && rs[0].CoverageStatus == "UNHEALTHY"
	})
	e.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return hasSubject(ms, "UNHEALTHY") }, 20*time.Second)
	e.startAgent(t)
	e.mail.WaitFor(t, func(ms []mailpittest.Summary) bool {
		return hasSubject(ms, "HEALTHY:") && hasSubject(ms, "Protection HEALTHY")
	}, 20*time.Second)
}

func hasSubject(ms []mailpittest.Summary, part string) bool {
	for _, m := range ms {
		if strings.Contains(m.Subject, part) {
			return true
		}
	}
	return false
}

func assertDockerFinding(t *testing.T, f finding.Finding, containerID string) {
	t.Helper()
	if f.Resource.ResourceType != "Container" || f.Resource.ContainerDetails == nil || f.Resource.ContainerDetails.ID != containerID {
		t.Errorf("resource %+v: want Container %s", f.Resource, containerID)
	}
	rd := f.Service.RuntimeDetails
	if rd == nil || rd.Process == nil || rd.Context == nil {
		t.Fatalf("runtimeDetails missing: %+v", f.Service)
	}
	if rd.Context.SocketPath != "/var/run/docker.sock" {
		t.Errorf("context.socketPath %q", rd.Context.SocketPath)
	}
	p := rd.Process
	if p.Name != "probe" || p.ExecutablePath != "/bin/probe" || p.Pid == 0 || p.UUID == "" || len(p.ExecutableSha256) != 64 {
		t.Errorf("process %+v", p)
	}
	if len(p.Lineage) == 0 || p.Lineage[0].UUID != p.ParentUUID {
		t.Errorf("lineage %+v does not start with the parent %s", p.Lineage, p.ParentUUID)
	}
	if f.Severity != 5 || f.Service.Count < 1 || f.Service.FeatureName != "RuntimeMonitoring" || f.SchemaVersion != "2.0" {
		t.Errorf("finding header: severity %v count %d feature %q schema %q", f.Severity, f.Service.Count, f.Service.FeatureName, f.SchemaVersion)
	}
}
