package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
)

// FileLine is one line of a file target, one per delivery:
//
//	{"eventId":"…","deliveredAt":"2026-06-01T10:52:41.123Z","payload":{…}}
//
// Payload holds a JSON payload (the event, or what input shaping made of
// it) compacted onto the line; a payload that is not JSON goes in Text as a
// string instead, so every line is one JSON object whatever was delivered.
// EventID is the same on every resend of one event, so a reader recognises
// a delivery written twice (the bus delivers at least once: a crash between
// the write and the outbox update repeats it); DeliveredAt tells the copies
// apart.
type FileLine struct {
	EventID     string          `json:"eventId"`
	DeliveredAt string          `json:"deliveredAt"`
	Payload     json.RawMessage `json:"payload,omitempty"`
	Text        *string         `json:"text,omitempty"`
}

// fileTimeFormat is RFC 3339 in UTC with milliseconds, as finding times.
const fileTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// BuildFileLine returns the bytes appended for one delivery: a JSON object
// and a newline. It is pure. Compact JSON holds no raw newline, so the
// line is one line whatever the payload contains.
func BuildFileLine(eventID string, payload []byte, now time.Time) ([]byte, error) {
	l := FileLine{EventID: eventID, DeliveredAt: now.UTC().Format(fileTimeFormat)}
	if json.Valid(payload) {
		var c bytes.Buffer
		if err := json.Compact(&c, payload); err != nil {
			return nil, fmt.Errorf("file: event %s: compact payload: %w", eventID, err)
		}
		l.Payload = c.Bytes()
	} else {
		text := string(payload)
		l.Text = &text
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Keep <, > and & as they are: the line is data, not HTML, and readers
	// grep it for process names and paths.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil { // Encode ends the line with \n
		return nil, fmt.Errorf("file: event %s: encode line: %w", eventID, err)
	}
	return b.Bytes(), nil
}

// FileConfig configures file targets.
type FileConfig struct {
	// AllowedDirs, when set, confines file targets to these directories
	// (absolute, clean), so that whoever may write rules cannot make the
	// server append to any file it can write. Empty allows any path the bus
	// accepted.
	AllowedDirs []string
}

// FileSender delivers file targets.
type FileSender struct {
	cfg  FileConfig
	dirs []string // cfg.AllowedDirs, each filepath.Clean'ed once
	now  func() time.Time
}

func newFileSender(cfg FileConfig, now func() time.Time) *FileSender {
	s := &FileSender{cfg: cfg, now: now}
	for _, d := range cfg.AllowedDirs {
		s.dirs = append(s.dirs, filepath.Clean(d))
	}
	return s
}

// Send appends one line for the event and makes it durable before
// returning, since the outbox forgets the delivery once Send succeeds.
//
// The file is opened per delivery with O_APPEND and written with one
// write(2): appends to a regular file are atomic with respect to each other
// on Linux, so concurrent deliveries (several dispatcher workers, several
// servers on one file system) never interleave within a line. A new file
// is created 0600, its directory synced so the file itself survives a
// crash; a missing directory is not created (see classifyFileErr).
func (s *FileSender) Send(ctx context.Context, t *bus.FileTarget, eventID string, payload []byte) error {
	if t == nil {
		return permanentf("file: target has no file member")
	}
	if err := s.checkPath(t.Path); err != nil {
		return err
	}
	line, err := BuildFileLine(eventID, payload, s.now())
	if err != nil {
		return &sendError{err: err, permanent: true}
	}
	if err := ctx.Err(); err != nil {
		return &sendError{err: fmt.Errorf("file %s: %w", t.Path, err)}
	}
	return appendLine(t.Path, line)
}

// checkPath applies what the bus validates (a target stored earlier may
// predate it) and the deployment's allowed directories.
func (s *FileSender) checkPath(p string) error {
	if !filepath.IsAbs(p) || filepath.Clean(p) != p || strings.ContainsRune(p, 0) {
		return permanentf("file %q: want an absolute, clean path", p)
	}
	if len(s.dirs) == 0 {
		return nil
	}
	for _, d := range s.dirs {
		if strings.HasPrefix(p, d+string(filepath.Separator)) || (d == "/" && p != "/") {
			return nil
		}
	}
	return permanentf("file %s: outside the allowed directories %s", p, strings.Join(s.cfg.AllowedDirs, ", "))
}

func appendLine(path string, line []byte) error {
	f, created, err := openAppend(path)
	if err != nil {
		return classifyFileErr(path, "open", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return classifyFileErr(path, "stat", err)
	}
	if !fi.Mode().IsRegular() {
		// A FIFO could block the worker forever and a device is no log;
		// only regular files give atomic appends and a meaningful fsync.
		return permanentf("file %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	if n, err := f.Write(line); err != nil {
		if n > 0 {
			// A torn line (disk full mid-write): end it, so the next
			// delivery starts on a line of its own. Readers skip lines that
			// do not parse; the retry writes the whole line again.
			_, _ = f.Write([]byte{'\n'})
		}
		return classifyFileErr(path, "write", err)
	}
	if err := f.Sync(); err != nil {
		return classifyFileErr(path, "fsync", err)
	}
	if created {
		if err := syncDir(filepath.Dir(path)); err != nil {
			return classifyFileErr(path, "fsync directory", err)
		}
	}
	if err := f.Close(); err != nil {
		return classifyFileErr(path, "close", err)
	}
	return nil
}

// openAppend opens path for appending, creating it 0600 if needed, and says
// whether it did. O_NONBLOCK keeps open(2) from hanging on a FIFO without a
// reader; it changes nothing for regular files.
func openAppend(path string) (*os.File, bool, error) {
	const flags = os.O_WRONLY | os.O_APPEND | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	f, err := os.OpenFile(path, flags, 0)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, false, err
	}
	f, err = os.OpenFile(path, flags|os.O_CREATE, 0o600)
	return f, err == nil, err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// classifyFileErr decides what retrying can fix. Configuration faults are
// permanent: a missing directory (not created: a typo or an unmounted
// volume should not silently grow a new tree), a path through a file or to
// a directory, missing permission, a path too long. The delivery goes to the
// dead-letter list at once, where it waits to be redriven once the target
// is fixed. Everything else (disk or quota full, I/O errors, a read-only
// remount after a file-system error) may pass, and is retried.
func classifyFileErr(path, stage string, err error) error {
	var errno syscall.Errno
	permanent := false
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOENT, syscall.ENOTDIR, syscall.EISDIR, syscall.EACCES, syscall.EPERM,
			syscall.ELOOP, syscall.ENAMETOOLONG, syscall.EINVAL, syscall.ENXIO:
			permanent = true
		}
	}
	return &sendError{err: fmt.Errorf("file %s: %s: %w", path, stage, err), permanent: permanent}
}
