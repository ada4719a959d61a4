package bus

import (
	"fmt"
	"time"
)

// Reasons a delivery is dead-lettered. The first two are EventBridge's
// EXHAUSTED_RETRY_CONDITION values, so operators read familiar words.
const (
	ExhaustedAttempts = "MaximumRetryAttempts"
	ExhaustedAge      = "MaximumEventAgeInSeconds"
	PermanentFailure  = "PermanentFailure"
)

// outcome is what to do with a delivery after a failed attempt.
type outcome struct {
	deadLetter bool
	reason     string
	next       time.Time
}

// attemptOf is the number of the attempt being made on a claimed delivery.
// Claim counts it; an outbox that does not count still gets a sane 1.
func attemptOf(del Delivery) int { return max(del.Attempts, 1) }

// retryLimits are the attempt and age limits that apply to one delivery.
type retryLimits struct {
	maxAttempts int           // attempts, the first one included
	maxAge      time.Duration // age of the event after which it is dropped
}

// limitsFor takes each limit from the target's RetryPolicy when it sets it,
// else from the dispatcher's configuration. EventBridge's
// MaximumRetryAttempts counts retries, not attempts: N retries allow N+1
// sends. A zero field means "not set" (the JSON form omits zeros), so "no
// retries at all" cannot be asked for per target; 1 is the minimum.
func (d *Dispatcher) limitsFor(t Target) retryLimits {
	l := retryLimits{maxAttempts: d.cfg.MaxAttempts, maxAge: d.cfg.MaxAge}
	if p := t.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts > 0 {
			l.maxAttempts = p.MaximumRetryAttempts + 1
		}
		if p.MaximumEventAgeInSeconds > 0 {
			l.maxAge = time.Duration(p.MaximumEventAgeInSeconds) * time.Second
		}
	}
	return l
}

// decide applies the retry policy to a failed attempt at now.
func (d *Dispatcher) decide(del Delivery, err error, now time.Time) outcome {
	attempt := attemptOf(del)
	lim := d.limitsFor(del.Target)
	if IsPermanent(err) {
		return outcome{deadLetter: true, reason: fmt.Sprintf("%s: %v", PermanentFailure, err)}
	}
	if attempt >= lim.maxAttempts {
		return outcome{deadLetter: true, reason: fmt.Sprintf("%s: %d attempts: %v", ExhaustedAttempts, attempt, err)}
	}
	next := now.Add(d.backoff(attempt))
	if !del.CreatedAt.IsZero() && next.Sub(del.CreatedAt) > lim.maxAge {
		return outcome{deadLetter: true, reason: fmt.Sprintf("%s: next attempt would be %s after the event, limit %s: %v",
			ExhaustedAge, next.Sub(del.CreatedAt).Round(time.Second), lim.maxAge, err)}
	}
	return outcome{next: next}
}

// expired reports whether del must not be sent at all: it is older than
// its maximum age (EventBridge drops events past MaximumEventAgeInSeconds),
// or its attempts ran out while earlier claims were lost to crashes.
func (d *Dispatcher) expired(del Delivery, now time.Time) (string, bool) {
	var reason string
	lim := d.limitsFor(del.Target)
	switch age := now.Sub(del.CreatedAt); {
	case attemptOf(del) > lim.maxAttempts:
		reason = fmt.Sprintf("%s: %d attempts claimed, limit %d", ExhaustedAttempts, attemptOf(del), lim.maxAttempts)
	case !del.CreatedAt.IsZero() && age > lim.maxAge:
		reason = fmt.Sprintf("%s: event is %s old, limit %s", ExhaustedAge, age.Round(time.Second), lim.maxAge)
	default:
		return "", false
	}
	if del.LastError != "" {
		reason += ": " + del.LastError
	}
	return reason, true
}

// backoff is the delay before attempt+1: exponential in the attempt number,
// capped at MaxBackoff, then jittered.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	return d.cfg.Jitter(backoffCap(d.cfg.BaseBackoff, d.cfg.MaxBackoff, attempt))
}

// backoffCap is base·2^(attempt-1), capped at max without overflowing.
func backoffCap(base, max time.Duration, attempt int) time.Duration {
	c := base
	for i := 1; i < attempt; i++ {
		if c >= max/2 {
			return max
		}
		c *= 2
	}
	return min(c, max)
}
