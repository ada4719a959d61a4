package finding

import (
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// ProcessDetailsFor renders a process and its ancestors (parent first) as
// GuardDuty's ProcessDetails. Lineage is always a JSON array, never null,
// because consumers index into it.
func ProcessDetailsFor(p event.Process, lineage []event.Process) *ProcessDetails {
	pd := &ProcessDetails{
		Name:             p.Name,
		ExecutablePath:   p.ExecutablePath,
		ExecutableSha256: p.ExecutableSHA256,
		NamespacePid:     int(p.NamespacePID),
		Pwd:              p.Cwd,
		Pid:              int(p.PID),
		StartTime:        epochOrZero(p.StartTime),
		UUID:             p.UUID,
		ParentUUID:       p.ParentUUID,
		User:             p.User,
		UserID:           int(p.UID),
		Euid:             int(p.EUID),
		Lineage:          make([]LineageObject, 0, len(lineage)),
	}
	for _, a := range lineage {
		pd.Lineage = append(pd.Lineage, LineageObject{
			StartTime:      epochOrZero(a.StartTime),
			NamespacePid:   int(a.NamespacePID),
			UserID:         int(a.UID),
			Name:           a.Name,
			Pid:            int(a.PID),
			UUID:           a.UUID,
			ExecutablePath: a.ExecutablePath,
			Euid:           int(a.EUID),
			ParentUUID:     a.ParentUUID,
		})
	}
	return pd
}

// epochOrZero keeps an unknown time unknown instead of turning it into
// 1970 (Epoch of the zero time is not zero after UTC truncation).
func epochOrZero(t time.Time) EpochTime {
	if t.IsZero() {
		return EpochTime{}
	}
	return Epoch(t)
}
