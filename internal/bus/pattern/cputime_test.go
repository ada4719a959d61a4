package pattern

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time (user + system) used by this process so
// far. Benchmarks report events per CPU-second next to events per
// wall-clock second because the build machine is shared: wall-clock rates
// then measure the neighbours' load as much as this code.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRates adds events/s (wall clock) and events/cpu-s (per core of CPU
// actually used, GC included) to a benchmark that handled b.N events
// since cpu0 was taken.
func reportRates(b *testing.B, cpu0 time.Duration) {
	b.Helper()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if used := cpuTime(b) - cpu0; used > 0 {
		b.ReportMetric(float64(b.N)/used.Seconds(), "events/cpu-s")
	}
}
