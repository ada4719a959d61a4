package sensor

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
)

// DefaultRingBufferBytes is the ring buffer size when Config leaves it 0.
const DefaultRingBufferBytes = 8 << 20

// DefaultOpenPathPrefixes are the paths whose read-only opens are reported
// (opens with write intent are always reported). They serve detectors of
// container-runtime socket access and credential theft; /var/run is listed
// beside /run because paths are matched as passed, not resolved.
var DefaultOpenPathPrefixes = []string{
	"/var/run/docker.sock", "/run/docker.sock",
	"/var/run/containerd/", "/run/containerd/",
	"/var/run/secrets/", "/run/secrets/",
	"/etc/shadow", "/etc/gshadow", "/etc/sudoers",
	"/root/.ssh/", "/proc/kcore",
}

// maxPrefixLen is PREFIX_BYTES in bpf/common.h: the LPM key's data size.
const maxPrefixLen = 64

// maxPrefixes is the open_prefixes map's max_entries (bpf/open.h).
const maxPrefixes = 64

// Config tunes the sensor.
type Config struct {
	RingBufferBytes  int      // power of two; 0 = default (8 MiB)
	ExcludePIDs      []uint32 // thread-group ids whose events are dropped in-kernel
	OpenPathPrefixes []string // extra prefixes whose read-only opens are still reported
	// Clock converts kernel times to wall-clock times; Run re-measures it
	// periodically. Share it with whoever converts them back (the process
	// table). nil: the sensor measures its own.
	Clock *Clock
}

// Stats are the sensor's counters since New.
type Stats struct {
	Received     uint64 // records read from the ring buffer
	Lost         uint64 // records the kernel could not reserve (ring buffer full)
	DecodeErrors uint64 // records that did not decode
	Dropped      uint64 // decoded events not delivered because `out` stayed full
}

// Sensor owns the loaded programs, their links and the ring buffer reader.
type Sensor struct {
	objs   sensorObjects
	links  []link.Link
	reader *ringbuf.Reader
	clock  *Clock

	received, decodeErrors, dropped atomic.Uint64
	lostAtClose                     atomic.Uint64 // the kernel map is gone after Close
	closed                          atomic.Bool
	closeOnce                       sync.Once
	closeErr                        error
}

// New loads the eBPF programs, configures them and attaches every hook.
func New(cfg Config) (*Sensor, error) {
	size, prefixes, err := validate(cfg)
	if err != nil {
		return nil, fmt.Errorf("sensor config: %w", err)
	}
	spec, err := loadSensor()
	if err != nil {
		return nil, fmt.Errorf("loading eBPF spec: %w", err)
	}
	spec.Maps["events"].MaxEntries = uint32(size)

	s := &Sensor{clock: cfg.Clock}
	if s.clock == nil {
		if s.clock, err = NewClock(); err != nil {
			return nil, fmt.Errorf("sensor clock: %w", err)
		}
	}
	if err := spec.LoadAndAssign(&s.objs, nil); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("loading eBPF objects: %+v", ve)
		}
		return nil, fmt.Errorf("loading eBPF objects: %w", err)
	}
	if err := s.configure(cfg.ExcludePIDs, prefixes); err != nil {
		_ = s.objs.Close()
		return nil, err
	}
	if err := s.attach(); err != nil {
		_ = s.Close()
		return nil, err
	}
	if s.reader, err = ringbuf.NewReader(s.objs.Events); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("opening ring buffer reader: %w", err)
	}
	return s, nil
}

// validate checks cfg before anything is loaded and returns the ring buffer
// size and the LPM keys of all open path prefixes (defaults first).
func validate(cfg Config) (int, []sensorPrefixKey, error) {
	size := cfg.RingBufferBytes
	if size == 0 {
		size = DefaultRingBufferBytes
	}
	// The kernel wants a power-of-two multiple of the page size.
	if size < os.Getpagesize() || size&(size-1) != 0 || size > 1<<30 {
		return 0, nil, fmt.Errorf("ring buffer size %d: must be a power of two between the page size and 1 GiB", size)
	}
	var keys []sensorPrefixKey
	for _, p := range append(append([]string{}, DefaultOpenPathPrefixes...), cfg.OpenPathPrefixes...) {
		k, err := prefixKey(p)
		if err != nil {
			return 0, nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) > maxPrefixes {
		return 0, nil, fmt.Errorf("%d open path prefixes, at most %d", len(keys), maxPrefixes)
	}
	return size, keys, nil
}

// Stats returns the counters; Lost is summed from the per-CPU kernel map.
func (s *Sensor) Stats() Stats {
	st := Stats{
		Received:     s.received.Load(),
		DecodeErrors: s.decodeErrors.Load(),
		Dropped:      s.dropped.Load(),
	}
	if s.closed.Load() {
		st.Lost = s.lostAtClose.Load()
		return st
	}
	st.Lost = s.kernelLost()
	return st
}

// kernelLost sums the per-CPU `lost` counter map.
func (s *Sensor) kernelLost() uint64 {
	var perCPU []uint64
	if s.objs.Lost == nil || s.objs.Lost.Lookup(uint32(0), &perCPU) != nil {
		return 0
	}
	var total uint64
	for _, n := range perCPU {
		total += n
	}
	return total
}

// Close detaches the programs and frees the maps; a running Run then
// returns an error wrapping os.ErrClosed. Stats stays readable.
func (s *Sensor) Close() error {
	s.closeOnce.Do(func() {
		s.lostAtClose.Store(s.kernelLost())
		s.closed.Store(true)
		var errs []error
		for _, l := range s.links {
			errs = append(errs, l.Close())
		}
		if s.reader != nil {
			errs = append(errs, s.reader.Close())
		}
		errs = append(errs, s.objs.Close())
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("closing sensor: %w", err)
		}
	})
	return s.closeErr
}
