package wire

import (
	"fmt"
	"time"

	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
)

// AgentInfo is what an agent says about itself in its Hello. It is
// wire-independent so that the agent and the server need not import
// generated code.
type AgentInfo struct {
	ID            string
	Version       string
	Hostname      string
	InstanceID    string
	Kind          string // "host", "ecs-task" or "k8s-node"
	ECSClusterARN string
	ECSTaskARN    string
	KernelVersion string
	Capabilities  []string // sensor capabilities, e.g. "tp_btf", "exec", "connect"
}

// The agent kinds. They decide which resource coverage is reported for.
const (
	AgentKindHost    = "host"
	AgentKindECSTask = "ecs-task"
	AgentKindK8sNode = "k8s-node"
)

// Heartbeat is an agent's periodic self-report: its clock and the sensor's
// counters since start.
type Heartbeat struct {
	Time     time.Time
	Received uint64 // events read from the ring buffer
	Lost     uint64 // events the kernel could not queue (ring buffer full)
	Dropped  uint64 // events the agent discarded (filters, full buffers, invalid)
	Attached bool   // the sensor's programs are attached
	Error    string // the sensor's last error, if any
}

// AgentInfoToProto converts a to its wire form.
func AgentInfoToProto(a AgentInfo) *pb.AgentInfo {
	return &pb.AgentInfo{
		AgentId: clean(a.ID), Version: clean(a.Version), Hostname: clean(a.Hostname),
		InstanceId: clean(a.InstanceID), Kind: clean(a.Kind),
		EcsClusterArn: clean(a.ECSClusterARN), EcsTaskArn: clean(a.ECSTaskARN),
		KernelVersion: clean(a.KernelVersion), Capabilities: cleanAll(a.Capabilities),
	}
}

// AgentInfoFromProto converts and validates a Hello.
func AgentInfoFromProto(in *pb.AgentInfo) (AgentInfo, error) {
	if in == nil {
		return AgentInfo{}, fieldErr("hello", "missing")
	}
	a := AgentInfo{
		ID: in.AgentId, Version: in.Version, Hostname: in.Hostname, InstanceID: in.InstanceId,
		Kind: in.Kind, ECSClusterARN: in.EcsClusterArn, ECSTaskARN: in.EcsTaskArn,
		KernelVersion: in.KernelVersion,
	}
	if len(in.Capabilities) > 0 {
		a.Capabilities = append([]string(nil), in.Capabilities...)
	}
	if err := ValidateAgentInfo(a); err != nil {
		return AgentInfo{}, Under("hello", err)
	}
	return a, nil
}

// ValidateAgentInfo requires a sane agent id (it keys per-agent state and
// appears in findings) and bounds everything else.
func ValidateAgentInfo(a AgentInfo) error {
	if a.ID == "" {
		return fieldErr("agent_id", "must not be empty")
	}
	switch a.Kind {
	case AgentKindHost, AgentKindECSTask, AgentKindK8sNode:
	default:
		return fieldErr("kind", "unknown agent kind %s", quote(a.Kind))
	}
	if len(a.Capabilities) > MaxCapability {
		return fieldErr("capabilities", "%d entries, at most %d", len(a.Capabilities), MaxCapability)
	}
	checks := []error{
		checkID("agent_id", a.ID),
		checkText("version", a.Version, MaxVersionLen),
		checkText("hostname", a.Hostname, MaxNameLen),
		checkID("instance_id", a.InstanceID),
		checkARN("ecs_cluster_arn", a.ECSClusterARN),
		checkARN("ecs_task_arn", a.ECSTaskARN),
		checkText("kernel_version", a.KernelVersion, MaxVersionLen),
	}
	for i, c := range a.Capabilities {
		checks = append(checks, checkID(fmt.Sprintf("capabilities[%d]", i), c))
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

// HeartbeatToProto converts h to its wire form.
func HeartbeatToProto(h Heartbeat) *pb.Heartbeat {
	return &pb.Heartbeat{
		TimeUnixNano: toNanos(h.Time), Received: h.Received, Lost: h.Lost,
		Dropped: h.Dropped, Attached: h.Attached, Error: clean(h.Error),
	}
}

// HeartbeatFromProto converts and validates a heartbeat. Its time may be
// missing (the server then uses its own clock) but not implausible.
func HeartbeatFromProto(in *pb.Heartbeat, now time.Time) (Heartbeat, error) {
	if in == nil {
		return Heartbeat{}, fieldErr("heartbeat", "missing")
	}
	h := Heartbeat{
		Time: fromNanos(in.TimeUnixNano), Received: in.Received, Lost: in.Lost,
		Dropped: in.Dropped, Attached: in.Attached, Error: in.Error,
	}
	if err := checkTime("heartbeat.time", h.Time, false, now); err != nil {
		return Heartbeat{}, err
	}
	if len(h.Error) > MaxErrorLen {
		// Truncate rather than refuse: the error text is exactly what an
		// operator needs to see when a sensor is failing.
		h.Error = clean(h.Error[:MaxErrorLen])
	}
	return h, nil
}
