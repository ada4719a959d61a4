package sensor

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/event"
)

// struct exec_event (bpf/common.h).
const (
	execFilenameLenOff = hdrLen
	execArgsLenOff     = hdrLen + 2
	execCwdLenOff      = hdrLen + 4
	execFilenameOff    = hdrLen + 8
	execFilenameMax    = 512
	execArgsOff        = execFilenameOff + execFilenameMax
	execArgsMax        = 2048
	execCwdOff         = execArgsOff + execArgsMax
	execCwdMax         = 1024 + 256

	// cwdTruncatedPrefix marks a cwd whose upper part the bounded dentry
	// walk did not reach (deeper than 48 components or over 1 KiB).
	cwdTruncatedPrefix = "..."
)

func decodeExec(raw []byte, p *event.Process) error {
	if _, err := field(raw, execFilenameLenOff, 8, "exec lengths"); err != nil {
		return err
	}
	flags := raw[hdrFlagsOff]
	fnLen := min(int(le.Uint16(raw[execFilenameLenOff:])), execFilenameMax)
	argsLen := min(int(le.Uint16(raw[execArgsLenOff:])), execArgsMax)
	cwdLen := min(int(le.Uint16(raw[execCwdLenOff:])), execCwdMax)

	fn, err := field(raw, execFilenameOff, fnLen, "filename")
	if err != nil {
		return err
	}
	args, err := field(raw, execArgsOff, argsLen, "args")
	if err != nil {
		return err
	}
	cwd, err := field(raw, execCwdOff, cwdLen, "cwd")
	if err != nil {
		return fmt.Errorf("exec %q: %w", cString(fn), err)
	}
	p.ExecutablePath = cString(fn)
	p.Args = splitArgs(args)
	p.Cwd = joinCwd(cwd, flags&flagCwdTruncated != 0)
	return nil
}

// splitArgs splits the NUL-separated argv area. A truncated area keeps its
// partial last argument.
func splitArgs(b []byte) []string {
	b = bytes.TrimSuffix(b, []byte{0})
	if len(b) == 0 {
		return nil
	}
	parts := bytes.Split(b, []byte{0})
	args := make([]string, len(parts))
	for i, a := range parts {
		args[i] = string(a)
	}
	return args
}

// joinCwd rebuilds a path from NUL-terminated components written leaf first.
func joinCwd(b []byte, truncated bool) string {
	b = bytes.TrimSuffix(b, []byte{0})
	var comps []string
	if len(b) > 0 {
		for _, c := range bytes.Split(b, []byte{0}) {
			comps = append(comps, string(c))
		}
	}
	var sb strings.Builder
	if truncated {
		sb.WriteString(cwdTruncatedPrefix)
	}
	for i := len(comps) - 1; i >= 0; i-- {
		sb.WriteByte('/')
		sb.WriteString(comps[i])
	}
	if sb.Len() == 0 {
		return "/"
	}
	return sb.String()
}
