package sensor

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

var testBoot = BootClock{Boot: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}

func testHdr(kind event.Kind) sensorEventHdr {
	h := sensorEventHdr{
		Kind: uint8(kind), Pid: 4242, Tid: 4243, NsPid: 7, Ppid: 4000,
		Uid: 1000, Gid: 1001, Euid: 0, Egid: 1003,
		KtimeNs: 5e9, StartBootNs: 3e9, CgroupId: 9876,
	}
	cbytes(h.Comm[:], "curl")
	return h
}

func testProcess() event.Process {
	return event.Process{
		PID: 4242, NamespacePID: 7, PPID: 4000, Name: "curl",
		UID: 1000, GID: 1001, EUID: 0, EGID: 1003,
		StartTime: testBoot.Boot.Add(3 * time.Second), CgroupID: 9876,
	}
}

func execRecord(t testing.TB, filename, args, cwd string, flags uint8) []byte {
	e := sensorExecEvent{Hdr: testHdr(event.KindExec)}
	e.Hdr.Flags = flags
	e.FilenameLen = uint16(cbytes(e.Filename[:], filename+"\x00"))
	e.ArgsLen = uint16(cbytes(e.Args[:], args))
	e.CwdLen = uint16(cbytes(e.Cwd[:], cwd))
	return encode(t, e)
}

func connectRecord(t testing.TB, family uint16, proto uint8, addr []byte, port uint16, path string, addrlen uint16, result int32) []byte {
	c := sensorConnectEvent{Hdr: testHdr(event.KindConnect), Family: family, Protocol: proto, Port: port, Addrlen: addrlen, Result: result}
	copy(c.Addr[:], addr)
	cbytes(c.UnixPath[:], path)
	return encode(t, c)
}

func dnsRecord(t testing.TB, payload []byte) []byte {
	d := sensorDnsEvent{Hdr: testHdr(event.KindDNS), Family: afInet, Port: 5353, PayloadLen: uint32(len(payload)), Protocol: 17}
	copy(d.Addr[:], []byte{10, 0, 0, 53})
	d.Captured = uint16(copy(d.Payload[:], payload))
	return encode(t, d)
}

func openRecord(t testing.TB, path string, flags, mode uint32, result int32) []byte {
	o := sensorOpenEvent{Hdr: testHdr(event.KindOpen), Flags: flags, Mode: mode, Result: result}
	cbytes(o.Path[:], path)
	return encode(t, o)
}

func TestDecode(t *testing.T) {
	withExec := func(path string, args []string, cwd string) event.Process {
		p := testProcess()
		p.ExecutablePath, p.Args, p.Cwd = path, args, cwd
		return p
	}
	exitRec := encode(t, sensorExitEvent{Hdr: testHdr(event.KindExit), ExitCode: 3 << 8})
	tests := []struct {
		name string
		raw  []byte
		want event.Event
	}{
		{"exec", execRecord(t, "/usr/bin/curl", "curl\x00-s\x00http://x y\x00", "tmp\x00work\x00home\x00", 0),
			event.Event{Kind: event.KindExec, Process: withExec("/usr/bin/curl", []string{"curl", "-s", "http://x y"}, "/home/work/tmp")}},
		{"exec at root, no args", execRecord(t, "/init", "", "", 0),
			event.Event{Kind: event.KindExec, Process: withExec("/init", nil, "/")}},
		{"exec truncated", execRecord(t, "/bin/x", "x\x00very-lo", "c\x00b\x00", flagArgsTruncated|flagCwdTruncated),
			event.Event{Kind: event.KindExec, Process: withExec("/bin/x", []string{"x", "very-lo"}, ".../b/c")}},
		{"fork", encode(t, sensorExitEvent{Hdr: testHdr(event.KindFork)}),
			event.Event{Kind: event.KindFork, Process: testProcess()}},
		{"exit", exitRec,
			event.Event{Kind: event.KindExit, Process: testProcess(), Exit: &event.Exit{Code: 768}}},
		{"connect tcp4", connectRecord(t, afInet, 6, []byte{127, 0, 0, 1}, 8080, "", 16, 0),
			event.Event{Kind: event.KindConnect, Process: testProcess(), Connect: &event.Connect{
				Family: "AF_INET", Protocol: "TCP", Remote: netip.MustParseAddr("127.0.0.1"), RemotePort: 8080}}},
		{"connect udp6", connectRecord(t, afInet6, 17, netip.MustParseAddr("2001:db8::1").AsSlice(), 53, "", 28, -101),
			event.Event{Kind: event.KindConnect, Process: testProcess(), Connect: &event.Connect{
				Family: "AF_INET6", Protocol: "UDP", Remote: netip.MustParseAddr("2001:db8::1"), RemotePort: 53, Result: -101}}},
		{"connect unix path", connectRecord(t, afUnix, 0, nil, 0, "/var/run/docker.sock", 2+21, -2),
			event.Event{Kind: event.KindConnect, Process: testProcess(), Connect: &event.Connect{
				Family: "AF_UNIX", SocketPath: "/var/run/docker.sock", Result: -2}}},
		{"connect unix abstract", connectRecord(t, afUnix, 0, nil, 0, "\x00dbus-x", 2+7, 0),
			event.Event{Kind: event.KindConnect, Process: testProcess(), Connect: &event.Connect{
				Family: "AF_UNIX", SocketPath: "@dbus-x"}}},
		{"dns", dnsRecord(t, dnsQuery(t, "Example.COM.", 28)),
			event.Event{Kind: event.KindDNS, Process: testProcess(), DNS: &event.DNS{
				Name: "example.com", QType: 28, Remote: netip.MustParseAddr("10.0.0.53"), RemotePort: 5353, Protocol: "UDP"}}},
		{"open", openRecord(t, "/etc/shadow", 0o1101, 0o640, 3),
			event.Event{Kind: event.KindOpen, Process: testProcess(), Open: &event.Open{
				Path: "/etc/shadow", Flags: 0o1101, Mode: 0o640, Result: 3}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Time = testBoot.Boot.Add(5 * time.Second)
			got, err := Decode(tc.raw, testBoot)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Decode:\n got %+v\nwant %+v", got, tc.want)
				t.Errorf("process:\n got %+v\nwant %+v", got.Process, tc.want.Process)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	exec := execRecord(t, "/bin/x", "x\x00", "", 0)
	badKind := encode(t, sensorExitEvent{Hdr: testHdr(event.KindFork)})
	badKind[0] = 99
	tests := []struct {
		name string
		raw  []byte
		is   error
	}{
		{"empty", nil, ErrShortRecord},
		{"short header", make([]byte, hdrLen-1), ErrShortRecord},
		{"exec cut in args", exec[:execArgsOff+1], ErrShortRecord},
		{"exit without code", encode(t, sensorExitEvent{Hdr: testHdr(event.KindExit)})[:hdrLen+2], ErrShortRecord},
		{"connect cut", connectRecord(t, afInet, 6, nil, 1, "", 16, 0)[:connLen-1], ErrShortRecord},
		{"unknown kind", badKind, nil},
		{"connect bad family", connectRecord(t, 16, 0, nil, 0, "", 12, 0), nil},
		{"dns response", dnsRecord(t, append([]byte{0, 1, 0x81, 0x80}, make([]byte, 20)...)), ErrNotDNS},
		{"open cut", openRecord(t, "/x", 1, 0, 0)[:openPathOff-1], ErrShortRecord},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.raw, testBoot)
			if err == nil {
				t.Fatal("Decode succeeded, want an error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v, want one wrapping %v", err, tc.is)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	t := f
	f.Add(execRecord(t, "/bin/sh", "sh\x00-c\x00", "a\x00", 0))
	f.Add(connectRecord(t, afUnix, 0, nil, 0, "\x00abs", 6, 0))
	f.Add(dnsRecord(t, dnsQuery(t, "a.b", 1)))
	f.Add(openRecord(t, "/etc/passwd", 0, 0, 3))
	f.Add(encode(t, sensorExitEvent{Hdr: testHdr(event.KindExit)}))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ev, err := Decode(raw, testBoot)
		if err == nil && ev.Kind == event.KindUnknown {
			t.Fatalf("decoded an unknown kind without error")
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	t := b
	recs := [][]byte{
		execRecord(t, "/usr/bin/curl", "curl\x00-s\x00http://example.com\x00", "tmp\x00root\x00", 0),
		connectRecord(t, afInet, 6, []byte{10, 1, 2, 3}, 443, "", 16, 0),
		dnsRecord(t, dnsQuery(t, "www.example.com", 1)),
		openRecord(t, "/var/run/docker.sock", 2, 0, 5),
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(recs[i%len(recs)], testBoot); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
