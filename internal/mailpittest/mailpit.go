// Package mailpittest runs a real mailpit (SMTP server with an HTTP API) for
// tests, so mail is sent over real SMTP and read back as a user would see it.
//
// The binary comes from `go install github.com/axllent/mailpit@v1.33.1`. It
// is looked up in $VIGIL_MAILPIT, then PATH, then $(go env GOPATH)/bin. When
// it is missing the test is skipped, except under CI or VIGIL_TEST_KERNEL=1,
// where it fails: CI must never go green by skipping.
package mailpittest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kerneltest"
	"github.com/vigilsec/vigil/internal/outputtest"
)

// startTimeout bounds how long mailpit may take to answer its API.
const startTimeout = 15 * time.Second

// Options adjusts the mailpit started by StartWith.
type Options struct {
	// Args are extra command-line flags, e.g. --smtp-tls-cert/--smtp-tls-key,
	// --smtp-require-tls, --smtp-auth-file.
	Args []string
}

// Mailpit is a running mailpit instance.
type Mailpit struct {
	smtpAddr string
	apiAddr  string // host:port of the HTTP API (mailpit's --listen)
	apiBase  string // "http://" + apiAddr
	client   *http.Client
	cmd      *exec.Cmd
	waitErr  chan error // receives the process's exit
	logs     *outputtest.Buffer
	// bin and args start this instance again after Stop (see Restart):
	// same ports, same database.
	bin  string
	args []string
	// down is set by Stop and cleared by Restart, so the cleanup does not
	// wait for a process that has already exited.
	down bool
}

// Start runs mailpit with default options; see StartWith.
func Start(t testing.TB) *Mailpit { return StartWith(t, Options{}) }

// StartWith runs mailpit on free loopback ports with a temporary database,
// waits until its HTTP API answers and stops it when the test ends.
func StartWith(t testing.TB, opts Options) *Mailpit {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if kerneltest.Required() || os.Getenv("CI") != "" {
			t.Fatalf("mailpit required (CI or VIGIL_TEST_KERNEL=1): %v", err)
		}
		t.Skipf("skipping: %v (go install github.com/axllent/mailpit@v1.33.1)", err)
	}
	// Free ports are found by binding :0 and releasing; another process may
	// grab one in between, so a failed start is retried with new ports.
	var lastErr error
	for range 3 {
		m, err := start(t, bin, opts)
		if err == nil {
			return m
		}
		lastErr = err
	}
	t.Fatalf("start mailpit: %v", lastErr)
	return nil
}

// Binary finds the mailpit executable.
func Binary() (string, error) {
	if p := os.Getenv("VIGIL_MAILPIT"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("VIGIL_MAILPIT=%s: %w", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, nil
	}
	var dirs []string
	if gp := os.Getenv("GOPATH"); gp != "" {
		dirs = append(dirs, filepath.SplitList(gp)...)
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		dirs = append(dirs, filepath.SplitList(string(bytes.TrimSpace(out)))...)
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "bin", "mailpit")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("mailpit binary not found in VIGIL_MAILPIT, PATH or GOPATH/bin")
}

func start(t testing.TB, bin string, opts Options) (*Mailpit, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	apiAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	m := &Mailpit{
		smtpAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		apiAddr:  apiAddr,
		apiBase:  "http://" + apiAddr,
		client:   &http.Client{Timeout: 10 * time.Second},
		waitErr:  make(chan error, 1),
		logs:     &outputtest.Buffer{},
	}
	args := append([]string{
		"--smtp", m.smtpAddr,
		"--listen", m.apiAddr,
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--disable-version-check",
		"--enable-chaos", // lets tests inject SMTP errors (SetChaos)
	}, opts.Args...)
	m.bin, m.args = bin, args
	if err := m.run(); err != nil {
		return nil, err
	}
	if err := m.waitReady(); err != nil {
		m.kill()
		return nil, fmt.Errorf("%w; mailpit output:\n%s", err, m.logs.String())
	}
	t.Cleanup(m.stop)
	return m, nil
}

// run starts the mailpit process with m.bin and m.args.
func (m *Mailpit) run() error {
	m.cmd = exec.Command(m.bin, m.args...)
	m.cmd.Stdout, m.cmd.Stderr = m.logs, m.logs
	if err := m.cmd.Start(); err != nil {
		return fmt.Errorf("run %s: %w", m.bin, err)
	}
	go func() { m.waitErr <- m.cmd.Wait() }()
	return nil
}

// waitReady polls the API until it answers, the process exits, or time runs out.
func (m *Mailpit) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := m.client.Get(m.apiBase + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case werr := <-m.waitErr:
			m.waitErr <- werr // keep it for stop
			return fmt.Errorf("mailpit exited before answering: %v", werr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mailpit API at %s not answering after %s", m.apiBase, startTimeout)
		}
	}
}

// stop ends this mailpit and marks it down; it does nothing when it is
// down already (after Stop, the test's cleanup finds nothing to end).
func (m *Mailpit) stop() {
	if m.down {
		return
	}
	m.down = true
	m.kill()
}

// kill ends the current mailpit process (by its PID), whatever m.down says:
// SIGTERM, then SIGKILL if it lingers. It returns once the process exited.
func (m *Mailpit) kill() {
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.waitErr:
	case <-time.After(5 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.waitErr
	}
}

// SMTPAddr is the host:port mailpit accepts SMTP on.
func (m *Mailpit) SMTPAddr() string { return m.smtpAddr }

// APIURL is the base URL of mailpit's HTTP API and web UI.
func (m *Mailpit) APIURL() string { return m.apiBase }

// Logs returns what mailpit printed so far, for failure messages.
func (m *Mailpit) Logs() string { return m.logs.String() }

func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close() // held until all are chosen, so they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
