package delivery

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/polltest"
)

// ccType is the finding every synthetic connect event produces.
const ccType = "Backdoor:Runtime/C&CActivity.B"

// threatNet is the threat list: all of 198.18.0.0/15 (RFC 2544's
// benchmarking range), so each of 131,072 addresses is a distinct C&C
// address and thus a distinct finding.
const threatNet = "198.18.0.0/15"

// mailTo receives every notification mail.
const mailTo = "soc@example.com"

// mailFrom is the sender; its domain ends up in every Message-ID.
const mailFrom = "vigil@vigil.test"

// serverSpec is what a test varies in the server's configuration.
type serverSpec struct {
	SMTPAddr   string
	WebhookURL string
	Secret     string
	// MaxAge is delivery.max_age; long enough that nothing a test waits
	// for is dead-lettered.
	MaxAge time.Duration
}

// vigilServer is `vigil server` with a config file and a data directory
// that outlive its process, on fixed ports, so it can be killed and
// restarted as the same service.
type vigilServer struct {
	t          testing.TB
	data       string
	configPath string
	logPath    string
	apiAddr    string
	ingestAddr string
	proc       *proc
	client     *api.Client
}

// startServer writes the config and starts the server.
func startServer(t testing.TB, spec serverSpec) *vigilServer {
	t.Helper()
	dir := t.TempDir()
	ports := freePorts(t, 2)
	s := &vigilServer{t: t, data: filepath.Join(dir, "data"), configPath: filepath.Join(dir, "vigil.yaml"),
		logPath: filepath.Join(dir, "server.log"),
		apiAddr: fmt.Sprintf("127.0.0.1:%d", ports[0]), ingestAddr: fmt.Sprintf("127.0.0.1:%d", ports[1])}
	list := filepath.Join(dir, "c2.txt")
	if err := os.WriteFile(list, []byte("# synthetic C&C addresses\n"+threatNet+"\n"), 0o644); err != nil {
		t.Fatalf("writing threat list: %v", err)
	}
	if err := os.WriteFile(s.configPath, []byte(s.config(spec, list)), 0o600); err != nil {
		t.Fatalf("writing config: %v", err)
	}
	s.start()
	t.Cleanup(func() {
		if s.proc != nil {
			s.proc.signal(syscall.SIGTERM, 10*time.Second)
		}
		if t.Failed() {
			t.Logf("server log (last lines):\n%s", s.logTail(40))
		}
	})
	return s
}

// config renders the YAML config: one rule for C&C findings with an email
// and a webhook target. The publishing frequency is the longest GuardDuty
// offers so repeats (there should be none) cannot add mail during a test.
func (s *vigilServer) config(spec serverSpec, list string) string {
	maxAge := spec.MaxAge
	if maxAge == 0 {
		maxAge = time.Hour
	}
	return fmt.Sprintf(`data: %q
listen: %q
ingest: %q
log_level: info
shutdown_timeout: 5s
smtp:
  addr: %q
  from: %q
  tls: none
  timeout: 5s
threat_lists: [%q]
findings:
  publishing_frequency: SIX_HOURS
delivery:
  max_attempts: 185
  max_age: %s
  poll: 200ms
  http_timeout: 5s
rules:
  - name: c2-alerts
    pattern: {"source": ["aws.guardduty"], "detail": {"type": [%q]}}
    targets:
      - id: mail
        email: [%q]
      - id: hook
        webhook:
          url: %q
          secret: %q
`, s.data, s.apiAddr, s.ingestAddr, spec.SMTPAddr, mailFrom, list, maxAge, ccType, mailTo, spec.WebhookURL, spec.Secret)
}

// start runs the server process and waits until /healthz answers.
func (s *vigilServer) start() {
	s.t.Helper()
	s.proc = startProc(s.t, s.logPath, "server", "--config", s.configPath)
	polltest.Until(s.t, 30*time.Second, "vigil server /healthz", func() bool {
		if s.proc.exited() {
			s.t.Fatalf("vigil server exited at start:\n%s", s.logTail(20))
		}
		resp, err := http.Get("http://" + s.apiAddr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	token, err := os.ReadFile(filepath.Join(s.data, "admin.token"))
	if err != nil {
		s.t.Fatalf("reading admin token: %v", err)
	}
	s.client = api.NewClient(s.apiAddr, strings.TrimSpace(string(token)))
}

// kill ends the server with SIGKILL: no shutdown code runs, as in a crash
// or an OOM kill.
func (s *vigilServer) kill() { s.proc.signal(syscall.SIGKILL, 10*time.Second) }

// restart starts the server again on the same data directory and ports.
func (s *vigilServer) restart() {
	if !s.proc.exited() {
		s.t.Fatal("restart: the server is still running")
	}
	s.start()
}

// findingsCLI lists every finding with `vigil findings list --json`.
func (s *vigilServer) findingsCLI() []finding.Finding {
	s.t.Helper()
	var fs []finding.Finding
	if err := json.Unmarshal(cli(s.t, s.data, "findings", "list", "--json"), &fs); err != nil {
		s.t.Fatalf("decoding findings list --json: %v", err)
	}
	return fs
}

// deadLettersCLI lists dead letters with `vigil dead-letters list --json`.
func (s *vigilServer) deadLettersCLI() []api.DeadLetter {
	s.t.Helper()
	var ds []api.DeadLetter
	if err := json.Unmarshal(cli(s.t, s.data, "dead-letters", "list", "--json"), &ds); err != nil {
		s.t.Fatalf("decoding dead-letters list --json: %v", err)
	}
	return ds
}

// findingsCreated reads vigil_findings_created_total from /metrics: cheap
// enough to poll while thousands of findings are being stored. It counts
// since this process started.
func (s *vigilServer) findingsCreated() (int, error) {
	resp, err := http.Get("http://" + s.apiAddr + "/metrics")
	if err != nil {
		return 0, fmt.Errorf("getting /metrics: %w", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "vigil_findings_created_total "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return 0, fmt.Errorf("parsing vigil_findings_created_total %q: %w", v, err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("no vigil_findings_created_total in /metrics: %w", sc.Err())
}

// findingCount counts stored findings through the API.
func (s *vigilServer) findingCount(ctx context.Context) (int, error) {
	fs, err := s.client.ListFindings(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("listing findings: %w", err)
	}
	return len(fs), nil
}

// logTail returns the last n lines of the server's log.
func (s *vigilServer) logTail(n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// logCount counts log lines containing substr (e.g. retried deliveries).
func (s *vigilServer) logCount(substr string) int {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), substr)
}

// freePorts finds n distinct free loopback ports. They are released before
// the server binds them, so another process could take one; the ports
// stay fixed across restarts, which the kill test needs.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
