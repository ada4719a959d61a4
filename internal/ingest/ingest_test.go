package ingest_test

import (
	"context"
	"crypto/tls"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
	"github.com/vigilsec/vigil/internal/wire"
	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

const token = "s3cret-enrollment-token"

type fixture struct {
	rec       *ingesttest.Recorder
	addr      string
	clientTLS *tls.Config
}

func start(t *testing.T, mod func(*ingest.Config)) *fixture {
	t.Helper()
	srvTLS, cliTLS := ingesttest.TLS(t)
	rec := ingesttest.NewRecorder()
	cfg := ingest.Config{TLS: srvTLS, Token: token, Handler: rec}
	if mod != nil {
		mod(&cfg)
	}
	addr, _ := ingesttest.Serve(t, cfg, "127.0.0.1:0")
	return &fixture{rec: rec, addr: addr, clientTLS: cliTLS}
}

type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}
func (bearer) RequireTransportSecurity() bool { return true }

// open dials and opens a raw stream (no Hello yet); tok "" sends no token.
func (f *fixture) open(t *testing.T, tok string) pb.Ingest_ConnectClient {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(f.clientTLS))}
	if tok != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer(tok)))
	}
	conn, err := grpc.NewClient(f.addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	stream, err := pb.NewIngestClient(conn).Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return stream
}

// connect opens a stream, says hello as agent and returns the welcome seq.
func (f *fixture) connect(t *testing.T, agent string) (pb.Ingest_ConnectClient, uint64) {
	t.Helper()
	s := f.open(t, token)
	hello := wire.AgentInfo{ID: agent, Kind: wire.AgentKindHost, Version: "test"}
	if err := s.Send(&pb.AgentMessage{Msg: &pb.AgentMessage_Hello{Hello: wire.AgentInfoToProto(hello)}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.Recv()
	if err != nil {
		t.Fatalf("waiting for welcome: %v", err)
	}
	if m.GetWelcome() == nil {
		t.Fatalf("first server message %v, want welcome", m)
	}
	return s, m.GetWelcome().GetLastAckedSeq()
}

func execEvent(pid uint32) event.Event {
	return event.Event{Kind: event.KindExec, Time: time.Now().UTC(), Process: event.Process{PID: pid, Name: "sh"}}
}

func sendBatch(t *testing.T, s pb.Ingest_ConnectClient, seq uint64, evs ...*pb.Event) *pb.ServerMessage {
	t.Helper()
	if err := s.Send(&pb.AgentMessage{Msg: &pb.AgentMessage_Batch{Batch: &pb.Batch{Seq: seq, Events: evs}}}); err != nil {
		t.Fatal(err)
	}
	m, err := s.Recv()
	if err != nil {
		t.Fatalf("batch %d: %v", seq, err)
	}
	return m
}

func pids(evs []event.Event) []uint32 {
	var out []uint32
	for _, e := range evs {
		out = append(out, e.Process.PID)
	}
	return out
}

func TestBatchesAreAckedAndResendsDeduplicated(t *testing.T) {
	f := start(t, nil)
	s, last := f.connect(t, "agent-1")
	if last != 0 {
		t.Fatalf("welcome last = %d, want 0", last)
	}
	if m := sendBatch(t, s, 1, wire.ToProto(execEvent(10)), wire.ToProto(execEvent(11))); m.GetAck().GetSeq() != 1 {
		t.Fatalf("reply %v, want ack 1", m)
	}
	if m := sendBatch(t, s, 1, wire.ToProto(execEvent(10)), wire.ToProto(execEvent(11))); m.GetAck().GetSeq() != 1 {
		t.Fatalf("resend reply %v, want ack 1", m)
	}
	s.CloseSend()
	// A reconnect learns what was accepted, and a resend is still acked once.
	s2, last := f.connect(t, "agent-1")
	if last != 1 {
		t.Fatalf("welcome after reconnect = %d, want 1", last)
	}
	if m := sendBatch(t, s2, 1, wire.ToProto(execEvent(10)), wire.ToProto(execEvent(11))); m.GetAck().GetSeq() != 1 {
		t.Fatalf("reply %v", m)
	}
	if m := sendBatch(t, s2, 2, wire.ToProto(execEvent(12))); m.GetAck().GetSeq() != 2 {
		t.Fatalf("reply %v", m)
	}
	if got := pids(f.rec.Events("agent-1")); !slices.Equal(got, []uint32{10, 11, 12}) {
		t.Fatalf("handler saw pids %v, want [10 11 12]", got)
	}
}

func TestMalformedBatchIsRejectedAndStreamStaysUp(t *testing.T) {
	f := start(t, func(c *ingest.Config) { c.MaxBatchEvents = 3 })
	s, _ := f.connect(t, "agent-1")
	sendBatch(t, s, 1, wire.ToProto(execEvent(1)))
	bad := wire.ToProto(event.Event{Kind: event.KindConnect, Time: time.Now(), Process: event.Process{PID: 2},
		Connect: &event.Connect{Family: "AF_INET", Protocol: "TCP", Remote: netip.MustParseAddr("10.0.0.1"), RemotePort: 80}})
	bad.GetConnect().Remote = "10.0.0.999"
	m := sendBatch(t, s, 2, wire.ToProto(execEvent(3)), bad)
	want := `events[1].connect.remote: invalid IP "10.0.0.999"`
	if m.GetReject().GetSeq() != 2 || m.GetReject().GetReason() != want {
		t.Fatalf("reply %v, want reject 2 %q", m, want)
	}
	m = sendBatch(t, s, 3, wire.ToProto(execEvent(4)), wire.ToProto(execEvent(5)), wire.ToProto(execEvent(6)), wire.ToProto(execEvent(7)))
	if !strings.HasPrefix(m.GetReject().GetReason(), "events: 4 events, at most 3") {
		t.Fatalf("oversized batch reply %v", m)
	}
	if m := sendBatch(t, s, 0, wire.ToProto(execEvent(8))); m.GetReject() == nil {
		t.Fatalf("seq 0 reply %v, want reject", m)
	}
	if m := sendBatch(t, s, 4, wire.ToProto(execEvent(9))); m.GetAck().GetSeq() != 4 {
		t.Fatalf("reply after rejects %v, want ack 4", m)
	}
	if got := pids(f.rec.Events("agent-1")); !slices.Equal(got, []uint32{1, 9}) {
		t.Fatalf("handler saw pids %v, want [1 9]", got)
	}
}

func TestWrongOrMissingTokenIsUnauthenticated(t *testing.T) {
	f := start(t, nil)
	for _, tok := range []string{"wrong", token + "x", ""} {
		_, err := f.open(t, tok).Recv()
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("token %q: err = %v, want Unauthenticated", tok, err)
		}
	}
	if calls := f.rec.Calls(); len(calls) != 0 {
		t.Fatalf("handler called: %v", calls)
	}
}

func TestNetworkAllowlist(t *testing.T) {
	denied := start(t, func(c *ingest.Config) { c.AllowNetworks = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	if _, err := denied.open(t, token).Recv(); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("err = %v, want PermissionDenied", err)
	}
	// Outsiders are refused before their token is even looked at.
	if _, err := denied.open(t, "wrong").Recv(); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("wrong token from outside: err = %v, want PermissionDenied", err)
	}
	allowed := start(t, func(c *ingest.Config) {
		c.AllowNetworks = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.0/8")}
	})
	allowed.connect(t, "agent-1")
}

func TestInvalidHello(t *testing.T) {
	f := start(t, nil)
	s := f.open(t, token)
	bad := wire.AgentInfoToProto(wire.AgentInfo{ID: "has space", Kind: "host"})
	if err := s.Send(&pb.AgentMessage{Msg: &pb.AgentMessage_Hello{Hello: bad}}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Recv()
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "hello.agent_id: invalid character") {
		t.Fatalf("err = %v", err)
	}
	s = f.open(t, token)
	if err := s.Send(&pb.AgentMessage{Msg: &pb.AgentMessage_Batch{Batch: &pb.Batch{Seq: 1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("batch before hello: err = %v", err)
	}
}

func TestSecondStreamReplacesFirst(t *testing.T) {
	f := start(t, nil)
	first, _ := f.connect(t, "agent-1")
	sendBatch(t, first, 1, wire.ToProto(execEvent(1)))
	second, last := f.connect(t, "agent-1")
	if last != 1 {
		t.Fatalf("welcome = %d, want 1", last)
	}
	if _, err := first.Recv(); status.Code(err) != codes.Aborted {
		t.Fatalf("replaced stream: err = %v, want Aborted", err)
	}
	want := []string{"hello:agent-1", "gone:agent-1", "hello:agent-1"}
	if got := f.rec.Calls(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v (Gone of the old stream before Hello of the new)", got, want)
	}
	if m := sendBatch(t, second, 2, wire.ToProto(execEvent(2))); m.GetAck().GetSeq() != 2 {
		t.Fatalf("reply %v", m)
	}
}
