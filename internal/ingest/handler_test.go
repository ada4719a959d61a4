package ingest_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
	"github.com/vigilsec/vigil/internal/polltest"
	"github.com/vigilsec/vigil/internal/wire"
	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
)

func TestHeartbeatsReachHandler(t *testing.T) {
	f := start(t, nil)
	s, _ := f.connect(t, "agent-1")
	hb := wire.Heartbeat{Time: time.Now().UTC(), Received: 5, Lost: 1, Dropped: 2, Attached: true}
	if err := s.Send(&pb.AgentMessage{Msg: &pb.AgentMessage_Heartbeat{Heartbeat: wire.HeartbeatToProto(hb)}}); err != nil {
		t.Fatal(err)
	}
	// A heartbeat without time gets the server's clock.
	if err := s.Send(&pb.AgentMessage{Msg: &pb.AgentMessage_Heartbeat{Heartbeat: &pb.Heartbeat{Error: "ringbuf: lost"}}}); err != nil {
		t.Fatal(err)
	}
	polltest.Until(t, 10*time.Second, "two heartbeats", func() bool { return len(f.rec.Heartbeats("agent-1")) == 2 })
	got := f.rec.Heartbeats("agent-1")
	if got[0].Received != 5 || got[0].Lost != 1 || got[0].Dropped != 2 || !got[0].Attached {
		t.Fatalf("heartbeat %+v", got[0])
	}
	if got[1].Time.IsZero() || got[1].Error != "ringbuf: lost" {
		t.Fatalf("heartbeat %+v", got[1])
	}
}

// A handler failure other than ErrReject must not lose the batch: the
// stream ends, and the resent batch is accepted once.
func TestHandlerFailureEndsStreamForRetry(t *testing.T) {
	f := start(t, nil)
	fails := 1
	f.rec.FailBatch = func(seq uint64) error {
		if fails > 0 {
			fails--
			return errors.New("store unavailable")
		}
		if seq == 3 {
			return fmt.Errorf("poison: %w", ingest.ErrReject)
		}
		return nil
	}
	s, _ := f.connect(t, "agent-1")
	if err := s.Send(&pb.AgentMessage{Msg: &pb.AgentMessage_Batch{Batch: &pb.Batch{Seq: 1, Events: []*pb.Event{wire.ToProto(execEvent(1))}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); status.Code(err) != codes.Unavailable {
		t.Fatalf("err = %v, want Unavailable", err)
	}
	s, last := f.connect(t, "agent-1")
	if last != 0 {
		t.Fatalf("welcome = %d, want 0", last)
	}
	sendBatch(t, s, 1, wire.ToProto(execEvent(1)))
	sendBatch(t, s, 2, wire.ToProto(execEvent(2)))
	if m := sendBatch(t, s, 3, wire.ToProto(execEvent(3))); m.GetReject().GetSeq() != 3 {
		t.Fatalf("reply %v, want reject 3", m)
	}
	if got := pids(f.rec.Events("agent-1")); !slices.Equal(got, []uint32{1, 2}) {
		t.Fatalf("pids %v", got)
	}
}

func TestNewServerRequiresCredentials(t *testing.T) {
	srvTLS, _ := ingesttest.TLS(t)
	rec := ingesttest.NewRecorder()
	for name, cfg := range map[string]ingest.Config{
		"no TLS":     {Token: "t", Handler: rec},
		"no token":   {TLS: srvTLS, Handler: rec},
		"no handler": {TLS: srvTLS, Token: "t"},
	} {
		if _, err := ingest.NewServer(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
