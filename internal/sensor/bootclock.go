package sensor

import (
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// BootClock converts kernel CLOCK_BOOTTIME nanoseconds (bpf_ktime_get_boot_ns,
// task->start_boottime) to wall-clock time. Boot is the wall-clock instant at
// which the boot clock read zero. Boot time, unlike the monotonic clock,
// keeps counting during suspend, so a converted time does not drift after a
// laptop or VM sleeps.
type BootClock struct {
	Boot time.Time
}

// NewBootClock measures the current offset between CLOCK_REALTIME and
// CLOCK_BOOTTIME. Call it again after the wall clock is stepped (NTP); Run
// does so periodically.
func NewBootClock() (BootClock, error) {
	var rt, bt unix.Timespec
	// Take the boot clock between two realtime reads and keep the pair with
	// the smaller gap, so a preemption between the reads costs no accuracy.
	best := time.Duration(1<<63 - 1)
	var boot time.Time
	for range 3 {
		var rt2 unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_REALTIME, &rt); err != nil {
			return BootClock{}, fmt.Errorf("reading CLOCK_REALTIME: %w", err)
		}
		if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt); err != nil {
			return BootClock{}, fmt.Errorf("reading CLOCK_BOOTTIME: %w", err)
		}
		if err := unix.ClockGettime(unix.CLOCK_REALTIME, &rt2); err != nil {
			return BootClock{}, fmt.Errorf("reading CLOCK_REALTIME: %w", err)
		}
		gap := time.Duration(rt2.Nano() - rt.Nano())
		if gap < best {
			best = gap
			mid := rt.Nano() + int64(gap/2)
			boot = time.Unix(0, mid-bt.Nano())
		}
	}
	return BootClock{Boot: boot.UTC()}, nil
}

// Wall returns the wall-clock time (UTC) of a boot-clock reading in ns.
func (c BootClock) Wall(bootNS uint64) time.Time {
	if bootNS > 1<<63-1 {
		bootNS = 1<<63 - 1
	}
	return c.Boot.Add(time.Duration(bootNS)).UTC()
}

// Clock is a BootClock that is re-measured while others read it. The sensor
// converts event times with it and re-measures it after the wall clock may
// have been stepped; the process table converts those times back to clock
// ticks with the same Clock, so the two agree on a process's start however
// the wall clock moves. With separate measurements, one step (NTP, a VM
// resumed from a snapshot) made every running process look new.
type Clock struct{ boot atomic.Int64 } // unix nanoseconds

// NewClock measures the clock once.
func NewClock() (*Clock, error) {
	c := &Clock{}
	return c, c.Resync()
}

// Resync measures the offset again.
func (c *Clock) Resync() error {
	b, err := NewBootClock()
	if err != nil {
		return err
	}
	c.boot.Store(b.Boot.UnixNano())
	return nil
}

// Get returns the current measurement.
func (c *Clock) Get() BootClock { return BootClock{Boot: c.Boot()} }

// Boot is the wall-clock instant at which the boot clock read zero.
func (c *Clock) Boot() time.Time { return time.Unix(0, c.boot.Load()).UTC() }
