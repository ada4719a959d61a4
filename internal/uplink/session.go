package uplink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/wire"
	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
	"google.golang.org/protobuf/proto"
)

// maxInFlight bounds unsettled batches; beyond it the client stops taking
// events from the queue, so backpressure lands on the counted Send drops
// instead of on memory.
const maxInFlight = 64

// welcomeTimeout bounds the wait for the server's first answer.
const welcomeTimeout = 30 * time.Second

// session runs one stream: Hello, Welcome, resend of unsettled batches,
// then batches and heartbeats until the stream fails or ctx ends.
func (c *Client) session(ctx context.Context, client pb.IngestClient) (welcomed bool, err error) {
	// The stream outlives ctx by the drain on shutdown (see drain), so
	// its context is ctx's values without its cancellation.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel() // also ends the receive goroutine
	stop := context.AfterFunc(ctx, func() {
		if !c.connected.Load() {
			cancel() // nothing to drain: do not wait for a Welcome
		}
	})
	defer stop()
	stream, err := client.Connect(sctx)
	if err != nil {
		return false, fmt.Errorf("open stream: %w", err)
	}
	msgs, errc := receive(sctx, stream)
	hello := &pb.AgentMessage{Msg: &pb.AgentMessage_Hello{Hello: wire.AgentInfoToProto(c.cfg.Agent)}}
	if err := stream.Send(hello); err != nil {
		return false, c.streamErr(err, msgs, errc)
	}
	last, err := awaitWelcome(msgs, errc)
	if err != nil {
		return false, err
	}
	if n := c.box.welcome(last); n > 0 {
		c.acked.Add(uint64(n))
		c.unsettled.Add(-int64(n))
	}
	c.connected.Store(true)
	c.log.Info("connected to server", "server", c.cfg.Server, "last_acked_seq", last, "resending", len(c.box.pending))
	for _, b := range c.box.pending {
		if err := c.sendBatch(stream, b); err != nil {
			return true, c.streamErr(err, msgs, errc)
		}
	}
	// A heartbeat right away tells the server's coverage this agent is
	// back without waiting a full interval.
	if err := c.sendHeartbeat(stream); err != nil {
		return true, c.streamErr(err, msgs, errc)
	}
	return true, c.pump(ctx, stream, msgs, errc)
}

// pump is the steady state of a session.
func (c *Client) pump(ctx context.Context, stream pb.Ingest_ConnectClient, msgs <-chan *pb.ServerMessage, errc <-chan error) error {
	hb := time.NewTicker(c.cfg.HeartbeatInterval)
	defer hb.Stop()
	fl := flusher{t: time.NewTimer(time.Hour), d: c.cfg.FlushInterval}
	fl.disarm()
	if len(c.box.cur) > 0 {
		fl.arm() // left over from the previous session
	}
	for {
		var in <-chan event.Event
		if len(c.box.pending) < maxInFlight {
			in = c.queue
		}
		var err error
		select {
		case <-ctx.Done():
			c.drain(stream, msgs, errc)
			return ctx.Err()
		case err = <-errc:
			return err
		case m := <-msgs:
			c.onMessage(m)
		case ev := <-in:
			err = c.sendAll(stream, c.enqueue(ev))
			if len(c.box.cur) > 0 {
				fl.arm()
			} else {
				fl.disarm()
			}
		case <-fl.c:
			fl.disarm()
			err = c.sendAll(stream, []*batch{c.box.cut()})
		case <-hb.C:
			c.noteDropped()
			err = c.sendHeartbeat(stream)
		}
		if err != nil {
			return c.streamErr(err, msgs, errc)
		}
	}
}

// drainTimeout bounds how long a stopping agent waits for the server to
// acknowledge what it still holds.
const drainTimeout = 2 * time.Second

// drain runs when the agent stops: it sends the events still queued and
// the partial batch, then waits (at most drainTimeout) for their acks, so a
// clean shutdown does not lose the last events before the stop.
func (c *Client) drain(stream pb.Ingest_ConnectClient, msgs <-chan *pb.ServerMessage, errc <-chan error) {
	for more := true; more; {
		select {
		case ev := <-c.queue:
			if c.sendAll(stream, c.enqueue(ev)) != nil {
				return
			}
		default:
			more = false
		}
	}
	if c.sendAll(stream, []*batch{c.box.cut()}) != nil {
		return
	}
	deadline := time.NewTimer(drainTimeout)
	defer deadline.Stop()
	for len(c.box.pending) > 0 {
		select {
		case m := <-msgs:
			c.onMessage(m)
		case <-errc:
			return
		case <-deadline.C:
			c.log.Warn("stopping with unacknowledged events", "batches", len(c.box.pending))
			return
		}
	}
}

// enqueue validates ev exactly as the server will, adds it to the current
// batch, and returns the batches that are ready to go. An invalid event is
// dropped here, counted, so it cannot get a whole batch rejected.
func (c *Client) enqueue(ev event.Event) []*batch {
	pe := wire.ToProto(ev)
	if _, err := wire.FromProto(pe); err != nil {
		c.noteInvalid(ev, err)
		return nil
	}
	size := proto.Size(pe)
	var ready []*batch
	if !c.box.fits(size) {
		ready = append(ready, c.box.cut())
	}
	c.unsettled.Add(1)
	if c.box.add(pe, size) {
		ready = append(ready, c.box.cut())
	}
	return ready
}

func (c *Client) sendAll(stream pb.Ingest_ConnectClient, bs []*batch) error {
	for _, b := range bs {
		if b == nil {
			continue
		}
		if err := c.sendBatch(stream, b); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) sendBatch(stream pb.Ingest_ConnectClient, b *batch) error {
	m := &pb.AgentMessage{Msg: &pb.AgentMessage_Batch{Batch: &pb.Batch{Seq: b.seq, Events: b.events}}}
	if err := stream.Send(m); err != nil {
		return err
	}
	if !b.sent {
		b.sent = true
		c.sent.Add(uint64(len(b.events)))
	}
	return nil
}

func (c *Client) sendHeartbeat(stream pb.Ingest_ConnectClient) error {
	hb := wire.HeartbeatToProto(c.heartbeat())
	return stream.Send(&pb.AgentMessage{Msg: &pb.AgentMessage_Heartbeat{Heartbeat: hb}})
}

func (c *Client) onMessage(m *pb.ServerMessage) {
	switch msg := m.Msg.(type) {
	case *pb.ServerMessage_Ack:
		if n, ok := c.box.settle(msg.Ack.GetSeq()); ok {
			c.acked.Add(uint64(n))
			c.unsettled.Add(-int64(n))
		}
	case *pb.ServerMessage_Reject:
		if n, ok := c.box.settle(msg.Reject.GetSeq()); ok {
			c.rejected.Add(uint64(n))
			c.unsettled.Add(-int64(n))
			c.log.Warn("server rejected a batch", "seq", msg.Reject.GetSeq(), "events", n, "reason", msg.Reject.GetReason())
		}
	}
}

// streamErr turns a failed Send into the stream's real status: gRPC
// reports io.EOF on Send and the reason on Recv. Messages that arrive
// meanwhile are still applied, so no Ack is wasted.
func (c *Client) streamErr(err error, msgs <-chan *pb.ServerMessage, errc <-chan error) error {
	if !errors.Is(err, io.EOF) {
		return err
	}
	for {
		select {
		case m := <-msgs:
			c.onMessage(m)
		case err := <-errc:
			return err
		}
	}
}

// receive reads server messages on its own goroutine, which ends with the
// stream (or its context).
func receive(ctx context.Context, stream pb.Ingest_ConnectClient) (<-chan *pb.ServerMessage, <-chan error) {
	msgs := make(chan *pb.ServerMessage)
	errc := make(chan error, 1)
	go func() {
		for {
			m, err := stream.Recv()
			if err != nil {
				errc <- err
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return msgs, errc
}

func awaitWelcome(msgs <-chan *pb.ServerMessage, errc <-chan error) (uint64, error) {
	timer := time.NewTimer(welcomeTimeout)
	defer timer.Stop()
	select {
	case m := <-msgs:
		w := m.GetWelcome()
		if w == nil {
			return 0, errors.New("server did not answer hello with welcome")
		}
		return w.GetLastAckedSeq(), nil
	case err := <-errc:
		return 0, err
	case <-timer.C:
		return 0, errors.New("no welcome from server")
	}
}

// flusher is the FlushInterval timer, armed while a batch is partly full.
type flusher struct {
	t *time.Timer
	c <-chan time.Time
	d time.Duration
}

func (f *flusher) arm() {
	if f.c == nil {
		f.t.Reset(f.d)
		f.c = f.t.C
	}
}

func (f *flusher) disarm() {
	f.t.Stop()
	f.c = nil
}
