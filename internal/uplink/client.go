// Package uplink is the agent side of the agent ↔ server protocol: it
// queues events without ever blocking the sensor, ships them in numbered
// batches over one gRPC stream (TLS, enrollment token), reconnects with
// backoff, resends what the server has not acknowledged under the original
// numbers, and reports the agent's health in heartbeats.
package uplink

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/wire"
)

// Config configures a Client. Server, TLS, Token and a valid Agent are
// required.
type Config struct {
	Server            string // host:port of the ingest server
	TLS               *tls.Config
	Token             string // enrollment token
	Agent             wire.AgentInfo
	BatchMax          int           // events per batch; default 256
	FlushInterval     time.Duration // longest an event waits for its batch to fill; default 25ms: detection latency is the point, and a batch costs the server one transaction
	HeartbeatInterval time.Duration // default 5s
	BufferEvents      int           // events queued before Send drops; default 65536
	StatsFunc         func() SensorStats
	MinBackoff        time.Duration // first reconnect delay; default 100ms
	MaxBackoff        time.Duration // longest reconnect delay; default 10s
	Logger            *slog.Logger  // default: discard
}

// SensorStats are the sensor's counters, reported in heartbeats.
type SensorStats struct {
	Received, Lost, Dropped uint64
	Attached                bool
	Error                   string
}

// Stats are the client's counters since New, in events (Reconnects in
// streams). Dropped counts Send refusals (buffer full); Invalid counts events
// that failed validation here and were never sent; Rejected counts events
// in batches the server rejected.
type Stats struct {
	Queued, Sent, Acked, Rejected, Dropped, Invalid, Reconnects uint64
}

// Client ships events to an ingest server.
type Client struct {
	cfg   Config
	log   *slog.Logger
	queue chan event.Event
	box   *outbox // owned by the Run goroutine
	loss  losses  // owned by the Run goroutine

	connected                                           atomic.Bool
	running                                             atomic.Bool
	unsettled                                           atomic.Int64
	sent, acked, rejected, dropped, invalid, reconnects atomic.Uint64
}

// New checks cfg, applies defaults and returns a Client; Run connects it.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.Server == "":
		return nil, errors.New("uplink: server address is required")
	case cfg.TLS == nil:
		return nil, errors.New("uplink: TLS config is required")
	case cfg.Token == "":
		return nil, errors.New("uplink: enrollment token is required")
	case cfg.BatchMax < 0 || cfg.BufferEvents < 0:
		return nil, errors.New("uplink: BatchMax and BufferEvents must not be negative")
	}
	if err := wire.ValidateAgentInfo(cfg.Agent); err != nil {
		return nil, fmt.Errorf("uplink: agent info: %w", err)
	}
	setDefaults(&cfg)
	return &Client{
		cfg:   cfg,
		log:   cfg.Logger,
		queue: make(chan event.Event, cfg.BufferEvents),
		box:   newOutbox(cfg.BatchMax),
	}, nil
}

func setDefaults(cfg *Config) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if cfg.BatchMax == 0 {
		cfg.BatchMax = 256
	}
	if cfg.BufferEvents == 0 {
		cfg.BufferEvents = 65536
	}
	def(&cfg.FlushInterval, 25*time.Millisecond)
	def(&cfg.HeartbeatInterval, 5*time.Second)
	def(&cfg.MinBackoff, 100*time.Millisecond)
	def(&cfg.MaxBackoff, 10*time.Second)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
}

// Send queues ev without blocking. It returns false, and counts a drop,
// when the buffer is full: the sensor must never wait on the network.
func (c *Client) Send(ev event.Event) bool {
	select {
	case c.queue <- ev:
		return true
	default:
		c.dropped.Add(1)
		return false
	}
}

// Connected reports whether a stream is up and welcomed.
func (c *Client) Connected() bool { return c.connected.Load() }

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	return Stats{
		Queued:     uint64(len(c.queue)) + uint64(max(c.unsettled.Load(), 0)),
		Sent:       c.sent.Load(),
		Acked:      c.acked.Load(),
		Rejected:   c.rejected.Load(),
		Dropped:    c.dropped.Load(),
		Invalid:    c.invalid.Load(),
		Reconnects: c.reconnects.Load(),
	}
}

// heartbeat combines the sensor's counters with this client's losses, so
// the server's Dropped covers every event that will never arrive.
func (c *Client) heartbeat() wire.Heartbeat {
	var s SensorStats
	if c.cfg.StatsFunc != nil {
		s = c.cfg.StatsFunc()
	}
	return wire.Heartbeat{
		Time: time.Now().UTC(), Received: s.Received, Lost: s.Lost,
		Dropped:  s.Dropped + c.dropped.Load() + c.invalid.Load() + c.rejected.Load(),
		Attached: s.Attached, Error: s.Error,
	}
}
