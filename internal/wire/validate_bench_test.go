package wire

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// BenchmarkValidate is the per-event check the agent (before sending) and
// the server (on receipt) run: a container connect with 16 ancestors.
func BenchmarkValidate(b *testing.B) {
	ev := sampleEvents()["connect4"]
	ev.Lineage = make([]event.Process, event.MaxLineage)
	for i := range ev.Lineage {
		ev.Lineage[i] = proc(uint32(90 - i))
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(ev, now); err != nil {
			b.Fatal(err)
		}
	}
}
