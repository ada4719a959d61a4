package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Outbox is the durable queue of deliveries (implemented by internal/store).
//
// Contract: Claim leases up to limit deliveries due at now (NextAt <= now)
// for lease, so that other dispatchers (other servers) skip them meanwhile,
// and counts the attempt about to be made: each returned Delivery.Attempts
// includes it. Counting at claim time means a worker that crashes mid-send
// still uses up an attempt, so a poison delivery cannot loop forever.
// CompleteMany removes delivered deliveries (in one transaction); Retry makes it due again at next, recording
// the error; Defer makes it due again at next without using up an attempt
// (it takes back the one Claim counted, and keeps the last error): the
// dispatcher chose not to send it, so the target's retry budget is
// untouched. DeadLetter moves it to the dead-letter list with the reason. A
// delivery whose lease expires without any of these is claimed again,
// which is what makes delivery at-least-once across crashes.
type Outbox interface {
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Delivery, error)
	CompleteMany(ctx context.Context, ids []int64) error
	Retry(ctx context.Context, id int64, next time.Time, lastErr string) error
	Defer(ctx context.Context, id int64, next time.Time) error
	DeadLetter(ctx context.Context, id int64, reason string) error
	// Expedite makes the deliveries of one rule target that are waiting
	// to retry a failure due at now; it returns how many.
	Expedite(ctx context.Context, rule, targetID string, now time.Time) (int, error)
}

// Sender delivers one event to one target (implemented by internal/notify).
// payload is what the target receives: the event JSON, or what the
// target's Input, InputPath or InputTransformer made of it, which may be any
// JSON value or plain text (PayloadBody of the Delivery's Payload).
// It must not retry on its own: the dispatcher owns retries.
type Sender interface {
	Send(ctx context.Context, t Target, eventID string, payload []byte) error
}

// Permanent is implemented by errors that retrying cannot fix (a rejected
// recipient, a malformed payload); such deliveries are dead-lettered at once,
// as EventBridge does with non-retriable failures.
type Permanent interface{ Permanent() bool }

// IsPermanent reports whether err, or an error it wraps, says it is permanent.
func IsPermanent(err error) bool {
	var p Permanent
	return errors.As(err, &p) && p.Permanent()
}

// Defaults follow EventBridge's retry policy (185 attempts / 24 h).
const (
	DefaultPoll        = 200 * time.Millisecond
	DefaultLease       = time.Minute
	DefaultMaxAttempts = 185
	DefaultMaxAge      = 24 * time.Hour
	DefaultBaseBackoff = time.Second
	DefaultMaxBackoff  = 10 * time.Minute
	DefaultBatch       = 16
	DefaultWorkers     = 16
)

// DispatcherConfig configures a Dispatcher. Zero values take the defaults.
type DispatcherConfig struct {
	Outbox      Outbox
	Sender      Sender
	Poll        time.Duration // how often to look for due deliveries without a Kick
	Lease       time.Duration // how long a claimed delivery is ours; also bounds one Send
	MaxAttempts int           // attempts (first one included) before dead-lettering
	MaxAge      time.Duration // age of a delivery after which it is dead-lettered
	BaseBackoff time.Duration // upper bound of the first retry delay
	MaxBackoff  time.Duration // cap of the retry delay
	Batch       int           // deliveries claimed at a time
	Workers     int           // sends in flight at a time, so one slow target does not stall the rest
	Logger      *slog.Logger
	Now         func() time.Time
	// Jitter picks the actual delay in [0, max]; the default is full jitter
	// (uniform), which spreads retries of many deliveries that failed together.
	Jitter func(max time.Duration) time.Duration
}

// Dispatcher moves due deliveries from the outbox to their targets.
type Dispatcher struct {
	cfg     DispatcherConfig
	kick    chan struct{}
	limiter *limiter // per-target RateLimit buckets
	// failing holds the targets whose last send failed: when one works
	// again, its waiting retries are made due at once (Expedite), rather
	// than each waiting out a backoff that grew during the outage.
	failing sync.Map // bucketKey → struct{}
}

// NewDispatcher returns a dispatcher; cfg.Outbox and cfg.Sender are required
// (Run reports them missing).
func NewDispatcher(cfg DispatcherConfig) *Dispatcher {
	return &Dispatcher{cfg: withDefaults(cfg), kick: make(chan struct{}, 1), limiter: newLimiter()}
}

func withDefaults(c DispatcherConfig) DispatcherConfig {
	setDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	setDur(&c.Poll, DefaultPoll)
	setDur(&c.Lease, DefaultLease)
	setDur(&c.MaxAge, DefaultMaxAge)
	setDur(&c.BaseBackoff, DefaultBaseBackoff)
	setDur(&c.MaxBackoff, DefaultMaxBackoff)
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.Batch <= 0 {
		c.Batch = DefaultBatch
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Jitter == nil {
		c.Jitter = fullJitter
	}
	return c
}

func fullJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return rand.N(max + 1)
}

// Kick wakes the dispatcher now; call it after writing new deliveries so the
// first attempt is not delayed by Poll. It never blocks.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default: // a wake-up is already pending; one is enough
	}
}

// Run delivers until ctx is cancelled, then returns nil. Outbox errors are
// logged and retried at the next poll: a database hiccup must not stop
// delivery. Workers take deliveries from a small local queue the claim
// loop keeps filled, so one slow target (a mail relay) does not hold back
// deliveries to fast ones; completions are written in batches (every
// commit is an fsync, the bottleneck of a burst).
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.cfg.Outbox == nil || d.cfg.Sender == nil {
		return errors.New("dispatcher: Outbox and Sender are required")
	}
	work := make(chan Delivery, d.cfg.Batch)
	done := newCompleter(d.cfg.Outbox, d.cfg.Logger)
	var inflight atomic.Int64
	var wg sync.WaitGroup
	for range d.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for del := range work {
				d.deliver(ctx, del, done)
				inflight.Add(-1)
				d.Kick()
			}
		}()
	}
	go done.run()
	defer func() { close(work); wg.Wait(); done.close() }()
	d.claimLoop(ctx, work, &inflight)
	return nil
}

// claimLoop keeps up to Workers+Batch deliveries claimed and queued.
func (d *Dispatcher) claimLoop(ctx context.Context, work chan<- Delivery, inflight *atomic.Int64) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		room := int64(d.cfg.Workers+d.cfg.Batch) - inflight.Load()
		n := 0
		var err error
		if room > 0 {
			var batch []Delivery
			batch, err = d.cfg.Outbox.Claim(ctx, d.cfg.Now(), int(min(room, int64(d.cfg.Batch))), d.cfg.Lease)
			inflight.Add(int64(len(batch)))
			for _, del := range batch {
				work <- del
			}
			n = len(batch)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.cfg.Logger.Warn("outbox claim failed", "err", err)
		}
		if err == nil && n > 0 && n == int(min(room, int64(d.cfg.Batch))) && inflight.Load() < int64(d.cfg.Workers+d.cfg.Batch) {
			continue // more may be due already, and there is room
		}
		timer.Reset(d.cfg.Poll)
		select {
		case <-ctx.Done():
			return
		case <-d.kick: // new deliveries, or a worker finished one
		case <-timer.C:
		}
	}
}

// bookkeepingTimeout bounds the outbox calls after a send. They run detached
// from Run's context so that a send that succeeded just before shutdown is
// still marked complete instead of being delivered twice.
const bookkeepingTimeout = 10 * time.Second

// deliver makes one attempt and records its outcome in the outbox.
func (d *Dispatcher) deliver(ctx context.Context, del Delivery, done *completer) {
	log := d.cfg.Logger.With("delivery", del.ID, "event", del.EventID, "rule", del.Rule, "target", del.Target.ID)
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	now := d.cfg.Now()
	if reason, expired := d.expired(del, now); expired {
		d.deadLetter(bctx, log, del, reason)
		return
	}
	if d.throttled(bctx, log, del, now) {
		return
	}
	body, err := PayloadBody(del.Payload)
	if err != nil {
		d.deadLetter(bctx, log, del, fmt.Sprintf("%s: %v", PermanentFailure, err))
		return
	}
	sendCtx, cancelSend := context.WithTimeout(ctx, d.cfg.Lease)
	err = d.cfg.Sender.Send(sendCtx, del.Target, del.EventID, body)
	cancelSend()
	key := bucketKey{rule: del.Rule, target: del.Target.ID}
	if err == nil {
		done.add(del.ID)
		log.Debug("delivered", "attempt", attemptOf(del))
		d.recovered(bctx, log, key)
		return
	}
	d.failing.Store(key, struct{}{})
	if ctx.Err() != nil {
		// Shutting down: this attempt says nothing about the target. The
		// lease runs out and another run picks the delivery up.
		return
	}
	out := d.decide(del, err, d.cfg.Now())
	if out.deadLetter {
		d.deadLetter(bctx, log, del, out.reason)
		return
	}
	log.Info("delivery failed; will retry", "attempt", attemptOf(del), "next", out.next, "err", err)
	if rerr := d.cfg.Outbox.Retry(bctx, del.ID, out.next, err.Error()); rerr != nil {
		log.Warn("recording retry failed; the lease will expire and it is retried then", "err", rerr)
	}
}

// recovered expedites a target's waiting retries after its first success
// following a failure.
func (d *Dispatcher) recovered(ctx context.Context, log *slog.Logger, key bucketKey) {
	if _, ok := d.failing.LoadAndDelete(key); !ok {
		return
	}
	n, err := d.cfg.Outbox.Expedite(ctx, key.rule, key.target, d.cfg.Now())
	if err != nil {
		log.Warn("expediting retries after recovery failed; they wait for their backoff", "err", err)
		return
	}
	if n > 0 {
		log.Info("target works again; retrying its waiting deliveries now", "deliveries", n)
		d.Kick()
	}
}

func (d *Dispatcher) deadLetter(ctx context.Context, log *slog.Logger, del Delivery, reason string) {
	log.Warn("delivery dead-lettered", "attempts", attemptOf(del), "reason", reason)
	if err := d.cfg.Outbox.DeadLetter(ctx, del.ID, reason); err != nil {
		log.Error("dead-lettering failed; the lease will expire and it is tried again", "err", err)
	}
}

// throttled reports whether del's target is over its RateLimit. Such a
// delivery is not sent and not counted as a failure: it goes back to the
// outbox with Defer, due when the target's bucket has a token for it, with
// its attempt given back. A Defer that fails leaves the lease to expire;
// the next claim then counts one attempt too many, which only shortens the
// retry budget by one.
func (d *Dispatcher) throttled(ctx context.Context, log *slog.Logger, del Delivery, now time.Time) bool {
	rl := del.Target.RateLimit
	if rl == nil {
		return false
	}
	ok, next := d.limiter.take(bucketKey{rule: del.Rule, target: del.Target.ID}, *rl, now)
	if ok {
		return false
	}
	log.Debug("rate limited; deferred", "next", next)
	if err := d.cfg.Outbox.Defer(ctx, del.ID, next); err != nil {
		log.Warn("deferring a rate-limited delivery failed; the lease will expire and it is tried then", "err", err)
	}
	return true
}
