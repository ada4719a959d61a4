package detect

import (
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/finding"
)

func TestDockerSocketAccessed(t *testing.T) {
	unix := func(p string, result int32) event.Connect {
		return event.Connect{Family: "AF_UNIX", SocketPath: p, Result: result}
	}
	cases := []struct {
		name string
		ev   *event.Event
		want string // socket path reported; "" = no observation
	}{
		{"var run", connectEvent(ctr(), unix("/var/run/docker.sock", 0)), "/var/run/docker.sock"},
		{"run", connectEvent(ctr(), unix("/run/docker.sock", 0)), "/run/docker.sock"},
		{"mounted elsewhere", connectEvent(ctr(), unix("/host/var/run/docker.sock", 0)), "/host/var/run/docker.sock"},
		{"unclean path", connectEvent(ctr(), unix("/var//run/./docker.sock", 0)), "/var/run/docker.sock"},
		{"relative to cwd", connectEvent(ctr(), unix("docker.sock", 0)), "/app/docker.sock"},
		{"host process", connectEvent(nil, unix("/var/run/docker.sock", 0)), ""},
		{"refused", connectEvent(ctr(), unix("/var/run/docker.sock", -111)), ""},
		{"missing socket", connectEvent(ctr(), unix("/var/run/docker.sock", -2)), ""},
		{"other socket", connectEvent(ctr(), unix("/run/containerd/containerd.sock", 0)), ""},
		{"similar name", connectEvent(ctr(), unix("/tmp/mydocker.sock", 0)), ""},
		{"docker.sock directory", connectEvent(ctr(), unix("/var/run/docker.sock/x", 0)), ""},
		{"abstract", connectEvent(ctr(), unix("@/var/run/docker.sock", 0)), ""},
		{"inet", connectEvent(ctr(), event.Connect{Family: "AF_INET", SocketPath: "/var/run/docker.sock"}), ""},
		{"open, not connect", &event.Event{Kind: event.KindOpen, Container: ctr(),
			Open: &event.Open{Path: "/var/run/docker.sock"}}, ""},
		{"connect without payload", &event.Event{Kind: event.KindConnect, Container: ctr()}, ""},
		{"nil event", nil, ""},
	}
	d := dockerSocketAccessed{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := d.Evaluate(c.ev, &State{})
			if c.want == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected observation %+v", got)
				}
				return
			}
			want := []finding.Observation{{
				Type: "PrivilegeEscalation:Runtime/DockerSocketAccessed", Time: t0,
				Key: c.want, Event: c.ev, Context: &finding.RuntimeContext{SocketPath: c.want},
			}}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}
