package wire

import "time"

// Bounds on what an agent may send. They are far above what a sane sensor
// produces and far below what would let one agent exhaust the server: the
// agent truncates to these before sending, the server rejects beyond them.
const (
	MaxIDLen      = 128      // agent id, process UUIDs, container/pod ids
	MaxNameLen    = 256      // comm/base names, user, hostnames, pod names
	MaxPathLen    = 4096     // PATH_MAX
	MaxArgs       = 256      // argv entries kept per process
	MaxArgLen     = 4096     // bytes per argv entry
	MaxArgsBytes  = 32 << 10 // bytes of argv per process, all entries
	MaxImageLen   = 1024     // image reference incl. registry and digest
	MaxARNLen     = 2048     // AWS's documented ARN maximum
	MaxDNSNameLen = 1024     // presentation form; escapes can quadruple 255 bytes
	MaxErrorLen   = 1024     // heartbeat error text
	MaxCapability = 64       // sensor capabilities listed in a Hello
	MaxVersionLen = MaxIDLen // agent version, kernel release
	maxFutureSkew = 24 * time.Hour
	maxPort       = 1<<16 - 1 // ports and DNS qtypes are 16-bit on the wire
)

// minTime is the earliest plausible event time: anything before it is an
// unset or corrupt clock, not an observation.
var minTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
