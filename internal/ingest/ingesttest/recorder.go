// Package ingesttest offers test doubles for code on either side of the
// agent protocol: a Recorder handler that stores in memory what a real
// store would persist, TLS fixtures from internal/pki, and a polling helper.
package ingesttest

import (
	"context"
	"slices"
	"sync"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/ingest"
)

// Recorder is an ingest.Handler that keeps everything in memory. It
// persists each agent's last accepted seq together with the batch's events,
// atomically, as the real store must; one Recorder shared by successive
// servers emulates a store that survives a server restart.
type Recorder struct {
	// OnBatch, if set, runs after a batch has been recorded and before
	// Batch returns, e.g. to stop the server before the Ack goes out.
	OnBatch func(ctx context.Context, seq uint64)
	// FailBatch, if set, can refuse a batch before it is recorded.
	FailBatch func(seq uint64) error

	mu         sync.Mutex
	last       map[string]uint64
	events     map[string][]event.Event
	heartbeats map[string][]ingest.Heartbeat
	calls      []string // "hello:<id>", "gone:<id>", in call order
}

var _ ingest.Handler = (*Recorder)(nil)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{last: map[string]uint64{}, events: map[string][]event.Event{}, heartbeats: map[string][]ingest.Heartbeat{}}
}

// Hello implements ingest.Handler.
func (r *Recorder) Hello(_ context.Context, a ingest.AgentInfo) (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "hello:"+a.ID)
	return r.last[a.ID], nil
}

// Batch implements ingest.Handler.
func (r *Recorder) Batch(ctx context.Context, a ingest.AgentInfo, seq uint64, evs []event.Event) error {
	if r.FailBatch != nil {
		if err := r.FailBatch(seq); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.events[a.ID] = append(r.events[a.ID], evs...)
	r.last[a.ID] = seq
	r.mu.Unlock()
	if r.OnBatch != nil {
		r.OnBatch(ctx, seq)
	}
	return nil
}

// Heartbeat implements ingest.Handler.
func (r *Recorder) Heartbeat(_ context.Context, a ingest.AgentInfo, hb ingest.Heartbeat) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.heartbeats[a.ID] = append(r.heartbeats[a.ID], hb)
	return nil
}

// Gone implements ingest.Handler.
func (r *Recorder) Gone(a ingest.AgentInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, "gone:"+a.ID)
}

// Events returns a copy of the events accepted for agent, in order.
func (r *Recorder) Events(agent string) []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events[agent])
}

// Heartbeats returns a copy of the heartbeats received from agent.
func (r *Recorder) Heartbeats(agent string) []ingest.Heartbeat {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.heartbeats[agent])
}

// LastSeq returns the highest batch seq accepted for agent.
func (r *Recorder) LastSeq(agent string) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last[agent]
}

// Calls returns the Hello/Gone calls so far, e.g. ["hello:a", "gone:a"].
func (r *Recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}
