package sensor

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unsafe"
)

// TestLayout checks the decoder's hand-written offsets against the structs
// bpf2go generated from bpf/common.h, so a change on one side fails here.
func TestLayout(t *testing.T) {
	var h sensorEventHdr
	var ex sensorExecEvent
	var c sensorConnectEvent
	var d sensorDnsEvent
	var o sensorOpenEvent
	var x sensorExitEvent
	checks := []struct {
		name      string
		got, want uintptr
	}{
		{"hdr size", unsafe.Sizeof(h), hdrLen},
		{"hdr.flags", unsafe.Offsetof(h.Flags), hdrFlagsOff},
		{"hdr.pid", unsafe.Offsetof(h.Pid), hdrPIDOff},
		{"hdr.ns_pid", unsafe.Offsetof(h.NsPid), hdrNsPIDOff},
		{"hdr.ppid", unsafe.Offsetof(h.Ppid), hdrPPIDOff},
		{"hdr.uid", unsafe.Offsetof(h.Uid), hdrUIDOff},
		{"hdr.egid", unsafe.Offsetof(h.Egid), hdrUIDOff + 12},
		{"hdr.ktime", unsafe.Offsetof(h.KtimeNs), hdrKtimeOff},
		{"hdr.start", unsafe.Offsetof(h.StartBootNs), hdrStartOff},
		{"hdr.cgroup", unsafe.Offsetof(h.CgroupId), hdrCgroupOff},
		{"hdr.comm", unsafe.Offsetof(h.Comm), hdrCommOff},
		{"exec.filename_len", unsafe.Offsetof(ex.FilenameLen), execFilenameLenOff},
		{"exec.args_len", unsafe.Offsetof(ex.ArgsLen), execArgsLenOff},
		{"exec.cwd_len", unsafe.Offsetof(ex.CwdLen), execCwdLenOff},
		{"exec.filename", unsafe.Offsetof(ex.Filename), execFilenameOff},
		{"exec.args", unsafe.Offsetof(ex.Args), execArgsOff},
		{"exec.cwd", unsafe.Offsetof(ex.Cwd), execCwdOff},
		{"exec.cwd size", unsafe.Sizeof(ex.Cwd), execCwdMax},
		{"exit.code", unsafe.Offsetof(x.ExitCode), exitCodeOff},
		{"connect.result", unsafe.Offsetof(c.Result), connResultOff},
		{"connect.family", unsafe.Offsetof(c.Family), connFamilyOff},
		{"connect.port", unsafe.Offsetof(c.Port), connPortOff},
		{"connect.protocol", unsafe.Offsetof(c.Protocol), connProtoOff},
		{"connect.addrlen", unsafe.Offsetof(c.Addrlen), connAddrLenOff},
		{"connect.addr", unsafe.Offsetof(c.Addr), connAddrOff},
		{"connect.unix_path", unsafe.Offsetof(c.UnixPath), connUnixPathOff},
		{"connect size", unsafe.Sizeof(c), connLen},
		{"dns.family", unsafe.Offsetof(d.Family), dnsFamilyOff},
		{"dns.port", unsafe.Offsetof(d.Port), dnsPortOff},
		{"dns.addr", unsafe.Offsetof(d.Addr), dnsAddrOff},
		{"dns.captured", unsafe.Offsetof(d.Captured), dnsCapturedOff},
		{"dns.payload", unsafe.Offsetof(d.Payload), dnsPayloadOff},
		{"dns.payload size", unsafe.Sizeof(d.Payload), dnsPayloadMax},
		{"open.result", unsafe.Offsetof(o.Result), openResultOff},
		{"open.flags", unsafe.Offsetof(o.Flags), openFlagsOff},
		{"open.mode", unsafe.Offsetof(o.Mode), openModeOff},
		{"open.path", unsafe.Offsetof(o.Path), openPathOff},
		{"open.path size", unsafe.Sizeof(o.Path), openPathMax},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: generated struct says %d, decoder uses %d", c.name, c.got, c.want)
		}
	}
}

// encode serializes a generated record struct as the kernel writes it.
func encode(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, v); err != nil {
		t.Fatalf("encoding %T: %v", v, err)
	}
	return buf.Bytes()
}

// cbytes copies s into a C char array.
func cbytes[T ~int8 | ~uint8](dst []T, s string) int {
	n := copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)), s)
	return n
}
