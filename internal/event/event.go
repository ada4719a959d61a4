// Package event is the runtime event model shared by the agent and the server.
//
// An Event is what the sensor saw in the kernel, enriched by the agent with the
// process identity (UUID, lineage, executable hash) and the container it ran in.
// It is deliberately independent of the wire format (see internal/wire) and of
// any finding shape (see internal/finding): it imports no other vigil package.
package event

import (
	"net/netip"
	"time"
)

// Kind says which kernel activity an Event records.
type Kind uint8

// The event kinds. Values are stable: they travel on the wire.
const (
	KindUnknown Kind = iota
	KindExec         // a successful execve/execveat: a process image was replaced
	KindFork         // a new process (thread group leader) was created
	KindExit         // a process (thread group) exited
	KindConnect      // connect(2) on an inet or unix socket, with its result
	KindDNS          // a DNS query sent over UDP (sendto/sendmsg/write on a UDP socket)
	KindOpen         // open/openat/openat2 of a file, with its flags and result
)

var kindNames = [...]string{"unknown", "exec", "fork", "exit", "connect", "dns", "open"}

// String returns the lower-case name of the kind ("exec", "connect", …).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind is the inverse of Kind.String. It returns KindUnknown and false for
// an unknown name.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s && i != 0 {
			return Kind(i), true
		}
	}
	return KindUnknown, false
}

// Event is one observed runtime activity. Exactly one of the kind-specific
// members (Exec, Connect, DNS, Open, Exit) is set, matching Kind; KindFork
// carries only Process (the child) and its ParentUUID/PPID.
type Event struct {
	Kind Kind
	// Time is when the kernel saw the activity (wall clock, UTC).
	Time time.Time
	// Process is the acting process. For KindExec it is the process after
	// the exec (new image); for KindFork it is the child.
	Process Process
	// Lineage lists the ancestors of Process, parent first, as far as the
	// agent's process table knows them (at most MaxLineage entries).
	Lineage []Process
	// Container is where the process runs; nil means the host itself.
	Container *Container

	Connect *Connect
	DNS     *DNS
	Open    *Open
	Exit    *Exit
}

// MaxLineage bounds Event.Lineage: deep chains add bytes, not insight.
const MaxLineage = 16

// Process is the identity and credentials of one process (thread group).
// The field set follows GuardDuty's ProcessDetails.
type Process struct {
	// UUID is a stable identifier of this process instance, derived by the
	// agent from the host boot id, PID and start time, so that a reused PID
	// never shares a UUID.
	UUID       string
	ParentUUID string

	PID          uint32 // thread group id in the host (initial) PID namespace
	NamespacePID uint32 // the same process's PID in its own PID namespace
	PPID         uint32 // host PID of the parent

	// Name is the kernel's comm (at most 15 bytes) or the executable's
	// base name when known.
	Name             string
	ExecutablePath   string
	ExecutableSHA256 string // lower-case hex; empty when not (yet) hashed
	Args             []string
	Cwd              string

	UID, GID, EUID, EGID uint32
	User                 string // user name of UID as seen by the agent, if known

	StartTime time.Time
	// CgroupID is the cgroup v2 id (inode of the cgroup directory in the
	// unified hierarchy) the process belonged to when the event was seen.
	CgroupID uint64
}

// Container describes the container a process runs in. The fields follow
// GuardDuty's Container object plus orchestration metadata the agent found.
type Container struct {
	ID      string // runtime id, e.g. 64 hex chars for docker/containerd
	Runtime string // "docker", "containerd", "cri-o", "podman", "runc", "ecs"
	Name    string
	Image   string
	ImageID string

	// Kubernetes metadata, when the container belongs to a pod.
	PodName      string
	PodUID       string
	PodNamespace string

	// ECS metadata, when the container belongs to an ECS task.
	ECS *ECSTask
}

// ECSTask is the ECS task a container belongs to, as the task metadata
// endpoint (v4) describes it.
type ECSTask struct {
	ClusterARN  string
	TaskARN     string
	Family      string
	Revision    string
	LaunchType  string // "FARGATE" or "EC2"
	CreatedAt   time.Time
	StartedAt   time.Time
	StartedBy   string
	ServiceName string
}

// Connect records a connect(2) call.
type Connect struct {
	// Family is "AF_INET", "AF_INET6" or "AF_UNIX".
	Family string
	// Protocol is "TCP" or "UDP" for inet sockets, "" for unix sockets.
	Protocol string
	// Remote is the destination address for inet sockets.
	Remote     netip.Addr
	RemotePort uint16
	// SocketPath is the unix socket path (abstract sockets start with "@").
	SocketPath string
	// Result is the syscall's return value: 0 on success, -errno on
	// failure (-EINPROGRESS for a non-blocking connect under way).
	Result int32
}

// DNS records one DNS question sent by a process.
type DNS struct {
	Name       string // the queried name, without a trailing dot, lower-case
	QType      uint16 // the question type (1=A, 28=AAAA, …)
	Remote     netip.Addr
	RemotePort uint16
	Protocol   string // "UDP"
}

// Open records an open/openat/openat2 call.
type Open struct {
	Path   string // as passed by the process (may be relative to Cwd or dirfd)
	Flags  uint32 // O_* flags as passed
	Mode   uint32
	Result int32 // fd on success, -errno on failure
}

// Exit records a process exit.
type Exit struct {
	Code int32 // exit status as in wait(2): (code<<8)|signal
}
