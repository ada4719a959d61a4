// Package ingest is the server side of the agent protocol: it authenticates
// agent streams (enrollment token, network allowlist), validates every
// batch, deduplicates batches by (agent id, seq) and hands accepted events
// to a Handler, the server pipeline.
package ingest

import (
	"context"
	"errors"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/wire"
)

// AgentInfo is what a connected agent said about itself in its Hello, plus
// the address its stream came from. Everything but RemoteAddr is the
// agent's own claim, validated for shape but not for truth.
type AgentInfo struct {
	ID, Version, Hostname, InstanceID, Kind  string
	ECSClusterARN, ECSTaskARN, KernelVersion string
	Capabilities                             []string
	// RemoteAddr is the stream's peer address, as seen by the server.
	RemoteAddr string
}

// Heartbeat is an agent's periodic self-report (see wire.Heartbeat). A
// heartbeat without a time carries the server's receive time.
type Heartbeat = wire.Heartbeat

// Handler is implemented by the server pipeline. Calls for one agent never
// overlap: a stream's calls are sequential, and a replacing stream starts
// (Hello) only after the replaced one has finished (Gone).
type Handler interface {
	// Hello is called on each (re)connect and returns the highest batch
	// seq already accepted for this agent, as persisted by the handler.
	Hello(ctx context.Context, a AgentInfo) (lastSeq uint64, err error)
	// Batch is called only for seq > lastSeq, with validated events. A nil
	// error means accepted: the handler must then remember seq with the
	// events (atomically, to count each batch once across restarts). An
	// error wrapping ErrReject rejects the batch for good; any other error
	// ends the stream so the agent resends the batch after reconnecting.
	Batch(ctx context.Context, a AgentInfo, seq uint64, events []event.Event) error
	// Heartbeat reports the agent's health; an error is logged only.
	Heartbeat(ctx context.Context, a AgentInfo, hb Heartbeat) error
	// Gone is called when a stream whose Hello succeeded has ended.
	Gone(a AgentInfo)
}

// ErrReject marks a Handler.Batch error as permanent: the batch is rejected
// and will not be retried.
var ErrReject = errors.New("batch rejected")

func agentInfo(w wire.AgentInfo, remote string) AgentInfo {
	return AgentInfo{
		ID: w.ID, Version: w.Version, Hostname: w.Hostname, InstanceID: w.InstanceID,
		Kind: w.Kind, ECSClusterARN: w.ECSClusterARN, ECSTaskARN: w.ECSTaskARN,
		KernelVersion: w.KernelVersion, Capabilities: w.Capabilities, RemoteAddr: remote,
	}
}
