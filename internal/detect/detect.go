// Package detect turns runtime events into finding observations: one
// detector per GuardDuty finding type, one file per detector. Detectors are
// pure (no I/O, no clocks): everything they know comes from the event, the
// per-agent State and the Config they were built with, which keeps them
// table-testable and lets any server instance rebuild an agent's state.
package detect

import (
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/threatlist"
)

// Detector recognises one finding type.
type Detector interface {
	// Type is the GuardDuty finding type the detector reports.
	Type() string
	// Evaluate returns the observations ev gives rise to (usually none).
	// It must not do I/O; it may read and update st, which belongs to the
	// agent that sent ev and is never shared between agents.
	Evaluate(ev *event.Event, st *State) []finding.Observation
}

// Config is what detectors are built from.
type Config struct {
	// Threats are the active threat lists; nil disables the threat-intel
	// detectors' matches (they then never fire).
	Threats *threatlist.Set
}

// Registry returns every implemented detector, built from cfg. The list is
// explicit, not filled by init() registrations, so that what runs is
// visible in one place and two engines with different configs never share
// hidden state.
func Registry(cfg Config) []Detector {
	return []Detector{
		dockerSocketAccessed{},
		ccActivityB{threats: cfg.Threats},
		ccActivityBDNS{threats: cfg.Threats},
	}
}

// State is what detectors remember about one agent between events (process
// tables for lineage-based rules, per-container file modifications for
// NewBinaryExecuted, …). The current detectors are stateless; the seam
// exists so that adding a stateful one changes no signature. The Engine
// serialises access: a detector may use State without locking.
type State struct{}
