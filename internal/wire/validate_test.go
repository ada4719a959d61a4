package wire

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
)

// TestFromProtoRejects checks that each rule names the field path.
func TestFromProtoRejects(t *testing.T) {
	evs := sampleEvents()
	cases := []struct {
		name, base, want string
		mutate           func(*pb.Event)
	}{
		{"unknown kind", "exec", "kind: unknown kind 99", func(e *pb.Event) { e.Kind = 99 }},
		{"unspecified kind", "exec", "kind: unknown kind 0", func(e *pb.Event) { e.Kind = 0 }},
		{"no time", "exec", "time: missing", func(e *pb.Event) { e.TimeUnixNano = 0 }},
		{"future time", "exec", "time: ", func(e *pb.Event) { e.TimeUnixNano = time.Now().Add(48 * time.Hour).UnixNano() }},
		{"ancient time", "exec", "time: ", func(e *pb.Event) { e.TimeUnixNano = 1 }},
		{"no process", "exec", "process: missing", func(e *pb.Event) { e.Process = nil }},
		{"pid 0", "exec", "process.pid: must not be 0", func(e *pb.Event) { e.Process.Pid = 0 }},
		{"lineage pid 0", "exec", "lineage[1].pid: must not be 0", func(e *pb.Event) { e.Lineage[1].Pid = 0 }},
		{"nil lineage", "exec", "lineage[0]: missing", func(e *pb.Event) { e.Lineage[0] = nil }},
		{"too many ancestors", "exec", "lineage: 17 ancestors", func(e *pb.Event) {
			for len(e.Lineage) <= event.MaxLineage {
				e.Lineage = append(e.Lineage, e.Lineage[0])
			}
		}},
		{"too many args", "exec", "process.args: 257 entries", func(e *pb.Event) { e.Process.Args = make([]string, MaxArgs+1) }},
		{"long arg", "exec", "process.args[1]: 4097 bytes", func(e *pb.Event) { e.Process.Args[1] = strings.Repeat("a", MaxArgLen+1) }},
		{"args total", "exec", "process.args: 36864 bytes in total", func(e *pb.Event) {
			e.Process.Args = make([]string, 9)
			for i := range e.Process.Args {
				e.Process.Args[i] = strings.Repeat("a", 4096)
			}
		}},
		{"long path", "open", "open.path: 4097 bytes", func(e *pb.Event) { e.GetOpen().Path = strings.Repeat("p", MaxPathLen+1) }},
		{"bad sha", "exec", "process.executable_sha256: not lower-case hex", func(e *pb.Event) { e.Process.ExecutableSha256 = strings.Repeat("AB", 32) }},
		{"bad uuid", "exec", "lineage[0].uuid: invalid character ' '", func(e *pb.Event) { e.Lineage[0].Uuid = "a b" }},
		{"empty container id", "exec", "container.id: must not be empty", func(e *pb.Event) { e.Container.Id = "" }},
		{"bad task arn", "exec", "container.ecs.task_arn: not an ARN", func(e *pb.Event) { e.Container.Ecs.TaskArn = "task/1" }},
		{"exec with member", "exec", "open: set on a exec event", func(e *pb.Event) { e.Detail = &pb.Event_Open{Open: &pb.Open{Path: "/x"}} }},
		{"connect without member", "connect4", "connect: missing on a connect event", func(e *pb.Event) { e.Detail = nil }},
		{"connect with wrong member", "connect4", "exit: set on a connect event", func(e *pb.Event) { e.Detail = &pb.Event_Exit{Exit: &pb.Exit{}} }},
		{"nil member", "exit", "exit: missing", func(e *pb.Event) { e.Detail = &pb.Event_Exit{} }},
		{"bad ip", "connect4", `connect.remote: invalid IP "1.2.3"`, func(e *pb.Event) { e.GetConnect().Remote = "1.2.3" }},
		{"v6 on inet", "connect4", `connect.remote: invalid IP "::1": not IPv4`, func(e *pb.Event) { e.GetConnect().Remote = "::1" }},
		{"zone", "connect6", `connect.remote: invalid IP "fe80::1%eth0": zones`, func(e *pb.Event) { e.GetConnect().Remote = "fe80::1%eth0" }},
		{"no remote", "connect4", "connect.remote: missing", func(e *pb.Event) { e.GetConnect().Remote = "" }},
		{"port", "connect4", "connect.remote_port: 70000 out of range", func(e *pb.Event) { e.GetConnect().RemotePort = 70000 }},
		{"family", "connect4", `connect.family: unknown family "AF_PACKET"`, func(e *pb.Event) { e.GetConnect().Family = "AF_PACKET" }},
		{"unix with ip", "connect_unix", "connect.remote: set on an AF_UNIX socket", func(e *pb.Event) { e.GetConnect().Remote = "1.2.3.4" }},
		{"dns empty", "dns", "dns.name: must not be empty", func(e *pb.Event) { e.GetDns().Name = "" }},
		{"dns qtype", "dns", "dns.qtype: 65536 out of range", func(e *pb.Event) { e.GetDns().Qtype = 65536 }},
		{"dns protocol", "dns", `dns.protocol: unknown protocol "QUIC"`, func(e *pb.Event) { e.GetDns().Protocol = "QUIC" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pe := ToProto(evs[c.base])
			c.mutate(pe)
			_, err := FromProto(pe)
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("err = %v, want prefix %q", err, c.want)
			}
		})
	}
}

func TestValidateGoModel(t *testing.T) {
	ev := sampleEvents()["connect4"]
	ev.DNS = &event.DNS{Name: "x", Remote: netip.MustParseAddr("1.1.1.1")}
	if err := Validate(ev, time.Now()); err == nil || err.Error() != "dns: set on a connect event" {
		t.Fatalf("two members: err = %v", err)
	}
	ev = sampleEvents()["exec"]
	ev.Kind = 200
	if err := Validate(ev, time.Now()); err == nil || !strings.HasPrefix(err.Error(), "kind: ") {
		t.Fatalf("kind 200: err = %v", err)
	}
	ev = sampleEvents()["exec"]
	ev.Process.Name = "bad\xff"
	if err := Validate(ev, time.Now()); err == nil || err.Error() != "process.name: invalid UTF-8" {
		t.Fatalf("utf8: err = %v", err)
	}
}

func TestAgentInfo(t *testing.T) {
	a := AgentInfo{
		ID: "i-0abc/host-1", Version: "0.1.0", Hostname: "ip-10-0-0-1", InstanceID: "i-0abc",
		Kind: AgentKindECSTask, ECSClusterARN: "arn:aws:ecs:us-east-1:1:cluster/c", ECSTaskARN: "arn:aws:ecs:us-east-1:1:task/c/1",
		KernelVersion: "6.18.0", Capabilities: []string{"tp_btf", "exec"},
	}
	got, err := AgentInfoFromProto(AgentInfoToProto(a))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.Kind != a.Kind || len(got.Capabilities) != 2 || got.ECSTaskARN != a.ECSTaskARN {
		t.Fatalf("round trip: %+v", got)
	}
	for id, want := range map[string]string{
		"":                       "hello.agent_id: must not be empty",
		"has space":              "hello.agent_id: invalid character ' '",
		strings.Repeat("a", 129): "hello.agent_id: 129 bytes",
	} {
		b := a
		b.ID = id
		if _, err := AgentInfoFromProto(AgentInfoToProto(b)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("id %q: err = %v, want %q", id, err, want)
		}
	}
	b := a
	b.Kind = "laptop"
	if _, err := AgentInfoFromProto(AgentInfoToProto(b)); err == nil || !strings.HasPrefix(err.Error(), "hello.kind: ") {
		t.Errorf("kind: err = %v", err)
	}
}

func TestHeartbeat(t *testing.T) {
	now := time.Now()
	h := Heartbeat{Time: now.UTC().Truncate(time.Second), Received: 10, Lost: 1, Dropped: 2, Attached: true, Error: strings.Repeat("e", 2000)}
	got, err := HeartbeatFromProto(HeartbeatToProto(h), now)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Time.Equal(h.Time) || got.Received != 10 || got.Lost != 1 || got.Dropped != 2 || !got.Attached || len(got.Error) != MaxErrorLen {
		t.Fatalf("got %+v", got)
	}
	h.Time = now.Add(72 * time.Hour)
	if _, err := HeartbeatFromProto(HeartbeatToProto(h), now); err == nil {
		t.Fatal("future heartbeat accepted")
	}
}
