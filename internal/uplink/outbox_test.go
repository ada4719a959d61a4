package uplink

import (
	"slices"
	"testing"

	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
)

func fill(o *outbox, n int) *batch {
	for range n {
		o.add(&pb.Event{}, 10)
	}
	return o.cut()
}

func seqs(o *outbox) []uint64 {
	var out []uint64
	for _, b := range o.pending {
		out = append(out, b.seq)
	}
	return out
}

func TestOutboxFreshAgentContinuesServerSequence(t *testing.T) {
	o := newOutbox(10)
	if n := o.welcome(500); n != 0 {
		t.Fatalf("accepted %d", n)
	}
	if b := fill(o, 3); b.seq != 501 {
		t.Fatalf("first seq after welcome(500) = %d, want 501", b.seq)
	}
}

func TestOutboxReconnectDropsAcceptedKeepsNumbers(t *testing.T) {
	o := newOutbox(10)
	o.welcome(0)
	fill(o, 1)
	fill(o, 2)
	fill(o, 3) // seqs 1, 2, 3
	if n := o.welcome(2); n != 3 {
		t.Fatalf("welcome(2) accepted %d events, want 3 (batches 1 and 2)", n)
	}
	if got := seqs(o); !slices.Equal(got, []uint64{3}) {
		t.Fatalf("pending %v, want [3]", got)
	}
	if b := fill(o, 1); b.seq != 4 {
		t.Fatalf("next seq %d, want 4", b.seq)
	}
}

func TestOutboxServerAheadRenumbers(t *testing.T) {
	o := newOutbox(10)
	o.welcome(0)
	fill(o, 1)
	fill(o, 1) // 1, 2 unsettled
	// The server has accepted up to 900 from another run of this agent id:
	// ours cannot be among them, so they are renumbered after it.
	o.welcome(900)
	if got := seqs(o); !slices.Equal(got, []uint64{901, 902}) {
		t.Fatalf("pending %v, want [901 902]", got)
	}
	if b := fill(o, 1); b.seq != 903 {
		t.Fatalf("next seq %d", b.seq)
	}
}

func TestOutboxBatchLimits(t *testing.T) {
	o := newOutbox(2)
	if o.add(&pb.Event{}, 1) {
		t.Fatal("full after one event")
	}
	if !o.add(&pb.Event{}, 1) {
		t.Fatal("not full after BatchMax events")
	}
	o.cut()
	if !o.fits(maxBatchBytes * 2) {
		t.Fatal("empty batch must take any event")
	}
	o.add(&pb.Event{}, maxBatchBytes-5)
	if o.fits(10) {
		t.Fatal("event beyond the byte cap fits")
	}
	if n, ok := o.settle(1); !ok || n != 2 {
		t.Fatalf("settle(1) = %d, %v", n, ok)
	}
	if _, ok := o.settle(1); ok {
		t.Fatal("settled twice")
	}
	if o.pendingEvents() != 1 {
		t.Fatalf("pendingEvents = %d", o.pendingEvents())
	}
}
