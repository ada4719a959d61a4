package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/polltest"
)

// killBurst is the burst during which the server is killed.
const killBurst = 2000

// TestServerKilledMidBurst: the server is killed with SIGKILL while a burst
// is being ingested and delivered, then restarted on the same data. The
// agent resends what was not acknowledged. Afterwards every finding exists
// once with count 1, every notification has arrived at both targets, and
// duplicates are counted by event id (webhook) and Message-ID (mail).
func TestServerKilledMidBurst(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.agent.sendRange(t, 0, killBurst)
	// Kill once deliveries are flowing and the burst is still being
	// stored, so the kill lands in the middle of both.
	e.waitHook(t, killBurst/10, 60*time.Second)
	stored, err := e.srv.findingsCreated()
	if err != nil {
		t.Fatal(err)
	}
	atKill := e.hook.tally()
	mailAtKill, _ := e.mail.Count(ctx)
	e.srv.kill()
	killed := time.Now()
	t.Logf("killed with -9 after %d of %d findings stored; %d webhook and %d mail deliveries done", stored, killBurst, atKill.Unique, mailAtKill)
	if stored >= killBurst {
		t.Logf("note: every finding was already stored at the kill; only delivery was interrupted")
	}

	e.srv.restart()
	e.agent.settled(t, 2*time.Minute)
	polltest.Until(t, time.Minute, "every finding stored", func() bool {
		n, err := e.srv.findingCount(ctx)
		return err == nil && n >= killBurst
	})
	// Deliveries leased by the killed process become due again when their
	// lease (one minute) runs out; wait for the outbox to drain, which
	// means nothing more will arrive.
	out := openOutbox(t, e.srv)
	polltest.Until(t, 4*time.Minute, "the outbox to drain", func() bool {
		n, err := out.pending(ctx)
		return err == nil && n == 0
	})
	drained := time.Since(killed)

	fs := e.srv.findingsCLI()
	ids := map[string]bool{}
	var recounted int
	for _, f := range fs {
		if ids[f.ID] {
			t.Errorf("finding %s listed twice", f.ID)
		}
		ids[f.ID] = true
		if f.Service.Count != 1 {
			recounted++
		}
	}
	if len(ids) != killBurst {
		t.Errorf("%d distinct findings, want %d", len(ids), killBurst)
	}
	if recounted > 0 {
		// Each address was connected to once, so count must be 1: a higher
		// count is a resent batch's events evaluated a second time.
		t.Errorf("%d findings have count > 1 although each event was sent once: a resent batch was double-counted", recounted)
	}
	hooks := e.hook.deliveries()
	ht := e.hook.tally()
	mail := allMail(t, e.mail)
	checkHookClean(t, ht)
	if ht.Unique != killBurst {
		t.Errorf("webhook received %d distinct events, want %d", ht.Unique, killBurst)
	}
	if len(mail.ByEvent) != killBurst {
		t.Errorf("mailpit holds %d distinct events, want %d", len(mail.ByEvent), killBurst)
	}
	checkEveryEventMailed(t, hooks, mail)
	if dl := e.srv.deadLettersCLI(); len(dl) != 0 {
		t.Errorf("%d dead letters, first: %+v", len(dl), dl[0])
	}
	t.Logf("after restart: %d findings (%d with count > 1); webhook %d events, %d duplicates (recognised by X-Vigil-Event-Id); "+
		"mail %s; outbox drained %v after the kill", len(fs), recounted, ht.Unique, ht.Duplicates, describeMail(mail), drained.Round(time.Millisecond))
}
