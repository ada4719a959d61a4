package delivery

import (
	"testing"
	"time"
)

// latencyRuns is how many single findings BenchmarkFindingToMail makes.
const latencyRuns = 25

// BenchmarkFindingToMail makes single findings one at a time, each after
// the previous one's mail and webhook arrived and a pause (so the
// dispatcher is idle and woken by the new finding, as in normal
// operation), and reports the latency from the finding's createdAt to the
// mail accepted by mailpit and to the webhook request received. Run it
// once:
//
//	go test -count=1 -run '^$' -bench FindingToMail -benchtime 1x ./test/delivery
func BenchmarkFindingToMail(b *testing.B) {
	for range b.N {
		b.StopTimer()
		e := newEnv(b)
		b.StartTimer()
		for i := range latencyRuns {
			e.agent.sendRange(b, i, i+1)
			e.waitHook(b, i+1, 30*time.Second)
			waitMailCount(b, e.mail, i+1, 30*time.Second)
			time.Sleep(300 * time.Millisecond) // a quiet gap between findings, not a wait for an outcome
		}
		b.StopTimer()
		hooks := e.hook.deliveries()
		mail := allMail(b, e.mail)
		checkEveryEventMailed(b, hooks, mail)
		mailLat, hookLat := mailLatencies(hooks, mail), hookLatencies(hooks)
		if len(mailLat) != latencyRuns {
			b.Fatalf("%d mail latencies, want %d", len(mailLat), latencyRuns)
		}
		b.ReportMetric(ms(mailLat.pct(50)), "mail-p50-ms")
		b.ReportMetric(ms(mailLat.pct(99)), "mail-p99-ms")
		b.ReportMetric(ms(hookLat.pct(50)), "webhook-p50-ms")
		b.ReportMetric(ms(hookLat.pct(99)), "webhook-p99-ms")
		b.Logf("finding→mail %v; finding→webhook %v", mailLat, hookLat)
	}
}
