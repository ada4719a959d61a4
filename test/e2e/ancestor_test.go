package e2e

import (
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/runctest"
)

// TestHostileAncestorStillDetected runs the container from a shell that was
// running before the agent started (so the agent reads its argv from /proc,
// in full) and whose argv holds a 5,000-byte argument and bytes that are not
// UTF-8: what a CI runner's shell carries, and what an attacker can put in
// front of its processes on purpose. Every event of the container carries
// that shell in its lineage. The agent used to drop all of them as out of
// the protocol's bounds, so nothing was detected; now they are cut to the
// bounds, and the finding names the shell among the ancestors.
func TestHostileAncestorStillDetected(t *testing.T) {
	kerneltest.Require(t, "root", "btf", "runc", "busybox")
	spec := runctest.Spec{ID: runctest.NewID("vigiltest"), Args: []string{"/bin/probe", "unix", "/var/run/docker.sock"},
		HostNetwork: true, Files: map[string]string{"/bin/probe": runctest.ProbeBinary(t)},
		Mounts: []runctest.Mount{{Source: dockerSock(t), Destination: "/var/run/docker.sock"}}}
	bundle := t.TempDir()
	if err := runctest.Bundle(bundle, spec); err != nil {
		t.Fatal(err)
	}
	// The shell waits for a line on stdin, then runs the container; "; exit"
	// keeps it from exec'ing runc in its place.
	sh := exec.Command("/bin/sh", "-c", `read go && runc run --bundle "$1" "$2"; exit $?`,
		"sh", bundle, spec.ID, strings.Repeat("x", 5000), "\xff\xfe")
	start, err := sh.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sh.Stdout, sh.Stderr = &out, &out
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = sh.Process.Kill()
		_ = exec.Command("runc", "delete", "--force", spec.ID).Run()
	})

	e := setup(t) // the agent starts after the shell
	_, _ = io.WriteString(start, "go\n")
	start.Close()
	done := make(chan error, 1)
	go func() { done <- sh.Wait() }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(out.String(), "ok") {
			t.Fatalf("container under the shell: %v: %s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("container under the shell did not finish: %s", out.String())
	}

	f := waitDockerFinding(t, e.data, spec.ID, "DockerSocketAccessed finding under the hostile shell")
	// probe's parent is runc, whose parent is the shell.
	lin := f.Service.RuntimeDetails.Process.Lineage
	if len(lin) < 2 || lin[0].Name != "runc" || lin[1].Name != "sh" {
		t.Fatalf("lineage %+v: want runc, then the launching sh", lin)
	}
}
