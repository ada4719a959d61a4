package uplink

import pb "github.com/vigilsec/vigil/internal/wire/agentpb"

// maxBatchBytes caps a batch's encoded events well below the server's
// message limit (8 MiB), whatever BatchMax says.
const maxBatchBytes = 1 << 20

// batch is a numbered group of events, kept until the server settles it
// (Ack or Reject).
type batch struct {
	seq    uint64
	events []*pb.Event
	sent   bool // sent at least once; resends are not counted as sent
}

// outbox owns batch numbering and the unsettled batches. It is not safe for
// concurrent use: only the Run goroutine touches it.
//
// Sequence numbers: a batch is numbered only while connected, after the
// server's Welcome told us last_acked_seq. When nothing this process
// numbered can be at or above it, numbering restarts at last_acked_seq + 1,
// so an agent restarted without local state continues its old sequence and
// is neither deduplicated wrongly nor needs a state file. Unsettled batches
// keep their numbers across reconnects, so a resend is recognised as one.
type outbox struct {
	batchMax int
	nextSeq  uint64
	pending  []*batch // ascending seq
	cur      []*pb.Event
	curBytes int
}

func newOutbox(batchMax int) *outbox {
	return &outbox{batchMax: batchMax, nextSeq: 1}
}

// fits reports whether an event of size bytes can join the current batch
// without exceeding the byte cap (an empty batch takes any event).
func (o *outbox) fits(size int) bool {
	return len(o.cur) == 0 || o.curBytes+size <= maxBatchBytes
}

// add appends an event to the current batch and reports whether the batch
// is now full.
func (o *outbox) add(e *pb.Event, size int) bool {
	o.cur = append(o.cur, e)
	o.curBytes += size
	return len(o.cur) >= o.batchMax
}

// cut numbers the current batch and makes it pending; nil if empty.
func (o *outbox) cut() *batch {
	if len(o.cur) == 0 {
		return nil
	}
	b := &batch{seq: o.nextSeq, events: o.cur}
	o.nextSeq++
	o.pending = append(o.pending, b)
	o.cur, o.curBytes = nil, 0
	return b
}

// welcome applies the server's last accepted seq after a (re)connect and
// returns the number of events now known to be accepted.
func (o *outbox) welcome(last uint64) (accepted int) {
	if o.nextSeq <= last {
		// The server accepted numbers we never assigned: they came from
		// an earlier run of this agent. Continue after them; anything
		// still pending cannot have been accepted under those numbers.
		for i, b := range o.pending {
			b.seq = last + 1 + uint64(i)
		}
		o.nextSeq = last + 1 + uint64(len(o.pending))
		return 0
	}
	keep := o.pending[:0]
	for _, b := range o.pending {
		if b.seq <= last {
			accepted += len(b.events)
			continue
		}
		keep = append(keep, b)
	}
	clear(o.pending[len(keep):])
	o.pending = keep
	return accepted
}

// settle removes the batch seq after an Ack or Reject and returns its
// number of events; ok is false for an unknown seq (a late duplicate).
func (o *outbox) settle(seq uint64) (n int, ok bool) {
	for i, b := range o.pending {
		if b.seq == seq {
			o.pending = append(o.pending[:i], o.pending[i+1:]...)
			return len(b.events), true
		}
	}
	return 0, false
}

// pendingEvents counts events in unsettled batches and the current batch.
func (o *outbox) pendingEvents() int {
	n := len(o.cur)
	for _, b := range o.pending {
		n += len(b.events)
	}
	return n
}
