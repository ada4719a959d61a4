package delivery

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/mailpittest"
	"github.com/vigilsec/vigil/internal/polltest"
)

// startMailpit runs mailpit keeping every message (its default keeps 500)
// and without reverse-DNS lookups, which would only add latency here.
func startMailpit(t testing.TB) *mailpittest.Mailpit {
	return mailpittest.StartWith(t, mailpittest.Options{Args: []string{"--max", "0", "--smtp-disable-rdns"}})
}

// mailTally groups what mailpit holds by event id. vigil derives the
// Message-ID from the event id (<event-id@sender-domain>), the same on
// every redelivery, so a mail system that de-duplicates by Message-ID
// would keep one copy; mailpit keeps them all, which lets us count them.
type mailTally struct {
	ByEvent    map[string][]mailpittest.Summary
	Duplicates int // copies beyond the first
	Foreign    int // messages without a vigil Message-ID
}

func tallyMail(ms []mailpittest.Summary) mailTally {
	t := mailTally{ByEvent: map[string][]mailpittest.Summary{}}
	suffix := "@" + mailFrom[strings.IndexByte(mailFrom, '@')+1:]
	for _, m := range ms {
		id, ok := strings.CutSuffix(strings.Trim(m.MessageID, "<>"), suffix)
		if !ok || id == "" {
			t.Foreign++
			continue
		}
		if len(t.ByEvent[id]) > 0 {
			t.Duplicates++
		}
		t.ByEvent[id] = append(t.ByEvent[id], m)
	}
	return t
}

// allMail fetches and tallies every message.
func allMail(t testing.TB, mp *mailpittest.Mailpit) mailTally {
	t.Helper()
	ms, err := mp.AllMessages(context.Background())
	if err != nil {
		t.Fatalf("listing mail: %v", err)
	}
	return tallyMail(ms)
}

// waitMailCount polls mailpit's message count until it reaches n.
func waitMailCount(t testing.TB, mp *mailpittest.Mailpit, n int, timeout time.Duration) {
	t.Helper()
	var last int
	var lastErr error
	if !polltest.Poll(timeout, func() bool {
		last, lastErr = mp.Count(context.Background())
		return lastErr == nil && last >= n
	}) {
		t.Fatalf("mailpit holds %d messages after %v, want %d (last error: %v)", last, timeout, n, lastErr)
	}
}

// checkEveryEventMailed fails the test unless every event the webhook
// received was also mailed (events is the webhook's view).
func checkEveryEventMailed(t testing.TB, events map[string]hookDelivery, mail mailTally) {
	t.Helper()
	var missing []string
	for id := range events {
		if len(mail.ByEvent[id]) == 0 {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d events reached the webhook but not mailpit, e.g. %s", len(missing), strings.Join(missing[:min(3, len(missing))], ", "))
	}
	if extra := len(mail.ByEvent) - len(events); extra > 0 {
		t.Errorf("%d mailed events never reached the webhook", extra)
	}
	if mail.Foreign > 0 {
		t.Errorf("%d messages without a vigil Message-ID", mail.Foreign)
	}
}

func describeMail(m mailTally) string {
	return fmt.Sprintf("%d events mailed, %d duplicate messages", len(m.ByEvent), m.Duplicates)
}
