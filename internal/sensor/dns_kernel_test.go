package sensor

import (
	"net/netip"
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/vigilsec/vigil/internal/event"
)

// dnsEvent waits for our own DNS query for name.
func dnsEvent(t *testing.T, c *collector, name string, qtype uint16) *event.DNS {
	t.Helper()
	ev := c.mustFind(t, "dns query "+name, func(e event.Event) bool {
		return e.Kind == event.KindDNS && e.Process.PID == uint32(os.Getpid()) &&
			e.DNS.Name == name && e.DNS.QType == qtype
	})
	return ev.DNS
}

// sendmmsg sends msgs in one sendmmsg(2) call on a connected socket, as
// glibc's resolver does for its A and AAAA queries.
func sendmmsg(t *testing.T, fd int, msgs ...[]byte) {
	t.Helper()
	hdrs := make([]unix.Mmsghdr, len(msgs))
	iovs := make([]unix.Iovec, len(msgs))
	for i, m := range msgs {
		iovs[i].Base = &m[0]
		iovs[i].SetLen(len(m))
		hdrs[i].Hdr.Iov = &iovs[i]
		hdrs[i].Hdr.SetIovlen(1)
	}
	n, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), 0, 0, 0)
	if errno != 0 || int(n) != len(msgs) {
		t.Fatalf("sendmmsg: sent %d of %d: %v", n, len(msgs), errno)
	}
}

// TestDNSKernel sends queries to a local UDP port (not 53: any port counts)
// with sendto, connect+sendmmsg, sendmsg and write, and checks name, type
// and destination. A non-DNS datagram must not be reported.
func TestDNSKernel(t *testing.T) {
	c := startSensor(t, Config{})
	port := freeUDPPort(t)
	dst := &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	want := func(name string, qtype uint16) event.DNS {
		return event.DNS{Name: name, QType: qtype, Remote: netip.MustParseAddr("127.0.0.1"), RemotePort: uint16(port), Protocol: "UDP"}
	}

	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, []byte("not dns, just a datagram"), 0, dst); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	if err := unix.Sendto(fd, dnsQuery(t, "SendTo.Vigil.Test", 1), 0, dst); err != nil {
		t.Fatalf("sendto: %v", err)
	}
	if got := dnsEvent(t, c, "sendto.vigil.test", 1); *got != want("sendto.vigil.test", 1) {
		t.Errorf("sendto query = %+v, want %+v", *got, want("sendto.vigil.test", 1))
	}

	cfd, err := dial(t, unix.AF_INET, unix.SOCK_DGRAM, dst)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	sendmmsg(t, cfd, dnsQuery(t, "mmsg.vigil.test", 1), dnsQuery(t, "mmsg.vigil.test", 28))
	for _, qt := range []uint16{1, 28} {
		if got := dnsEvent(t, c, "mmsg.vigil.test", qt); *got != want("mmsg.vigil.test", qt) {
			t.Errorf("sendmmsg query = %+v, want %+v", *got, want("mmsg.vigil.test", qt))
		}
	}
	if _, err := unix.SendmsgN(cfd, dnsQuery(t, "msg.vigil.test", 16), nil, nil, 0); err != nil {
		t.Fatalf("sendmsg: %v", err)
	}
	if got := dnsEvent(t, c, "msg.vigil.test", 16); *got != want("msg.vigil.test", 16) {
		t.Errorf("sendmsg query = %+v, want %+v", *got, want("msg.vigil.test", 16))
	}
	if _, err := unix.Write(cfd, dnsQuery(t, "write.vigil.test", 15)); err != nil {
		t.Fatalf("write: %v", err)
	}
	if got := dnsEvent(t, c, "write.vigil.test", 15); *got != want("write.vigil.test", 15) {
		t.Errorf("write query = %+v, want %+v", *got, want("write.vigil.test", 15))
	}
	// The junk datagram passes the kernel's cheap header test ("dn" reads
	// as QDCOUNT>0) but ParseDNSQuery refuses it: that is a filter miss,
	// neither an event nor a decode error.
	if c.seen(func(e event.Event) bool { return e.Kind == event.KindDNS && e.DNS.Name == "" }) {
		t.Error("a non-DNS datagram was reported")
	}
	if st := c.s.Stats(); st.DecodeErrors != 0 {
		t.Errorf("decode errors: %d", st.DecodeErrors)
	}
}
