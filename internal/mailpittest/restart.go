package mailpittest

import (
	"testing"
	"time"
)

// Stop ends mailpit as an outage would: SMTP connections are refused from
// then on. Messages already accepted stay in its database, so Restart
// brings them back. Stop waits until the process has exited, so the ports
// are closed when it returns.
func (m *Mailpit) Stop() { m.stop() }

// Restart starts mailpit again after Stop, on the same SMTP and HTTP
// addresses and the same database, and waits until its API answers.
// Another process may have taken one of the ports meanwhile (they were
// chosen free, not reserved), so a failed start is retried for a while
// before the test fails.
func (m *Mailpit) Restart(t testing.TB) {
	t.Helper()
	if !m.down {
		t.Fatal("mailpit Restart: it is running; call Stop first")
	}
	deadline := time.Now().Add(startTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		m.waitErr = make(chan error, 1)
		if lastErr = m.run(); lastErr == nil {
			if lastErr = m.waitReady(); lastErr == nil {
				m.down = false
				return
			}
			m.kill() // never became ready; m stays down
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("restart mailpit: %v; mailpit output:\n%s", lastErr, m.logs.String())
}

// Running reports whether mailpit is up (false between Stop and Restart).
func (m *Mailpit) Running() bool { return !m.down }
