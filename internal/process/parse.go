package process

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Stat is the part of /proc/<pid>/stat the table needs.
type Stat struct {
	PID   uint32
	Comm  string
	State byte
	PPID  uint32
	// StartTicks is field 22: start time in clock ticks (USER_HZ) since boot.
	StartTicks uint64
}

// ParseStat parses the contents of /proc/<pid>/stat.
//
// comm may hold spaces and parentheses ("(sd-pam)", "a) b (c"), so it is
// delimited by the first "(" and the LAST ")": the kernel prints nothing
// after comm that could contain ")".
func ParseStat(data []byte) (Stat, error) {
	open := bytes.IndexByte(data, '(')
	closing := bytes.LastIndexByte(data, ')')
	if open < 0 || closing < open {
		return Stat{}, errors.New("parsing stat: no (comm)")
	}
	pid, err := strconv.ParseUint(string(bytes.TrimSpace(data[:open])), 10, 32)
	if err != nil {
		return Stat{}, fmt.Errorf("parsing stat pid: %w", err)
	}
	// Fields after comm start with field 3 (state); starttime is field 22.
	rest := strings.Fields(string(data[closing+1:]))
	if len(rest) < 20 || len(rest[0]) != 1 {
		return Stat{}, fmt.Errorf("parsing stat: %d fields after comm, want >= 20", len(rest))
	}
	ppid, err := strconv.ParseUint(rest[1], 10, 32)
	if err != nil {
		return Stat{}, fmt.Errorf("parsing stat ppid: %w", err)
	}
	start, err := strconv.ParseUint(rest[19], 10, 64)
	if err != nil {
		return Stat{}, fmt.Errorf("parsing stat starttime: %w", err)
	}
	return Stat{
		PID: uint32(pid), Comm: string(data[open+1 : closing]), State: rest[0][0],
		PPID: uint32(ppid), StartTicks: start,
	}, nil
}

// Status is the part of /proc/<pid>/status the table needs.
type Status struct {
	Name       string
	Tgid, PPid uint32
	// UID and GID are real, effective, saved, filesystem.
	UID, GID [4]uint32
	// NSpid lists the thread group id in each pid namespace from the one of
	// the reading /proc down to the process's own; the last is its own.
	NSpid []uint32
}

// ParseStatus parses the contents of /proc/<pid>/status. Name, Tgid, Uid and
// Gid are required; NSpid is optional (kernels before 4.1 lack it).
func ParseStatus(data []byte) (Status, error) {
	var st Status
	var seen int
	for _, line := range strings.Split(string(data), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		var err error
		switch key {
		case "Name":
			st.Name, seen = val, seen|1
		case "Tgid":
			st.Tgid, err = parseU32(val)
			seen |= 2
		case "PPid":
			st.PPid, err = parseU32(val)
		case "Uid":
			err = parseIDs(val, &st.UID)
			seen |= 4
		case "Gid":
			err = parseIDs(val, &st.GID)
			seen |= 8
		case "NStgid":
			st.NSpid, err = parseU32List(val)
		}
		if err != nil {
			return Status{}, fmt.Errorf("parsing status %s: %w", key, err)
		}
	}
	if seen != 15 {
		return Status{}, errors.New("parsing status: missing Name, Tgid, Uid or Gid")
	}
	return st, nil
}

func parseU32(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err
}

func parseU32List(s string) ([]uint32, error) {
	var out []uint32
	for _, f := range strings.Fields(s) {
		v, err := parseU32(f)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func parseIDs(s string, dst *[4]uint32) error {
	ids, err := parseU32List(s)
	if err != nil {
		return err
	}
	if len(ids) != 4 {
		return fmt.Errorf("%d ids, want 4", len(ids))
	}
	copy(dst[:], ids)
	return nil
}

// parseCmdline splits /proc/<pid>/cmdline (NUL-separated, NUL-terminated).
func parseCmdline(data []byte) []string {
	data = bytes.TrimSuffix(data, []byte{0})
	if len(data) == 0 {
		return nil
	}
	return strings.Split(string(data), "\x00")
}
