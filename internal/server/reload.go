package server

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/detect"
)

// ReloadThreatLists re-reads every configured threat list (SIGHUP). A list
// that fails to parse is reported with its file and line, and the lists in
// use stay in force: a typo never leaves the service without detection.
func (s *Server) ReloadThreatLists() error {
	threats, err := loadThreatLists(s.cfg.ThreatLists)
	if err != nil {
		return fmt.Errorf("reload refused, keeping the current threat lists: %w", err)
	}
	s.engine.Store(detect.NewEngine(detect.Config{Threats: threats}))
	s.log.Info("threat lists reloaded", "lists", len(s.cfg.ThreatLists), "entries", threats.Len())
	return nil
}
