package process

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func statLine(pid int, comm string, ppid int, start uint64) string {
	return fmt.Sprintf("%d (%s) S %d 7629 5776 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 %d 3133440 356 18446744073709551615 0 0 0\n",
		pid, comm, ppid, start)
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, in string
		want     Stat
		wantErr  bool
	}{
		{"plain", statLine(7653, "cat", 7629, 30189), Stat{7653, "cat", 'S', 7629, 30189}, false},
		{"spaces", statLine(1, "tmux: server", 0, 5), Stat{1, "tmux: server", 'S', 0, 5}, false},
		{"parens", statLine(9, "(sd-pam)", 1, 77), Stat{9, "(sd-pam)", 'S', 1, 77}, false},
		{"hostile", statLine(10, "a) S 1 2 (b", 3, 88), Stat{10, "a) S 1 2 (b", 'S', 3, 88}, false},
		{"empty comm", statLine(11, "", 3, 1), Stat{11, "", 'S', 3, 1}, false},
		{"no comm", "12 cat S 1", Stat{}, true},
		{"truncated", "13 (cat) S 1 2 3", Stat{}, true},
		{"bad pid", "x (cat) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20", Stat{}, true},
		{"bad start", strings.Replace(statLine(14, "c", 1, 5), " 5 3133440", " z 3133440", 1), Stat{}, true},
		{"empty", "", Stat{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStat([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

const statusSample = `Name:	sleep
Umask:	0022
State:	S (sleeping)
Tgid:	8101
Ngid:	0
Pid:	8101
PPid:	8079
TracerPid:	0
Uid:	1000	1001	1002	1003
Gid:	2000	2001	2002	2003
FDSize:	64
Groups:	 
NStgid:	8101	1
NSpid:	8101	1
`

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name, in string
		want     Status
		wantErr  bool
	}{
		{"container", statusSample, Status{
			Name: "sleep", Tgid: 8101, PPid: 8079,
			UID: [4]uint32{1000, 1001, 1002, 1003}, GID: [4]uint32{2000, 2001, 2002, 2003},
			NSpid: []uint32{8101, 1},
		}, false},
		{"no nspid", "Name:\tx\nTgid:\t5\nUid:\t0 0 0 0\nGid:\t0 0 0 0\n",
			Status{Name: "x", Tgid: 5}, false},
		{"missing uid", "Name:\tx\nTgid:\t5\nGid:\t0 0 0 0\n", Status{}, true},
		{"short uid", "Name:\tx\nTgid:\t5\nUid:\t0 0\nGid:\t0 0 0 0\n", Status{}, true},
		{"bad tgid", "Name:\tx\nTgid:\t-5\nUid:\t0 0 0 0\nGid:\t0 0 0 0\n", Status{}, true},
		{"empty", "", Status{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStatus([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseCmdline(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\x00", nil},
		{"sh\x00-c\x00echo a b\x00", []string{"sh", "-c", "echo a b"}},
		{"sh\x00\x00x\x00", []string{"sh", "", "x"}},
		{"no-nul", []string{"no-nul"}}, // a process that rewrote its argv
	}
	for _, tt := range tests {
		if got := parseCmdline([]byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseCmdline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParsePasswd(t *testing.T) {
	m := parsePasswd([]byte("root:x:0:0:root:/root:/bin/sh\n# comment\nbroken\nnobody:x:65534:65534::/:/x\nalias:x:0:0::/:/x\nbad:x:z:0::/:/x\n"))
	want := map[uint32]string{0: "root", 65534: "nobody"}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got %v, want %v", m, want)
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte(statLine(1, "init", 0, 1)))
	f.Add([]byte(statLine(9, "a) (b", 1, 77)))
	f.Add([]byte("1 () S"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStat(data)
		if err != nil {
			return
		}
		// Whatever parsed must survive a round trip through the kernel's format.
		again, err := ParseStat([]byte(statLine(int(st.PID), st.Comm, int(st.PPID), st.StartTicks)))
		if err != nil || again.PID != st.PID || again.Comm != st.Comm || again.PPID != st.PPID || again.StartTicks != st.StartTicks {
			t.Fatalf("round trip of %+v: %+v, %v", st, again, err)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte(statusSample))
	f.Add([]byte("Name:\tx\nTgid:\t5\nUid:\t0 0 0 0\nGid:\t0 0 0 0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStatus(data)
		if err == nil && st.Name == "" && !strings.Contains(string(data), "Name:") {
			t.Fatalf("parsed without a Name line: %+v", st)
		}
	})
}
