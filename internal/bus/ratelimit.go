package bus

import (
	"math"
	"sync"
	"time"
)

// limiter holds one token bucket per (rule, target id), for targets with a
// RateLimit. It lives in the Dispatcher, so the limit is per dispatcher:
// servers sharing one outbox each allow the full rate (a shared limit would
// need a shared store of tokens; per-server is the documented trade-off).
// Buckets start full, so a quiet target gets its burst at once.
type limiter struct {
	mu      sync.Mutex
	buckets map[bucketKey]*bucket
}

type bucketKey struct{ rule, target string }

type bucket struct {
	rate   float64 // tokens per second
	burst  float64 // capacity
	tokens float64
	last   time.Time // when tokens was last brought up to date
	// slot is the earliest time handed to the next deferred delivery. Each
	// deferral takes the next free slot, one token-interval apart, so a
	// backlog comes due spread out at the rate it can be sent instead of
	// all at once (which would make every claim defer all but one again).
	slot time.Time
}

// maxIdleBuckets bounds the map: beyond it, buckets that are full again
// (indistinguishable from new ones) are dropped, so rules that were
// deleted do not keep theirs forever.
const maxIdleBuckets = 1024

// tokenEpsilon absorbs float rounding: a delivery due exactly when its
// token is earned (0.2 s at 5/s) must find it, not 0.9999999 of it.
const tokenEpsilon = 1e-9

func newLimiter() *limiter { return &limiter{buckets: make(map[bucketKey]*bucket)} }

// take spends a token for key if one is available at now. Otherwise it
// returns the time at which the caller should try again.
func (l *limiter) take(key bucketKey, rl RateLimit, now time.Time) (ok bool, retryAt time.Time) {
	rate, burst := rl.PerSecond, float64(rl.Burst)
	if !(rate > 0) || math.IsInf(rate, 0) {
		return true, time.Time{} // invalid limits are rejected on save; do not stall on one
	}
	if burst <= 0 {
		burst = max(1, math.Ceil(rate)) // default: one second's worth
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxIdleBuckets {
			l.pruneFull(now)
		}
		b = &bucket{rate: rate, burst: burst, tokens: burst, last: now}
		l.buckets[key] = b
	}
	if b.rate != rate || b.burst != burst {
		// The rule was changed: keep the tokens spent, apply the new limits.
		b.rate, b.burst, b.tokens = rate, burst, min(b.tokens, burst)
	}
	b.refill(now)
	if b.tokens >= 1-tokenEpsilon {
		b.tokens = max(0, b.tokens-1)
		return true, time.Time{}
	}
	interval := time.Duration(float64(time.Second) / b.rate)
	at := now.Add(time.Duration((1 - b.tokens) * float64(time.Second) / b.rate))
	if b.slot.After(at) {
		at = b.slot
	}
	b.slot = at.Add(interval)
	return false, at
}

// refill adds the tokens earned since last; a clock that went backwards
// earns nothing.
func (b *bucket) refill(now time.Time) {
	if dt := now.Sub(b.last); dt > 0 {
		b.tokens = min(b.burst, b.tokens+dt.Seconds()*b.rate)
		b.last = now
	}
}

func (l *limiter) pruneFull(now time.Time) {
	for k, b := range l.buckets {
		b.refill(now)
		if b.tokens >= b.burst-tokenEpsilon && !b.slot.After(now) {
			delete(l.buckets, k)
		}
	}
}
