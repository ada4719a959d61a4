package detect

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/threatlist"
)

var t0 = time.Date(2026, 6, 1, 10, 15, 2, 0, time.UTC)

func proc() event.Process {
	return event.Process{UUID: "u-1", ParentUUID: "u-0", PID: 4242, NamespacePID: 7, Name: "curl",
		ExecutablePath: "/usr/bin/curl", Cwd: "/app", User: "root"}
}

func ctr() *event.Container {
	return &event.Container{ID: "c0ffee", Runtime: "runc", Name: "web", Image: "busybox"}
}

func connectEvent(c *event.Container, conn event.Connect) *event.Event {
	return &event.Event{Kind: event.KindConnect, Time: t0, Process: proc(), Container: c, Connect: &conn}
}

func dnsEvent(c *event.Container, name string) *event.Event {
	return &event.Event{Kind: event.KindDNS, Time: t0, Process: proc(), Container: c,
		DNS: &event.DNS{Name: name, QType: 1, Remote: netip.MustParseAddr("10.0.0.2"), RemotePort: 53, Protocol: "UDP"}}
}

func testThreats(t testing.TB) *threatlist.Set {
	t.Helper()
	c2, err := threatlist.Parse("corp-c2", strings.NewReader("198.51.100.7\n203.0.113.0/24\n2001:db8:bad::/48\nguarddutyc2activityb.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := threatlist.Parse("other", strings.NewReader("192.0.2.1\nevil.example\n"))
	if err != nil {
		t.Fatal(err)
	}
	return threatlist.NewSet(c2, other)
}
