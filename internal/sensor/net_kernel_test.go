package sensor

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vigilsec/vigil/internal/event"
)

// connectEvent waits for our own connect to the given port or unix path.
func connectEvent(t *testing.T, c *collector, port uint16, path string) *event.Connect {
	t.Helper()
	ev := c.mustFind(t, "connect", func(e event.Event) bool {
		return e.Kind == event.KindConnect && e.Process.PID == uint32(os.Getpid()) &&
			(path == "" && e.Connect.RemotePort == port || path != "" && e.Connect.SocketPath == path)
	})
	return ev.Connect
}

// dial makes a blocking socket and connects it, so the result is final
// (Go's net package connects non-blocking and would see -EINPROGRESS).
func dial(t *testing.T, domain, typ int, sa unix.Sockaddr) (int, error) {
	t.Helper()
	fd, err := unix.Socket(domain, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd, unix.Connect(fd, sa)
}

// TestConnectKernel connects to TCP listeners on 127.0.0.1 and ::1, over UDP,
// and to an existing, a missing and an abstract unix socket.
func TestConnectKernel(t *testing.T) {
	c := startSensor(t, Config{})
	for _, tc := range []struct {
		network, addr string
		domain        int
	}{{"tcp4", "127.0.0.1:0", unix.AF_INET}, {"tcp6", "[::1]:0", unix.AF_INET6}} {
		ln, err := net.Listen(tc.network, tc.addr)
		if err != nil {
			t.Fatalf("listen %s: %v", tc.addr, err)
		}
		defer ln.Close()
		ap := ln.Addr().(*net.TCPAddr).AddrPort()
		var sa unix.Sockaddr = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: [4]byte{127, 0, 0, 1}}
		if tc.domain == unix.AF_INET6 {
			sa = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: netip.IPv6Loopback().As16()}
		}
		if _, err := dial(t, tc.domain, unix.SOCK_STREAM, sa); err != nil {
			t.Fatalf("connect %v: %v", ap, err)
		}
		got := connectEvent(t, c, ap.Port(), "")
		want := event.Connect{Family: map[int]string{unix.AF_INET: "AF_INET", unix.AF_INET6: "AF_INET6"}[tc.domain],
			Protocol: "TCP", Remote: ap.Addr().Unmap(), RemotePort: ap.Port()}
		if *got != want {
			t.Errorf("%s connect = %+v, want %+v", tc.network, *got, want)
		}
	}

	udpPort := uint16(freeUDPPort(t))
	if _, err := dial(t, unix.AF_INET, unix.SOCK_DGRAM, &unix.SockaddrInet4{Port: int(udpPort), Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("udp connect: %v", err)
	}
	if got := connectEvent(t, c, udpPort, ""); got.Protocol != "UDP" || got.Result != 0 {
		t.Errorf("udp connect = %+v, want protocol UDP, result 0", *got)
	}

	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatalf("listen unix: %v", err)
	}
	defer ln.Close()
	abstract, err := net.Listen("unix", "@vigil-sensor-test-"+filepath.Base(dir))
	if err != nil {
		t.Fatalf("listen abstract: %v", err)
	}
	defer abstract.Close()
	missing := filepath.Join(dir, "missing.sock")
	for _, tc := range []struct {
		path   string
		result int32
	}{{sock, 0}, {missing, -int32(unix.ENOENT)}, {abstract.Addr().String(), 0}} {
		_, _ = dial(t, unix.AF_UNIX, unix.SOCK_STREAM, &unix.SockaddrUnix{Name: tc.path})
		got := connectEvent(t, c, 0, tc.path)
		want := event.Connect{Family: "AF_UNIX", SocketPath: tc.path, Result: tc.result}
		if *got != want {
			t.Errorf("unix connect = %+v, want %+v", *got, want)
		}
	}
}

// freeUDPPort returns a UDP port on 127.0.0.1 bound by a socket kept open
// for the test, so datagrams to it are accepted (and ignored).
func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen udp: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().(*net.UDPAddr).Port
}
