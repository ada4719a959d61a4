package delivery

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/pki"
	"github.com/vigilsec/vigil/internal/polltest"
	"github.com/vigilsec/vigil/internal/uplink"
	"github.com/vigilsec/vigil/internal/wire"
)

// fakeAgent is an agent without a sensor: a real uplink client (TLS,
// enrollment token, numbered batches, resends after reconnects) fed with
// synthetic connect events.
type fakeAgent struct {
	c         *uplink.Client
	container string
	stop      context.CancelFunc
	done      chan error
	queued    uint64 // events handed to the client so far
}

// startAgent connects an agent to s with the token and CA the server
// wrote into its data directory, as `vigil agent` is configured.
func startAgent(t testing.TB, s *vigilServer, id string) *fakeAgent {
	t.Helper()
	tlsCfg, err := pki.ClientTLS(filepath.Join(s.data, "ca.pem"), "localhost")
	if err != nil {
		t.Fatalf("agent TLS: %v", err)
	}
	token := readTrimmed(t, filepath.Join(s.data, "agent.token"))
	c, err := uplink.New(uplink.Config{Server: s.ingestAddr, TLS: tlsCfg, Token: token,
		Agent:             wire.AgentInfo{ID: id, Version: "test", Hostname: "host-" + id, InstanceID: "i-" + id, Kind: "host"},
		HeartbeatInterval: time.Second,
		// A restarted server is found quickly, as a real agent with the
		// defaults would after at most MaxBackoff.
		MaxBackoff: time.Second,
		StatsFunc:  func() uplink.SensorStats { return uplink.SensorStats{Attached: true} },
	})
	if err != nil {
		t.Fatalf("making uplink client: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &fakeAgent{c: c, container: fmt.Sprintf("%064x", time.Now().UnixNano()), stop: cancel, done: make(chan error, 1)}
	go func() { a.done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-a.done; err != nil {
			t.Errorf("uplink Run: %v", err)
		}
	})
	polltest.Until(t, 20*time.Second, "the agent to connect", c.Connected)
	return a
}

// ccAddr is the i-th address of the threat list (skipping the network
// address): each i is a distinct C&C address, so a distinct finding.
func ccAddr(i int) netip.Addr {
	b := netip.MustParsePrefix(threatNet).Addr().As4()
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n += uint32(i) + 1
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// connectEvent is curl in the agent's container connecting to addr.
func (a *fakeAgent) connectEvent(pid int, addr netip.Addr) event.Event {
	now := time.Now().UTC()
	return event.Event{Kind: event.KindConnect, Time: now,
		Process: event.Process{PID: uint32(pid), NamespacePID: 7, PPID: 1, Name: "curl", ExecutablePath: "/usr/bin/curl",
			UUID: fmt.Sprintf("6f1c2f1e-0000-5000-8000-%012d", pid), StartTime: now.Add(-time.Second)},
		Container: &event.Container{ID: a.container, Runtime: "containerd"},
		Connect:   &event.Connect{Family: "AF_INET", Protocol: "TCP", Remote: addr, RemotePort: 443, Result: -115}}
}

// sendRange queues connect events to addresses from..to-1. The queue never
// blocks the sender (a sensor must not wait), so a full queue is waited
// out here rather than dropping events.
func (a *fakeAgent) sendRange(t testing.TB, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		ev := a.connectEvent(1000+i, ccAddr(i))
		deadline := time.Now().Add(30 * time.Second)
		for !a.c.Send(ev) {
			if time.Now().After(deadline) {
				t.Fatalf("agent queue full for 30s at event %d", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
		a.queued++
	}
}

// settled waits until the server has acknowledged every queued event.
func (a *fakeAgent) settled(t testing.TB, timeout time.Duration) {
	t.Helper()
	polltest.Until(t, timeout, "the server to acknowledge every event", func() bool {
		return a.c.Stats().Acked >= a.queued
	})
	if st := a.c.Stats(); st.Dropped+st.Invalid+st.Rejected != 0 {
		t.Fatalf("agent lost events: %+v", st)
	}
}
