package delivery

import (
	"fmt"
	"slices"
	"time"
)

// latencies is a sample of delivery latencies.
type latencies []time.Duration

// pct is the p-th percentile (0 < p ≤ 100) by nearest rank: the smallest
// sample at or above p percent of the samples.
func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	rank := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

func (l latencies) String() string {
	if len(l) == 0 {
		return "no samples"
	}
	return fmt.Sprintf("n=%d p50=%v p99=%v max=%v", len(l), l.pct(50).Round(time.Millisecond),
		l.pct(99).Round(time.Millisecond), l.pct(100).Round(time.Millisecond))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// mailLatencies pairs each event's first mail with the finding's createdAt
// (taken from the webhook copy of the same event): from "finding stored"
// to "mail accepted by the SMTP server" (mailpit's Created).
func mailLatencies(events map[string]hookDelivery, mail mailTally) latencies {
	var out latencies
	for id, d := range events {
		copies := mail.ByEvent[id]
		if len(copies) == 0 || d.CreatedAt.IsZero() {
			continue
		}
		first := copies[0].Created
		for _, m := range copies[1:] {
			if m.Created.Before(first) {
				first = m.Created
			}
		}
		out = append(out, first.Sub(d.CreatedAt))
	}
	return out
}

// hookLatencies is "finding stored" to "first webhook request received".
func hookLatencies(events map[string]hookDelivery) latencies {
	var out latencies
	for _, d := range events {
		if !d.CreatedAt.IsZero() {
			out = append(out, d.First.Sub(d.CreatedAt))
		}
	}
	return out
}
