package wire

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/event"
	"google.golang.org/protobuf/proto"
)

func TestText(t *testing.T) {
	cases := []struct {
		name, in string
		max      int
		want     string
	}{
		{"fits", "/usr/bin/curl", 64, "/usr/bin/curl"},
		{"exactly max", "abcd", 4, "abcd"},
		{"cut", "abcdef", 4, "abcd"},
		{"invalid bytes", "a\xffb\xfe\xfdc", 64, "a\uFFFDb\uFFFDc"},
		{"cut before a split character", "ab€", 4, "ab"}, // € is 3 bytes
		{"replacement then cut", "\xff\xff\xffabc", 4, "\uFFFDa"},
		{"empty", "", 4, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := text(c.in, c.max); got != c.want {
				t.Fatalf("text(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
			}
		})
	}
}

func TestToken(t *testing.T) {
	for in, want := range map[string]string{
		"0123abc":                "0123abc",
		"a b\tc\x00d\xffe":       "a_b_c_d_e",
		strings.Repeat("x", 200): strings.Repeat("x", MaxIDLen),
	} {
		if got := token(in, MaxIDLen); got != want {
			t.Errorf("token(%q) = %q, want %q", in, got, want)
		}
	}
	if got := arn("not-an-arn"); got != "" {
		t.Errorf("arn(not-an-arn) = %q, want empty", got)
	}
}

func TestArgv(t *testing.T) {
	long := strings.Repeat("x", MaxArgLen+1000)
	got := argv([]string{"bash", "-c", long, "\xff"})
	want := []string{"bash", "-c", long[:MaxArgLen], "\uFFFD"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("argv kept %d entries of %v bytes", len(got), lens(got))
	}
	many := make([]string, MaxArgs+10)
	for i := range many {
		many[i] = "a"
	}
	if got := argv(many); len(got) != MaxArgs {
		t.Fatalf("argv kept %d of %d entries, want %d", len(got), len(many), MaxArgs)
	}
	// Sixteen full-length arguments: 64 KiB, twice what a process may carry.
	big := make([]string, 16)
	for i := range big {
		big[i] = long
	}
	got = argv(big)
	total := 0
	for _, a := range got {
		total += len(a)
	}
	if total != MaxArgsBytes || len(got) != MaxArgsBytes/MaxArgLen {
		t.Fatalf("argv kept %d entries, %d bytes; want %d bytes", len(got), total, MaxArgsBytes)
	}
	if argv(nil) != nil {
		t.Fatal("argv(nil) is not nil")
	}
}

func lens(ss []string) []int {
	out := make([]int, len(ss))
	for i, s := range ss {
		out[i] = len(s)
	}
	return out
}

// hostile is what a Linux host can really produce, and an attacker can
// produce on purpose: every free-form field over its bound or not UTF-8.
func hostile() event.Event {
	huge := func(n int) string { return strings.Repeat("é", n/2+1) + "\xff" }
	p := proc(100)
	p.Name, p.ExecutablePath, p.Cwd, p.User = "\xffevil", "/tmp/\xfe"+huge(MaxPathLen), huge(MaxPathLen), huge(MaxNameLen)
	p.Args = []string{"bash", "-c", huge(MaxArgLen), "\xff\xfe"}
	p.StartTime = time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC)
	lineage := make([]event.Process, event.MaxLineage+3)
	for i := range lineage {
		lineage[i] = proc(uint32(99 - i))
		lineage[i].Args = []string{"runner", huge(5000), "\xff"}
	}
	c := container()
	c.ID, c.Name, c.Image, c.PodUID = "id with spaces\xff", huge(MaxNameLen), huge(MaxImageLen), "pod uid"
	c.ECS.ClusterARN, c.ECS.TaskARN, c.ECS.Family = "cluster", "arn:aws:ecs:task/a b", huge(MaxNameLen)
	return event.Event{Kind: event.KindConnect, Time: t0, Process: p, Lineage: lineage, Container: c,
		Connect: &event.Connect{Family: "AF_UNIX", SocketPath: "/run/\xff" + huge(MaxPathLen)}}
}

// TestToProtoFitsHostileEvents: an event with over-long and non-UTF-8
// fields (here, and in its ancestors) is sent cut to the bounds, not
// refused; before, one long argument of a CI runner's shell made every event
// of its descendants invalid, and the agent dropped them.
func TestToProtoFitsHostileEvents(t *testing.T) {
	pe := ToProto(hostile())
	if _, err := proto.Marshal(pe); err != nil {
		t.Fatalf("marshal: %v", err)
	}
	ev, err := FromProto(pe)
	if err != nil {
		t.Fatalf("the server refuses the fitted event: %v", err)
	}
	if len(ev.Lineage) != event.MaxLineage {
		t.Errorf("lineage %d entries, want %d", len(ev.Lineage), event.MaxLineage)
	}
	if a := ev.Lineage[0].Args; len(a) != 3 || len(a[1]) > MaxArgLen || !strings.HasPrefix(a[1], "éé") || a[2] != "\uFFFD" {
		t.Errorf("ancestor args %v bytes", lens(a))
	}
	if ev.Process.Name != "\uFFFDevil" || !ev.Process.StartTime.IsZero() {
		t.Errorf("process name %q start %v", ev.Process.Name, ev.Process.StartTime)
	}
	if ev.Container.ID != "id_with_spaces_" || ev.Container.PodUID != "pod_uid" ||
		ev.Container.ECS.ClusterARN != "" || ev.Container.ECS.TaskARN != "arn:aws:ecs:task/a_b" {
		t.Errorf("container %+v ecs %+v", ev.Container, ev.Container.ECS)
	}
	if p := ev.Connect.SocketPath; len(p) > MaxPathLen || !strings.HasPrefix(p, "/run/\uFFFDé") || !utf8.ValidString(p) {
		t.Errorf("socket path %d bytes, prefix %q", len(p), p[:10])
	}
}

// FuzzToProto puts arbitrary text, of any length, into the fields a host
// or an attacker controls: whatever the agent sends, the server accepts.
// (Fields the agent makes itself, such as a non-empty container id, are
// given.)
func FuzzToProto(f *testing.F) {
	f.Add("curl", "/usr/bin/curl", "-s", "/var/run/docker.sock", "example.com", "web", uint16(3))
	f.Add("\xff", "/\xfe", strings.Repeat("a", 5000), "\x00abstract", "", "a b", uint16(300))
	f.Fuzz(func(t *testing.T, name, path, arg, sock, dns, id string, repeat uint16) {
		ev := hostile()
		grow := func(s string) string { return strings.Repeat(s, int(repeat%2048)+1) }
		ev.Process.Name, ev.Process.ExecutablePath, ev.Process.User = name, grow(path), grow(name)
		ev.Process.Args = []string{grow(arg), arg}
		ev.Lineage[3].Cwd, ev.Lineage[3].Args = grow(path), []string{grow(arg)}
		ev.Container.ID, ev.Container.Name, ev.Container.PodNamespace = "c"+grow(id), grow(id), id
		ev.Connect.SocketPath = grow(sock)
		pe := ToProto(ev)
		if _, err := proto.Marshal(pe); err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := FromProto(pe); err != nil {
			t.Fatalf("refused: %v", err)
		}
		d := ev
		d.Kind, d.Connect, d.DNS = event.KindDNS, nil, &event.DNS{Name: "q" + grow(dns), Protocol: "UDP"}
		if _, err := FromProto(ToProto(d)); err != nil {
			t.Fatalf("dns event refused: %v", err)
		}
	})
}
