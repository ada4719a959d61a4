package sensor

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/vigilsec/vigil/internal/event"
)

// Record layouts written by bpf/common.h (x86_64, little endian). The
// offsets are checked against the bpf2go-generated structs in layout_test.go.
const (
	hdrLen = 80

	hdrFlagsOff  = 1
	hdrPIDOff    = 4
	hdrNsPIDOff  = 12
	hdrPPIDOff   = 16
	hdrUIDOff    = 20
	hdrKtimeOff  = 40
	hdrStartOff  = 48
	hdrCgroupOff = 56
	hdrCommOff   = 64
	commLen      = 16

	// hdr.flags
	flagArgsTruncated = 1
	flagCwdTruncated  = 2
	flagPathTruncated = 4
)

// ErrShortRecord means a record is smaller than its kind's layout.
var ErrShortRecord = errors.New("short record")

var le = binary.LittleEndian

// Decode turns one ring-buffer record into an Event. It is pure: it trusts
// nothing in raw (every length is bounds-checked) and never panics. Times are
// converted from the kernel's boot clock with boot. DNS records whose payload
// is not a well-formed query return an error wrapping ErrNotDNS.
func Decode(raw []byte, boot BootClock) (event.Event, error) {
	if len(raw) < hdrLen {
		return event.Event{}, fmt.Errorf("%w: %d bytes, header needs %d", ErrShortRecord, len(raw), hdrLen)
	}
	ev := event.Event{
		Kind:    event.Kind(raw[0]),
		Time:    boot.Wall(le.Uint64(raw[hdrKtimeOff:])),
		Process: decodeProcess(raw, boot),
	}
	var err error
	switch ev.Kind {
	case event.KindExec:
		err = decodeExec(raw, &ev.Process)
	case event.KindFork:
	case event.KindExit:
		ev.Exit, err = decodeExit(raw)
	case event.KindConnect:
		ev.Connect, err = decodeConnect(raw)
	case event.KindDNS:
		ev.DNS, err = decodeDNS(raw)
	case event.KindOpen:
		ev.Open, err = decodeOpen(raw)
	default:
		return event.Event{}, fmt.Errorf("unknown record kind %d", raw[0])
	}
	if err != nil {
		return event.Event{}, fmt.Errorf("decoding %s record: %w", ev.Kind, err)
	}
	return ev, nil
}

func decodeProcess(raw []byte, boot BootClock) event.Process {
	u32 := func(off int) uint32 { return le.Uint32(raw[off:]) }
	p := event.Process{
		PID:          u32(hdrPIDOff),
		NamespacePID: u32(hdrNsPIDOff),
		PPID:         u32(hdrPPIDOff),
		Name:         cString(raw[hdrCommOff : hdrCommOff+commLen]),
		UID:          u32(hdrUIDOff),
		GID:          u32(hdrUIDOff + 4),
		EUID:         u32(hdrUIDOff + 8),
		EGID:         u32(hdrUIDOff + 12),
		CgroupID:     le.Uint64(raw[hdrCgroupOff:]),
	}
	if start := le.Uint64(raw[hdrStartOff:]); start != 0 {
		p.StartTime = boot.Wall(start)
	}
	return p
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// field returns raw[off:off+n] or ErrShortRecord.
func field(raw []byte, off, n int, what string) ([]byte, error) {
	if off < 0 || n < 0 || off+n > len(raw) {
		return nil, fmt.Errorf("%w: %s needs bytes %d..%d of %d", ErrShortRecord, what, off, off+n, len(raw))
	}
	return raw[off : off+n], nil
}

const exitCodeOff = hdrLen

func decodeExit(raw []byte) (*event.Exit, error) {
	b, err := field(raw, exitCodeOff, 4, "exit code")
	if err != nil {
		return nil, err
	}
	return &event.Exit{Code: int32(le.Uint32(b))}, nil
}
