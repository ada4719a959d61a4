package delivery

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/polltest"
)

// burstSize is the burst the issue asks about.
const burstSize = 10_000

// burstDeadline bounds each phase of the burst; figures, not this bound,
// are the result (a benchmark reports, it does not pass or fail on time).
const burstDeadline = 20 * time.Minute

// BenchmarkBurst10k sends 10,000 connect events to distinct C&C addresses
// (10,000 new findings, 20,000 deliveries: one mail and one webhook each)
// as fast as the agent takes them, and measures how long the server takes
// to store them and to deliver them, the latency of each delivery from
// the finding's createdAt, the server's peak RSS and the outbox's peak
// backlog. Run it once:
//
//	go test -count=1 -run '^$' -bench Burst10k -benchtime 1x -timeout 30m ./test/delivery
func BenchmarkBurst10k(b *testing.B) {
	for range b.N {
		runBurst(b)
	}
}

// burstSamples are the peaks the sampler saw.
type burstSamples struct {
	mu          sync.Mutex
	rssPeakKiB  int
	backlogPeak int
	stored      time.Time // when all findings were first seen stored
}

func runBurst(b *testing.B) {
	b.StopTimer()
	e := newEnv(b)
	out := openOutbox(b, e.srv)
	b.Logf("server pid %d, data %s", e.srv.proc.cmd.Process.Pid, e.srv.data)
	ctx, cancel := context.WithCancel(context.Background())
	var samples burstSamples
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sample(ctx, e, out, &samples) }()

	b.StartTimer()
	start := time.Now()
	e.agent.sendRange(b, 0, burstSize)
	e.agent.settled(b, burstDeadline)
	acked := time.Since(start)
	polltest.Until(b, burstDeadline, "every finding stored", func() bool {
		samples.mu.Lock()
		defer samples.mu.Unlock()
		return !samples.stored.IsZero()
	})
	e.waitHook(b, burstSize, burstDeadline)
	hookDone := time.Since(start)
	waitMailCount(b, e.mail, burstSize, burstDeadline)
	mailDone := time.Since(start)
	b.StopTimer()
	cancel()
	wg.Wait()

	stored := samples.stored.Sub(start)
	hooks := e.hook.deliveries()
	mail := allMail(b, e.mail)
	checkEveryEventMailed(b, hooks, mail)
	checkHookClean(b, e.hook.tally())
	mailLat, hookLat := mailLatencies(hooks, mail), hookLatencies(hooks)
	allDone := max(hookDone, mailDone)

	b.ReportMetric(burstSize/stored.Seconds(), "findings/s")
	b.ReportMetric(2*burstSize/allDone.Seconds(), "deliveries/s")
	b.ReportMetric(stored.Seconds(), "stored-s")
	b.ReportMetric(mailDone.Seconds(), "all-mailed-s")
	b.ReportMetric(hookDone.Seconds(), "all-webhooks-s")
	b.ReportMetric(ms(mailLat.pct(50)), "mail-p50-ms")
	b.ReportMetric(ms(mailLat.pct(99)), "mail-p99-ms")
	b.ReportMetric(ms(hookLat.pct(50)), "webhook-p50-ms")
	b.ReportMetric(ms(hookLat.pct(99)), "webhook-p99-ms")
	b.ReportMetric(float64(samples.rssPeakKiB)/1024, "server-rss-peak-MiB")
	b.ReportMetric(float64(samples.backlogPeak), "outbox-peak")
	b.Logf("burst of %d: agent acked in %v; stored in %v (%.0f findings/s); webhooks complete at %v, mail at %v (%.0f deliveries/s); "+
		"finding→mail %v; finding→webhook %v; server RSS peak %d KiB; outbox peak %d rows; %s; webhook duplicates %d",
		burstSize, acked.Round(time.Millisecond), stored.Round(time.Millisecond), burstSize/stored.Seconds(),
		hookDone.Round(time.Millisecond), mailDone.Round(time.Millisecond), 2*burstSize/allDone.Seconds(),
		mailLat, hookLat, samples.rssPeakKiB, samples.backlogPeak, describeMail(mail), e.hook.tally().Duplicates)
}

// sample watches the server every 100 ms until ctx ends: RSS and outbox
// backlog peaks, and when the findings counter reaches the burst.
func sample(ctx context.Context, e *env, out *outboxReader, s *burstSamples) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rss := e.srv.proc.rssKiB()
		backlog, berr := out.pending(ctx)
		created, cerr := e.srv.findingsCreated()
		now := time.Now()
		s.mu.Lock()
		s.rssPeakKiB = max(s.rssPeakKiB, rss)
		if berr == nil {
			s.backlogPeak = max(s.backlogPeak, backlog)
		}
		if cerr == nil && created >= burstSize && s.stored.IsZero() {
			s.stored = now
		}
		s.mu.Unlock()
	}
}
