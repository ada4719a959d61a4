package process

import (
	"strconv"
	"time"

	"github.com/google/uuid"
)

// uuidNamespace is the fixed namespace for vigil process UUIDs (as in RFC 4122
// name-based UUIDs): changing it would change every process UUID.
var uuidNamespace = [16]byte{
	0x6b, 0x1e, 0x4f, 0x2a, 0x93, 0xd0, 0x4c, 0x57,
	0xa1, 0x0b, 0x5e, 0x7c, 0x38, 0xf2, 0x19, 0xd4,
}

// UUID derives the identifier of one process instance from the host's boot
// id, the host PID and the start time, as a name-based (version 5, SHA-1)
// UUID. The start time is rounded to milliseconds first so that callers whose
// clocks differ only below that precision agree; the Table passes start times
// already canonicalised to clock ticks since boot (see Table.canonicalStart).
func UUID(bootID string, pid uint32, start time.Time) string {
	name := make([]byte, 0, len(bootID)+32)
	name = append(name, bootID...)
	name = append(name, '/')
	name = strconv.AppendUint(name, uint64(pid), 10)
	name = append(name, '/')
	name = strconv.AppendInt(name, start.Round(time.Millisecond).UnixMilli(), 10)

	return uuid.NewSHA1(uuid.UUID(uuidNamespace), name).String()
}
