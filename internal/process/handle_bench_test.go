package process

import (
	"os"
	"testing"

	"github.com/vigilsec/vigil/internal/event"
)

// BenchmarkHandleExec is the capture stage's cost for one exec of a binary
// whose digest is already known (the common case on a busy host): /proc
// reads, the executable's stat, the table update.
func BenchmarkHandleExec(b *testing.B) {
	tb, err := NewTable(Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer tb.Close()
	pid := uint32(os.Getpid())
	self, ok := tb.Get(pid)
	if !ok {
		if err := tb.Seed(); err != nil {
			b.Fatal(err)
		}
		self, _ = tb.Get(pid)
	}
	proto := event.Event{Kind: event.KindExec, Process: event.Process{
		PID: pid, NamespacePID: pid, PPID: uint32(os.Getppid()), Name: self.Name,
		ExecutablePath: self.ExecutablePath, Args: []string{"bench"}, Cwd: "/", StartTime: self.StartTime,
	}}
	first := proto
	tb.Handle(&first)
	tb.Digest(&first) // the digest is known from here on
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ev := proto
		tb.Handle(&ev)
	}
}
