package delivery

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/polltest"
)

// outage is how long the SMTP server stays down: the issue asks for two
// minutes, long enough for every delivery to climb well up the backoff.
const outage = 2 * time.Minute

// outageFindings are made while SMTP is down.
const outageFindings = 50

// recoveryDeadline bounds the wait for the backlog after SMTP returns.
// The dispatcher's backoff is exponential with full jitter, capped at
// bus.DefaultMaxBackoff (10 min), never reset when the target recovers,
// and not configurable in vigil's config: during a 2-minute outage some
// deliveries reach attempt 10, whose delay is drawn from [0, 512 s]. So
// the last mail can arrive up to the cap after SMTP is back (7 min 10 s
// in one run), and the deadline must cover the cap. docs/delivery.md
// proposes pulling a target's waiting retries forward once a delivery to
// it succeeds, which would make this seconds.
const recoveryDeadline = bus.DefaultMaxBackoff + time.Minute

// TestSMTPOutage: the SMTP server is down for two minutes while findings
// are made. Nothing is lost or dead-lettered; the webhook target is not
// held up by the broken one; when SMTP is back every mail arrives, and
// duplicates (if any) carry the same Message-ID.
func TestSMTPOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("a real two-minute outage, and up to 10 minutes of backoff after it")
	}
	e := newEnv(t)
	// One finding before the outage proves the path works.
	e.agent.sendRange(t, 0, 1)
	e.waitHook(t, 1, 20*time.Second)
	waitMailCount(t, e.mail, 1, 20*time.Second)

	e.mail.Stop()
	down := time.Now()
	e.agent.sendRange(t, 1, 1+outageFindings)
	e.agent.settled(t, 30*time.Second)
	// The webhook gets everything during the outage: one target's failures
	// must not stall another's deliveries.
	e.waitHook(t, 1+outageFindings, 30*time.Second)
	webhookDone := time.Since(down)

	// Hold the outage for its full length (a deliberate duration, not a
	// wait for something to happen).
	time.Sleep(time.Until(down.Add(outage)))
	if dl := e.srv.deadLettersCLI(); len(dl) != 0 {
		t.Fatalf("%d deliveries dead-lettered during the outage, first: %+v", len(dl), dl[0])
	}
	failed := e.srv.logCount("delivery failed; will retry")
	e.mail.Restart(t)
	up := time.Now()

	// Distinct events, not messages: a duplicate must not stand in for a
	// mail still missing.
	polltest.Until(t, recoveryDeadline, "every event mailed", func() bool {
		return len(allMail(t, e.mail).ByEvent) >= 1+outageFindings
	})
	recovered := time.Since(up)
	mail := allMail(t, e.mail)
	hooks := e.hook.deliveries()
	ht := e.hook.tally()
	checkHookClean(t, ht)
	checkEveryEventMailed(t, hooks, mail)
	if got := len(e.srv.findingsCLI()); got != 1+outageFindings {
		t.Errorf("%d findings, want %d", got, 1+outageFindings)
	}
	if dl := e.srv.deadLettersCLI(); len(dl) != 0 {
		t.Errorf("%d dead letters after recovery", len(dl))
	}
	lat := mailLatencies(hooks, mail)
	// How long after SMTP was back each mail got through: the backoff's
	// tail, not SMTP, decides this.
	var afterUp latencies
	for _, copies := range mail.ByEvent {
		if d := copies[0].Created.Sub(up); d > 0 {
			afterUp = append(afterUp, d)
		}
	}
	t.Logf("SMTP outage %v with %d findings made during it: webhook had all %d events %v after the outage began (%d duplicates); "+
		"%d failed SMTP attempts were retried; mail complete %v after SMTP came back (%s); arrival after SMTP came back %v; finding→mail %v",
		outage, outageFindings, ht.Unique, webhookDone.Round(time.Millisecond), ht.Duplicates,
		failed, recovered.Round(time.Millisecond), describeMail(mail), afterUp, lat)
	if mail.Duplicates != 0 {
		t.Logf("note: %d duplicate mails (same Message-ID)", mail.Duplicates)
	}
}
