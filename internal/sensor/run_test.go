package sensor

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/event"
)

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{RingBufferBytes: 3000},
		{RingBufferBytes: 1 << 31},
		{OpenPathPrefixes: []string{""}},
		{OpenPathPrefixes: []string{strings.Repeat("x", maxPrefixLen+1)}},
		{OpenPathPrefixes: []string{"/a\x00b"}},
		{OpenPathPrefixes: manyPrefixes(maxPrefixes - len(DefaultOpenPathPrefixes) + 1)},
	} {
		if _, _, err := validate(cfg); err == nil {
			t.Errorf("validate(%+v) succeeded, want an error", cfg)
		}
	}
	if _, _, err := validate(Config{OpenPathPrefixes: manyPrefixes(maxPrefixes - len(DefaultOpenPathPrefixes))}); err != nil {
		t.Errorf("validate(%d prefixes in all) = %v, want the limit accepted", maxPrefixes, err)
	}
	size, keys, err := validate(Config{OpenPathPrefixes: []string{"/srv/"}})
	if err != nil || size != DefaultRingBufferBytes || len(keys) != len(DefaultOpenPathPrefixes)+1 {
		t.Fatalf("validate(defaults) = %d, %d keys, %v", size, len(keys), err)
	}
	if k := keys[len(keys)-1]; k.PrefixBits != 5*8 || k.Data[0] != '/' || k.Data[4] != '/' {
		t.Errorf("prefix key = %+v", k)
	}
}

// manyPrefixes returns n distinct valid prefixes.
func manyPrefixes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("/p%d/", i)
	}
	return out
}

// TestDeliverDrops checks that a full output channel costs a counted drop,
// not a blocked reader.
func TestDeliverDrops(t *testing.T) {
	s := &Sensor{}
	out := make(chan event.Event, 1)
	s.deliver(context.Background(), out, event.Event{Kind: event.KindExec})
	s.deliver(context.Background(), out, event.Event{Kind: event.KindExit})
	if got := s.dropped.Load(); got != 1 {
		t.Errorf("dropped = %d, want 1", got)
	}
	if ev := <-out; ev.Kind != event.KindExec {
		t.Errorf("delivered %v, want the first event", ev.Kind)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out <- event.Event{}
	s.deliver(ctx, out, event.Event{})
	if got := s.dropped.Load(); got != 2 {
		t.Errorf("dropped = %d after a cancelled send, want 2", got)
	}
}
