package server

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
)

// metrics are the server's Prometheus counters, written in the text
// exposition format by /metrics.
type metrics struct {
	events, findings atomic.Uint64
	agentsConnected  atomic.Int64
	sensorLost       atomic.Uint64
}

func newMetrics() *metrics { return &metrics{} }

// WriteMetrics writes the exposition text.
func (s *Server) WriteMetrics(w io.Writer) {
	m := s.metrics
	fmt.Fprintf(w, "# HELP vigil_events_total Runtime events received from agents.\n# TYPE vigil_events_total counter\nvigil_events_total %d\n", m.events.Load())
	fmt.Fprintf(w, "# HELP vigil_findings_created_total Findings created (not counting repeats).\n# TYPE vigil_findings_created_total counter\nvigil_findings_created_total %d\n", m.findings.Load())
	fmt.Fprintf(w, "# HELP vigil_agents_connected Agents with an open stream.\n# TYPE vigil_agents_connected gauge\nvigil_agents_connected %d\n", m.agentsConnected.Load())
	if n, err := s.store.PendingDeliveries(context.Background()); err == nil {
		fmt.Fprintf(w, "# HELP vigil_outbox_pending Deliveries waiting in the outbox (leased ones included).\n# TYPE vigil_outbox_pending gauge\nvigil_outbox_pending %d\n", n)
	}
	fmt.Fprintf(w, "# HELP vigil_sensor_lost_events Kernel events lost by the last reporting agent's sensor.\n# TYPE vigil_sensor_lost_events gauge\nvigil_sensor_lost_events %d\n", m.sensorLost.Load())
}
