package wire

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
	"google.golang.org/protobuf/proto"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.UTC)

func proc(pid uint32) event.Process {
	return event.Process{
		UUID: "b1d5c0de-0000-4000-8000-00000000000" + string(rune('0'+pid%10)), ParentUUID: "p-uuid",
		PID: pid, NamespacePID: 7, PPID: pid - 1, Name: "curl",
		ExecutablePath: "/usr/bin/curl", ExecutableSHA256: strings.Repeat("ab", 32),
		Args: []string{"curl", "-s", "http://example.com"}, Cwd: "/root",
		UID: 0, GID: 0, EUID: 1000, EGID: 1000, User: "root",
		StartTime: t0.Add(-time.Minute), CgroupID: 4242,
	}
}

func container() *event.Container {
	return &event.Container{
		ID: strings.Repeat("c", 64), Runtime: "containerd", Name: "web", Image: "nginx:1.27",
		ImageID: "sha256:" + strings.Repeat("d", 64), PodName: "web-0", PodUID: "uid-1", PodNamespace: "prod",
		ECS: &event.ECSTask{
			ClusterARN: "arn:aws:ecs:us-east-1:123456789012:cluster/c", TaskARN: "arn:aws:ecs:us-east-1:123456789012:task/c/1",
			Family: "web", Revision: "3", LaunchType: "EC2", CreatedAt: t0.Add(-time.Hour), StartedAt: t0.Add(-50 * time.Minute),
			StartedBy: "ecs-svc/1", ServiceName: "web",
		},
	}
}

// sampleEvents returns one fully populated valid event per kind.
func sampleEvents() map[string]event.Event {
	base := func(k event.Kind) event.Event {
		return event.Event{Kind: k, Time: t0, Process: proc(100), Lineage: []event.Process{proc(99), proc(1)}, Container: container()}
	}
	evs := map[string]event.Event{}
	evs["exec"] = base(event.KindExec)
	fork := base(event.KindFork)
	fork.Container, fork.Lineage = nil, nil
	evs["fork"] = fork
	exit := base(event.KindExit)
	exit.Exit = &event.Exit{Code: 9}
	evs["exit"] = exit
	c4 := base(event.KindConnect)
	c4.Connect = &event.Connect{Family: "AF_INET", Protocol: "TCP", Remote: netip.MustParseAddr("198.51.100.7"), RemotePort: 4444, Result: -115}
	evs["connect4"] = c4
	c6 := base(event.KindConnect)
	c6.Connect = &event.Connect{Family: "AF_INET6", Protocol: "UDP", Remote: netip.MustParseAddr("::ffff:10.0.0.1"), RemotePort: 53}
	evs["connect6"] = c6
	cu := base(event.KindConnect)
	cu.Connect = &event.Connect{Family: "AF_UNIX", SocketPath: "/var/run/docker.sock"}
	evs["connect_unix"] = cu
	dns := base(event.KindDNS)
	dns.DNS = &event.DNS{Name: "pool.minexmr.com", QType: 28, Remote: netip.MustParseAddr("8.8.8.8"), RemotePort: 53, Protocol: "UDP"}
	evs["dns"] = dns
	open := base(event.KindOpen)
	open.Open = &event.Open{Path: "/etc/shadow", Flags: 0x80000, Mode: 0, Result: 3}
	evs["open"] = open
	return evs
}

func TestRoundTrip(t *testing.T) {
	for name, ev := range sampleEvents() {
		t.Run(name, func(t *testing.T) {
			if err := Validate(ev, time.Now()); err != nil {
				t.Fatalf("sample invalid: %v", err)
			}
			// Through bytes, as on the wire.
			b, err := proto.Marshal(ToProto(ev))
			if err != nil {
				t.Fatal(err)
			}
			var pe pb.Event
			if err := proto.Unmarshal(b, &pe); err != nil {
				t.Fatal(err)
			}
			got, err := FromProto(&pe)
			if err != nil {
				t.Fatalf("FromProto: %v", err)
			}
			if !reflect.DeepEqual(got, ev) {
				t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, ev)
			}
		})
	}
}

func TestToProtoSanitizesInvalidUTF8(t *testing.T) {
	ev := sampleEvents()["exec"]
	ev.Process.Args = []string{"evil\xff\xfename"}
	b, err := proto.Marshal(ToProto(ev))
	if err != nil {
		t.Fatalf("marshal must not fail on invalid UTF-8: %v", err)
	}
	var pe pb.Event
	if err := proto.Unmarshal(b, &pe); err != nil {
		t.Fatal(err)
	}
	got, err := FromProto(&pe)
	if err != nil {
		t.Fatal(err)
	}
	if got.Process.Args[0] != "evil\uFFFDname" {
		t.Fatalf("args[0] = %q", got.Process.Args[0])
	}
}

func TestTimesOutsideInt64NanosAreRejectedNotWrapped(t *testing.T) {
	ev := sampleEvents()["exec"]
	ev.Time = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := FromProto(ToProto(ev)); err == nil || !strings.HasPrefix(err.Error(), "time: ") {
		t.Fatalf("err = %v, want time error", err)
	}
}

func TestEventsFromProtoPaths(t *testing.T) {
	evs := sampleEvents()
	in := []*pb.Event{ToProto(evs["exec"]), ToProto(evs["dns"]), ToProto(evs["open"]), ToProto(evs["connect4"])}
	in[3].GetConnect().Remote = "not-an-ip"
	_, err := EventsFromProto(in, 10)
	if err == nil || err.Error() != `events[3].connect.remote: invalid IP "not-an-ip"` {
		t.Fatalf("err = %v", err)
	}
	if _, err := EventsFromProto(in[:3], 10); err != nil {
		t.Fatal(err)
	}
	if _, err := EventsFromProto(in, 2); err == nil || !strings.HasPrefix(err.Error(), "events: 4 events") {
		t.Fatalf("err = %v", err)
	}
}
