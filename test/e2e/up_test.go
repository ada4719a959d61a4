package e2e

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/mailpittest"
	"github.com/vigilsec/vigil/internal/polltest"
)

// TestUp runs the README's main command: `vigil up` (service and local
// agent in one process) becomes healthy once its agent is attached and
// connected, routes a sample finding to mail, reports its host as covered,
// and stops cleanly on SIGTERM.
func TestUp(t *testing.T) {
	kerneltest.Require(t, "root", "btf")
	mail := mailpittest.Start(t)
	data := t.TempDir()
	up := start(t, "up", "--data", data, "--listen", "127.0.0.1:0", "--ingest", "127.0.0.1:0",
		"--smtp", mail.SMTPAddr(), "--smtp-from", "vigil@example.com")
	healthy(t, data, 60*time.Second)
	pat := filepath.Join(t.TempDir(), "p.json")
	write(t, pat, seedPatternFindings)
	cli(t, data, "rules", "put", "seed", "--pattern", pat, "--email", "secops@example.com")
	cli(t, data, "findings", "sample", "--type", "Backdoor:Runtime/C&CActivity.B")
	mail.WaitFor(t, func(ms []mailpittest.Summary) bool {
		return len(ms) == 1 && strings.Contains(ms[0].Subject, "[SAMPLE]") && strings.Contains(ms[0].Subject, "C&CActivity.B")
	}, 20*time.Second)
	polltest.Until(t, 20*time.Second, "the host covered and HEALTHY", func() bool {
		rs := coverageList(t, data)
		return len(rs) == 1 && rs[0].CoverageStatus == "HEALTHY" && rs[0].ResourceDetails.ResourceType == "EC2"
	})
	up.stop(syscall.SIGTERM)
	if code := up.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("vigil up exited %d on SIGTERM:\n%s", code, up.output())
	}
}
