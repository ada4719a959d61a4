package delivery

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/mailpittest"
	"github.com/vigilsec/vigil/internal/polltest"
)

// hookSecret signs webhook requests in every test.
const hookSecret = "delivery-test-secret"

// env is one test's world: mailpit, the webhook receiver, the server and
// an agent connected to it.
type env struct {
	mail  *mailpittest.Mailpit
	hook  *hookReceiver
	srv   *vigilServer
	agent *fakeAgent
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{mail: startMailpit(t), hook: newHookReceiver(t, hookSecret)}
	e.srv = startServer(t, serverSpec{SMTPAddr: e.mail.SMTPAddr(), WebhookURL: e.hook.URL(), Secret: hookSecret, MaxAge: time.Hour})
	e.agent = startAgent(t, e.srv, "agent-1")
	return e
}

// waitHook polls the receiver until n distinct events have arrived.
func (e *env) waitHook(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	polltest.Until(t, timeout, "webhook deliveries", func() bool { return e.hook.tally().Unique >= n })
}

// checkHookClean fails on refused requests: a bad signature or a body that
// is not the event its header names is a vigil bug, whatever else holds.
func checkHookClean(t testing.TB, h hookTally) {
	t.Helper()
	if h.BadSig != 0 || h.BadBody != 0 {
		t.Errorf("webhook refused requests: %d bad signatures, %d bad bodies", h.BadSig, h.BadBody)
	}
}

// TestOneFindingReachesBothTargets is the smoke test of the harness: one
// connect to a listed address is one finding, one mail and one webhook
// request, signed, carrying the same event id.
func TestOneFindingReachesBothTargets(t *testing.T) {
	e := newEnv(t)
	e.agent.sendRange(t, 0, 1)
	e.waitHook(t, 1, 20*time.Second)
	waitMailCount(t, e.mail, 1, 20*time.Second)
	fs := e.srv.findingsCLI()
	if len(fs) != 1 || fs[0].Type != ccType || fs[0].Service.Count != 1 {
		t.Fatalf("findings: %+v", fs)
	}
	hooks := e.hook.deliveries()
	mail := allMail(t, e.mail)
	checkEveryEventMailed(t, hooks, mail)
	checkHookClean(t, e.hook.tally())
	for _, d := range hooks {
		if d.FindingID != fs[0].ID {
			t.Errorf("webhook event carries finding %s, want %s", d.FindingID, fs[0].ID)
		}
	}
	t.Logf("finding→mail %v; finding→webhook %v", mailLatencies(hooks, mail), hookLatencies(hooks))
}
