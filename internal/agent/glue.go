package agent

import (
	"encoding/json"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/uplink"
	"github.com/vigilsec/vigil/internal/wire"
)

// capabilities are the event kinds this agent's sensor reports, announced
// in the Hello so the server knows what it can detect.
var capabilities = []string{"tp_btf", "raw_tracepoint", "exec", "fork", "exit", "connect", "dns", "open"}

func (id Identity) agentInfo(version string) wire.AgentInfo {
	return wire.AgentInfo{ID: id.ID, Version: version, Hostname: id.Hostname, InstanceID: id.InstanceID,
		Kind: id.Kind, ECSClusterARN: id.ECSClusterARN, ECSTaskARN: id.ECSTaskARN,
		KernelVersion: id.KernelVersion, Capabilities: capabilities}
}

// heartbeat reports the sensor's counters and state.
func (a *Agent) heartbeat() uplink.SensorStats {
	st := a.sensor.Stats()
	// Losses mean missed detections: say so where an operator looks.
	if n := st.Lost + st.Dropped + st.DecodeErrors; n > a.lossSeen.Swap(n) {
		a.log.Warn("sensor lost events", "kernel_lost", st.Lost, "dropped", st.Dropped, "decode_errors", st.DecodeErrors)
	}
	return uplink.SensorStats{Received: st.Received, Lost: st.Lost, Dropped: st.Dropped + st.DecodeErrors,
		Attached: a.attached.Load()}
}

// jsonEvent is an event as `vigil agent --output json` prints it: the wire
// form's field names (lower camel case) rather than Go's.
func jsonEvent(ev event.Event) any {
	b, err := protojson.Marshal(wire.ToProto(ev))
	if err != nil {
		return map[string]string{"error": err.Error()}
	}
	return json.RawMessage(b)
}
