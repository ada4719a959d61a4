// Package agent wires the runtime agent: sensor → process table → container
// attribution → uplink (or JSON lines on stdout). It holds no detection
// logic: the server decides what is a finding.
package agent

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigilsec/vigil/internal/container"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/process"
	"github.com/vigilsec/vigil/internal/sensor"
	"github.com/vigilsec/vigil/internal/uplink"
)

// Config configures one agent.
type Config struct {
	Server string
	TLS    *tls.Config
	Token  string
	// StateDir keeps the agent id across restarts.
	StateDir          string
	ID                string
	Version           string
	HeartbeatInterval time.Duration
	Sensor            sensor.Config
	Container         container.Config
	// Output, when set, receives events as JSON lines instead of a server.
	Output io.Writer
	Logger *slog.Logger
}

// Agent is a running agent.
type Agent struct {
	cfg      Config
	log      *slog.Logger
	sensor   *sensor.Sensor
	table    *process.Table
	resolver *container.Resolver
	up       *uplink.Client
	info     Identity
	attached atomic.Bool
	lossSeen atomic.Uint64 // sensor losses already reported in the log
}

// New loads the sensor (eBPF programs attach here), seeds the process table
// from /proc and prepares the uplink.
func New(cfg Config) (*Agent, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a := &Agent{cfg: cfg, log: cfg.Logger}
	var err error
	if a.info, err = identify(cfg); err != nil {
		return nil, err
	}
	// The table and the sensor convert boot-clock start times to wall time
	// with the same offset, so a process seeded from /proc and one seen
	// exec'ing get the same UUID.
	clock, err := sensor.NewClock()
	if err != nil {
		return nil, fmt.Errorf("reading boot clock: %w", err)
	}
	if a.table, err = process.NewTable(process.Config{Boot: clock.Boot}); err != nil {
		return nil, fmt.Errorf("making process table: %w", err)
	}
	scfg := cfg.Sensor
	scfg.ExcludePIDs = append(scfg.ExcludePIDs, uint32(os.Getpid()))
	scfg.Clock = clock
	if a.sensor, err = sensor.New(scfg); err != nil {
		return nil, fmt.Errorf("loading sensor: %w", err)
	}
	ccfg := cfg.Container
	ccfg.KnownPath = a.sensor.CgroupPath
	if a.resolver, err = container.NewResolver(ccfg); err != nil {
		a.sensor.Close()
		return nil, fmt.Errorf("making container resolver: %w", err)
	}
	a.attached.Store(true)
	// Seed after attaching, so no process started in between is missed.
	if err := a.table.Seed(); err != nil {
		a.sensor.Close()
		return nil, fmt.Errorf("seeding process table: %w", err)
	}
	if cfg.Output == nil {
		if a.up, err = a.newUplink(); err != nil {
			a.sensor.Close()
			return nil, err
		}
	}
	return a, nil
}

func (a *Agent) newUplink() (*uplink.Client, error) {
	c, err := uplink.New(uplink.Config{
		Server: a.cfg.Server, TLS: a.cfg.TLS, Token: a.cfg.Token, Agent: a.info.agentInfo(a.cfg.Version),
		HeartbeatInterval: a.cfg.HeartbeatInterval, StatsFunc: a.heartbeat, Logger: a.log,
	})
	if err != nil {
		return nil, fmt.Errorf("making uplink: %w", err)
	}
	return c, nil
}

// Ready is nil when the sensor is attached and the server connection is up.
func (a *Agent) Ready() error {
	if !a.attached.Load() {
		return errors.New("agent sensor not attached")
	}
	if a.up != nil && !a.up.Connected() {
		return errors.New("agent not connected to the server")
	}
	return nil
}

// Run streams events until ctx is done.
func (a *Agent) Run(ctx context.Context) error {
	defer a.sensor.Close()
	defer a.table.Close()
	events := make(chan event.Event, 4096)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer a.attached.Store(false)
		return a.sensor.Run(gctx, events)
	})
	if a.up != nil {
		g.Go(func() error { return a.up.Run(gctx) })
	}
	staged := make(chan event.Event, stagedEvents)
	g.Go(func() error { return a.capture(gctx, events, staged) })
	g.Go(func() error { return a.ship(gctx, staged) })
	a.log.Info("agent running", "id", a.info.ID, "kind", a.info.Kind, "server", a.cfg.Server)
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}
