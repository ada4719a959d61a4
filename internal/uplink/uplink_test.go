package uplink_test

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
	"github.com/vigilsec/vigil/internal/outputtest"
	"github.com/vigilsec/vigil/internal/polltest"
	"github.com/vigilsec/vigil/internal/uplink"
	"github.com/vigilsec/vigil/internal/wire"
)

const (
	token   = "enroll-me"
	agentID = "i-0123456789abcdef0"
	waitMax = 20 * time.Second
)

func execEvent(pid uint32) event.Event {
	return event.Event{Kind: event.KindExec, Time: time.Now().UTC(),
		Process: event.Process{PID: pid, Name: "sh", Args: []string{"sh", "-c", "id"}}}
}

func newClient(t *testing.T, addr string, cliTLS *tls.Config, mod func(*uplink.Config)) *uplink.Client {
	t.Helper()
	cfg := uplink.Config{
		Server: addr, TLS: cliTLS, Token: token,
		Agent:         wire.AgentInfo{ID: agentID, Kind: wire.AgentKindHost, Version: "test", Hostname: "h1"},
		BatchMax:      50,
		FlushInterval: 10 * time.Millisecond,
		MinBackoff:    20 * time.Millisecond,
		MaxBackoff:    200 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := uplink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// run starts c.Run and returns a stop function that waits for Run's result.
func run(t *testing.T, c *uplink.Client) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var result error
	stopped := false
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			result = <-done
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// exactlyOnce fails unless pids 1..n each appear exactly once.
func exactlyOnce(t *testing.T, evs []event.Event, n int) {
	t.Helper()
	seen := make(map[uint32]int, n)
	for _, e := range evs {
		seen[e.Process.PID]++
	}
	for pid := uint32(1); pid <= uint32(n); pid++ {
		if seen[pid] != 1 {
			t.Fatalf("pid %d arrived %d times (total %d events)", pid, seen[pid], len(evs))
		}
	}
	if len(evs) != n {
		t.Fatalf("%d events arrived, want %d", len(evs), n)
	}
}

func TestEventsFlowAndHeartbeats(t *testing.T) {
	srvTLS, cliTLS := ingesttest.TLS(t)
	rec := ingesttest.NewRecorder()
	addr, _ := ingesttest.Serve(t, ingest.Config{TLS: srvTLS, Token: token, Handler: rec}, "127.0.0.1:0")
	c := newClient(t, addr, cliTLS, func(cfg *uplink.Config) {
		cfg.HeartbeatInterval = 20 * time.Millisecond
		cfg.StatsFunc = func() uplink.SensorStats { return uplink.SensorStats{Received: 7, Lost: 1, Attached: true} }
	})
	const n = 1000
	for pid := uint32(1); pid <= n; pid++ {
		if !c.Send(execEvent(pid)) {
			t.Fatalf("Send %d refused", pid)
		}
	}
	c.Send(event.Event{Kind: event.KindExec, Time: time.Now()}) // PID 0: dropped locally
	run(t, c)
	polltest.Until(t, waitMax, "all events acked", func() bool { return c.Stats().Acked == n })
	evs := rec.Events(agentID)
	exactlyOnce(t, evs, n)
	for i, e := range evs {
		if e.Process.PID != uint32(i+1) {
			t.Fatalf("event %d has pid %d: order not kept", i, e.Process.PID)
		}
	}
	// Heartbeats carry the sensor's counters plus the client's own losses
	// (here the invalid event), so wait for one sent after all events.
	polltest.Until(t, waitMax, "a heartbeat with sensor stats and the local drop", func() bool {
		hbs := rec.Heartbeats(agentID)
		if len(hbs) == 0 {
			return false
		}
		hb := hbs[len(hbs)-1]
		return hb.Received == 7 && hb.Lost == 1 && hb.Attached && hb.Dropped == 1
	})
	st := c.Stats()
	if st.Sent != n || st.Invalid != 1 || st.Queued != 0 || !c.Connected() {
		t.Fatalf("stats %+v connected %v", st, c.Connected())
	}
}

func TestWrongTokenStopsRun(t *testing.T) {
	srvTLS, cliTLS := ingesttest.TLS(t)
	addr, _ := ingesttest.Serve(t, ingest.Config{TLS: srvTLS, Token: "the-real-one", Handler: ingesttest.NewRecorder()}, "127.0.0.1:0")
	c := newClient(t, addr, cliTLS, nil)
	ctx, cancel := context.WithTimeout(context.Background(), waitMax)
	defer cancel()
	err := c.Run(ctx)
	if status.Code(errors.Unwrap(err)) != codes.Unauthenticated {
		t.Fatalf("Run = %v, want Unauthenticated", err)
	}
}

// TestServerRestartDeliversExactlyOnce stops the server while a batch is
// accepted but not yet acknowledged, restarts it on the same port with the
// same (emulated) store, and checks every event arrives exactly once.
func TestServerRestartDeliversExactlyOnce(t *testing.T) {
	srvTLS, cliTLS := ingesttest.TLS(t)
	rec := ingesttest.NewRecorder()
	cfg := ingest.Config{TLS: srvTLS, Token: token, Handler: rec}
	killed := make(chan struct{})
	rec.OnBatch = func(ctx context.Context, seq uint64) {
		if seq == 5 {
			close(killed)
			<-ctx.Done() // the stream dies before the Ack can be sent
		}
	}
	addr, stop := ingesttest.Serve(t, cfg, "127.0.0.1:0")
	c := newClient(t, addr, cliTLS, nil)
	run(t, c)
	const n = 3000
	go func() { // a sensor that keeps producing through the outage
		for pid := uint32(1); pid <= n; pid++ {
			for !c.Send(execEvent(pid)) {
				time.Sleep(time.Millisecond)
			}
			if pid%100 == 0 {
				time.Sleep(2 * time.Millisecond)
			}
		}
	}()
	<-killed
	stop()
	if c.Stats().Acked >= n {
		t.Fatal("everything was acked before the server stopped; the test proves nothing")
	}
	rec.OnBatch = nil // safe: no server is running
	polltest.Until(t, waitMax, "client to notice", func() bool { return !c.Connected() })
	ingesttest.Serve(t, cfg, addr)
	polltest.Until(t, waitMax, "all events acked after restart", func() bool { return c.Stats().Acked == n })
	exactlyOnce(t, rec.Events(agentID), n)
	if st := c.Stats(); st.Reconnects < 1 || st.Dropped != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// An agent restarted without local state must continue the sequence, not
// have its new batches mistaken for resends.
func TestAgentRestartContinuesSequence(t *testing.T) {
	srvTLS, cliTLS := ingesttest.TLS(t)
	rec := ingesttest.NewRecorder()
	addr, _ := ingesttest.Serve(t, ingest.Config{TLS: srvTLS, Token: token, Handler: rec}, "127.0.0.1:0")
	for round := range 2 {
		c := newClient(t, addr, cliTLS, nil)
		for i := range 120 {
			c.Send(execEvent(uint32(round*120 + i + 1)))
		}
		stop := run(t, c)
		polltest.Until(t, waitMax, "round acked", func() bool { return c.Stats().Acked == 120 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	exactlyOnce(t, rec.Events(agentID), 240)
}

func TestSendDropsWhenBufferFull(t *testing.T) {
	_, cliTLS := ingesttest.TLS(t)
	c := newClient(t, "127.0.0.1:1", cliTLS, func(cfg *uplink.Config) { cfg.BufferEvents = 2 })
	if !c.Send(execEvent(1)) || !c.Send(execEvent(2)) {
		t.Fatal("Send refused below capacity")
	}
	if c.Send(execEvent(3)) {
		t.Fatal("Send accepted beyond capacity")
	}
	if st := c.Stats(); st.Dropped != 1 || st.Queued != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestNewValidates(t *testing.T) {
	_, cliTLS := ingesttest.TLS(t)
	good := uplink.Config{Server: "x:1", TLS: cliTLS, Token: "t", Agent: wire.AgentInfo{ID: "a", Kind: "host"}}
	if _, err := uplink.New(good); err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Agent.ID = "bad id"
	if _, err := uplink.New(bad); err == nil {
		t.Fatal("invalid agent id accepted")
	}
	bad = good
	bad.TLS = nil
	if _, err := uplink.New(bad); err == nil {
		t.Fatal("missing TLS accepted")
	}
}

// TestStopDrainsWhatIsQueued: an agent stopped right after handing over
// events (SIGTERM) sends them and waits for their acks before returning.
func TestStopDrainsWhatIsQueued(t *testing.T) {
	srvTLS, cliTLS := ingesttest.TLS(t)
	rec := ingesttest.NewRecorder()
	addr, _ := ingesttest.Serve(t, ingest.Config{TLS: srvTLS, Token: token, Handler: rec}, "127.0.0.1:0")
	c := newClient(t, addr, cliTLS, func(cfg *uplink.Config) { cfg.FlushInterval = time.Hour })
	stop := run(t, c)
	polltest.Until(t, waitMax, "connected", c.Connected)
	const n = 300 // six full batches and a partial one the flush timer would hold for an hour
	for pid := uint32(1); pid <= n; pid++ {
		if !c.Send(execEvent(pid)) {
			t.Fatalf("Send %d refused", pid)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, rec.Events(agentID), n)
	if st := c.Stats(); st.Acked != n {
		t.Fatalf("acked %d of %d before Run returned", st.Acked, n)
	}
}

// TestOversizedAncestorsArriveFitted: an event whose ancestor has an
// argument over the protocol's bound and bytes that are not UTF-8 (a CI
// runner's shell, or an attacker padding argv to hide its children) is
// sent cut to the bounds; only what no fitting can repair is dropped, and
// that is logged, as is every event the full buffer refused.
func TestOversizedAncestorsArriveFitted(t *testing.T) {
	srvTLS, cliTLS := ingesttest.TLS(t)
	rec := ingesttest.NewRecorder()
	addr, _ := ingesttest.Serve(t, ingest.Config{TLS: srvTLS, Token: token, Handler: rec}, "127.0.0.1:0")
	logs := &outputtest.Buffer{}
	c := newClient(t, addr, cliTLS, func(cfg *uplink.Config) {
		cfg.BufferEvents = 2
		cfg.HeartbeatInterval = 20 * time.Millisecond
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	ev := execEvent(1)
	ev.Lineage = []event.Process{{PID: 2, Name: "bash", Args: []string{"bash", "-c", strings.Repeat("x", 5000), "\xff"}}}
	c.Send(ev)
	c.Send(event.Event{Kind: event.KindExec, Time: time.Now()}) // PID 0: nothing can repair it
	c.Send(execEvent(3))                                        // the buffer is full
	run(t, c)
	polltest.Until(t, waitMax, "the fitted event acked and both losses logged", func() bool {
		s := logs.String()
		return c.Stats().Acked == 1 && strings.Contains(s, "dropping an event the server would refuse") &&
			strings.Contains(s, "process.pid: must not be 0") && strings.Contains(s, "events dropped before sending")
	})
	got := rec.Events(agentID)
	if len(got) != 1 || len(got[0].Lineage) != 1 {
		t.Fatalf("events %+v", got)
	}
	if a := got[0].Lineage[0].Args; len(a) != 4 || a[2] != strings.Repeat("x", wire.MaxArgLen) || a[3] != "\uFFFD" {
		t.Fatalf("ancestor args arrived as %d entries", len(a))
	}
}
