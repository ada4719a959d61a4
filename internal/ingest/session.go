package ingest

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/vigilsec/vigil/internal/wire"
	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var errReplaced = status.Error(codes.Aborted, "replaced by a newer stream for this agent id")

// session is one agent stream after its Hello.
type session struct {
	s      *Server
	stream pb.Ingest_ConnectServer
	agent  AgentInfo
	last   uint64 // highest accepted seq
	log    *slog.Logger
}

// Connect implements the agent stream: Hello, Welcome, then Batch/Heartbeat
// messages answered with Ack/Reject, until the agent leaves, the server
// stops or a newer stream for the same agent id replaces this one.
func (s *Server) Connect(stream pb.Ingest_ConnectServer) error {
	ctx := stream.Context()
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	info, err := wire.AgentInfoFromProto(first.GetHello())
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "first message must be a valid hello: %v", err)
	}
	a := agentInfo(info, remoteAddr(ctx))
	me, err := s.reg.claim(ctx, a.ID)
	defer s.reg.release(me)
	if err != nil {
		return toStatus(err)
	}
	last, err := s.cfg.Handler.Hello(ctx, a)
	if err != nil {
		s.log.Error("handler refused hello", "agent", a.ID, "err", err)
		return status.Errorf(codes.Unavailable, "hello: %v", err)
	}
	defer s.cfg.Handler.Gone(a) // runs before release: Gone precedes the next Hello
	sess := &session{s: s, stream: stream, agent: a, last: s.reg.seed(a.ID, last),
		log: s.log.With("agent", a.ID, "remote", a.RemoteAddr)}
	welcome := &pb.ServerMessage{Msg: &pb.ServerMessage_Welcome{Welcome: &pb.Welcome{LastAckedSeq: sess.last}}}
	if err := stream.Send(welcome); err != nil {
		return err
	}
	sess.log.Info("agent connected", "last_seq", sess.last, "version", a.Version, "kind", a.Kind)
	err = sess.loop(ctx, me.kick)
	sess.log.Info("agent stream ended", "err", err)
	return err
}

// loop reads on a separate goroutine so that a replacement (kick) or a
// server stop can end the stream while the agent is silent.
func (sess *session) loop(ctx context.Context, kick <-chan struct{}) error {
	msgs := make(chan *pb.AgentMessage)
	errc := make(chan error, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			m, err := sess.stream.Recv()
			if err != nil {
				errc <- err
				return
			}
			select {
			case msgs <- m:
			case <-done:
				return
			}
		}
	}()
	for {
		select {
		case <-kick:
			return errReplaced
		case <-ctx.Done():
			return toStatus(ctx.Err())
		case err := <-errc:
			return err
		case m := <-msgs:
			if err := sess.handle(ctx, m); err != nil {
				return err
			}
		}
	}
}

func (sess *session) handle(ctx context.Context, m *pb.AgentMessage) error {
	switch msg := m.Msg.(type) {
	case *pb.AgentMessage_Batch:
		reply, err := sess.batch(ctx, msg.Batch)
		if err != nil {
			return err
		}
		return sess.stream.Send(reply)
	case *pb.AgentMessage_Heartbeat:
		sess.heartbeat(ctx, msg.Heartbeat)
		return nil
	case *pb.AgentMessage_Hello:
		return status.Error(codes.FailedPrecondition, "hello sent twice on one stream")
	default:
		// A newer agent may send messages this server does not know;
		// ignoring them keeps mixed versions working.
		sess.log.Debug("ignoring unknown agent message")
		return nil
	}
}

// batch validates and delivers one batch. Its reply is an Ack (accepted
// now or earlier) or a Reject (invalid); an error ends the stream, for
// failures the agent should retry after reconnecting.
func (sess *session) batch(ctx context.Context, b *pb.Batch) (*pb.ServerMessage, error) {
	seq := b.GetSeq()
	if seq == 0 {
		return reject(seq, "seq: must not be 0"), nil
	}
	if seq <= sess.last {
		// A resend of a batch accepted before the agent saw its Ack.
		sess.log.Debug("duplicate batch acked again", "seq", seq, "last", sess.last)
		return ack(seq), nil
	}
	events, err := wire.EventsFromProto(b.GetEvents(), sess.s.cfg.MaxBatchEvents)
	if err != nil {
		sess.log.Warn("rejected invalid batch", "seq", seq, "reason", err)
		return reject(seq, err.Error()), nil
	}
	err = sess.s.cfg.Handler.Batch(ctx, sess.agent, seq, events)
	switch {
	case errors.Is(err, ErrReject):
		sess.log.Warn("handler rejected batch", "seq", seq, "reason", err)
		return reject(seq, err.Error()), nil
	case err != nil:
		sess.log.Error("handler failed on batch; agent will resend", "seq", seq, "err", err)
		return nil, status.Errorf(codes.Unavailable, "batch %d not stored: %v", seq, err)
	}
	sess.last = seq
	sess.s.reg.accepted(sess.agent.ID, seq)
	return ack(seq), nil
}

func (sess *session) heartbeat(ctx context.Context, in *pb.Heartbeat) {
	now := time.Now()
	hb, err := wire.HeartbeatFromProto(in, now)
	if err != nil {
		sess.log.Warn("dropped invalid heartbeat", "reason", err)
		return
	}
	if hb.Time.IsZero() {
		hb.Time = now.UTC()
	}
	if err := sess.s.cfg.Handler.Heartbeat(ctx, sess.agent, hb); err != nil {
		sess.log.Error("handler failed on heartbeat", "err", err)
	}
}

func ack(seq uint64) *pb.ServerMessage {
	return &pb.ServerMessage{Msg: &pb.ServerMessage_Ack{Ack: &pb.Ack{Seq: seq}}}
}

func reject(seq uint64, reason string) *pb.ServerMessage {
	return &pb.ServerMessage{Msg: &pb.ServerMessage_Reject{Reject: &pb.Reject{Seq: seq, Reason: reason}}}
}

func toStatus(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.FromContextError(err).Err()
}
