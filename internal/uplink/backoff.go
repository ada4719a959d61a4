package uplink

import (
	"math/rand/v2"
	"time"
)

// backoff spaces reconnect attempts: doubling from min to max, each delay
// drawn from [d/2, d] so that agents cut off together by a server restart
// do not all come back in the same instant.
type backoff struct {
	min, max time.Duration
	cur      time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(b.cur*2, b.max)
	}
	half := b.cur / 2
	return half + rand.N(half+1)
}

func (b *backoff) reset() { b.cur = 0 }
