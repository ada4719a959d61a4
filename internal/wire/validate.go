package wire

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/event"
)

// Validate checks ev against the protocol's rules: a known kind with exactly
// the member that kind requires, a plausible time, a process with a PID,
// bounded strings and lists, consistent addresses. now anchors the "not in
// the future" check. The agent runs it before sending so that one bad event
// does not cost a whole batch; the server runs it (via FromProto) because it
// trusts nothing an agent says.
func Validate(ev event.Event, now time.Time) error {
	if ev.Kind == event.KindUnknown || ev.Kind.String() == "unknown" {
		return fieldErr("kind", "unknown kind %d", ev.Kind)
	}
	if err := checkTime("time", ev.Time, true, now); err != nil {
		return err
	}
	if err := validateProcess("process", ev.Process, now); err != nil {
		return err
	}
	if len(ev.Lineage) > event.MaxLineage {
		return fieldErr("lineage", "%d ancestors, at most %d", len(ev.Lineage), event.MaxLineage)
	}
	for i, p := range ev.Lineage {
		if err := processErr(p, now); err != nil {
			return Under(fmt.Sprintf("lineage[%d]", i), err)
		}
	}
	if ev.Container != nil {
		if err := validateContainer("container", ev.Container, now); err != nil {
			return err
		}
	}
	if err := checkMembers(ev); err != nil {
		return err
	}
	return validateDetail(ev)
}

// checkMembers enforces "exactly the member the kind requires": exec and
// fork carry none, every other kind carries its own and no other.
func checkMembers(ev event.Event) error {
	members := []struct {
		name string
		set  bool
		kind event.Kind
	}{
		{"connect", ev.Connect != nil, event.KindConnect},
		{"dns", ev.DNS != nil, event.KindDNS},
		{"open", ev.Open != nil, event.KindOpen},
		{"exit", ev.Exit != nil, event.KindExit},
	}
	// A member that does not belong is reported before a missing one: it
	// says more about what the sender got wrong.
	for _, m := range members {
		if m.set && m.kind != ev.Kind {
			return fieldErr(m.name, "set on a %s event", ev.Kind)
		}
	}
	for _, m := range members {
		if !m.set && m.kind == ev.Kind {
			return fieldErr(m.name, "missing on a %s event", ev.Kind)
		}
	}
	return nil
}

func validateDetail(ev event.Event) error {
	switch {
	case ev.Connect != nil:
		return validateConnect("connect", ev.Connect)
	case ev.DNS != nil:
		return validateDNS("dns", ev.DNS)
	case ev.Open != nil:
		return checkText("open.path", ev.Open.Path, MaxPathLen)
	}
	return nil
}

// validateProcess, validateContainer and validateECS check with bare field
// names and put path in front only of an error: building every field's
// path up front cost hundreds of allocations per event on the agent's and
// the server's hot paths.
func validateProcess(path string, p event.Process, now time.Time) error {
	return Under(path, processErr(p, now))
}

func processErr(p event.Process, now time.Time) error {
	if p.PID == 0 {
		return fieldErr("pid", "must not be 0")
	}
	checks := [...]error{
		checkID("uuid", p.UUID),
		checkID("parent_uuid", p.ParentUUID),
		checkText("name", p.Name, MaxNameLen),
		checkText("executable_path", p.ExecutablePath, MaxPathLen),
		checkSHA256("executable_sha256", p.ExecutableSHA256),
		checkText("cwd", p.Cwd, MaxPathLen),
		checkText("user", p.User, MaxNameLen),
		checkTime("start_time", p.StartTime, false, now),
		checkArgs("args", p.Args),
	}
	return firstErr(checks[:])
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkArgs(path string, args []string) error {
	if len(args) > MaxArgs {
		return fieldErr(path, "%d entries, at most %d", len(args), MaxArgs)
	}
	total := 0
	for i, a := range args {
		if err := checkText("", a, MaxArgLen); err != nil {
			return Under(fmt.Sprintf("%s[%d]", path, i), err)
		}
		total += len(a)
	}
	if total > MaxArgsBytes {
		return fieldErr(path, "%d bytes in total, at most %d", total, MaxArgsBytes)
	}
	return nil
}

func validateContainer(path string, c *event.Container, now time.Time) error {
	return Under(path, containerErr(c, now))
}

func containerErr(c *event.Container, now time.Time) error {
	if c.ID == "" {
		return fieldErr("id", "must not be empty")
	}
	checks := [...]error{
		checkID("id", c.ID),
		checkText("runtime", c.Runtime, MaxNameLen),
		checkText("name", c.Name, MaxNameLen),
		checkText("image", c.Image, MaxImageLen),
		checkText("image_id", c.ImageID, MaxImageLen),
		checkText("pod_name", c.PodName, MaxNameLen),
		checkID("pod_uid", c.PodUID),
		checkText("pod_namespace", c.PodNamespace, MaxNameLen),
	}
	if err := firstErr(checks[:]); err != nil || c.ECS == nil {
		return err
	}
	return Under("ecs", ecsErr(c.ECS, now))
}

func ecsErr(t *event.ECSTask, now time.Time) error {
	checks := [...]error{
		checkARN("cluster_arn", t.ClusterARN),
		checkARN("task_arn", t.TaskARN),
		checkText("family", t.Family, MaxNameLen),
		checkText("revision", t.Revision, MaxNameLen),
		checkText("launch_type", t.LaunchType, MaxNameLen),
		checkTime("created_at", t.CreatedAt, false, now),
		checkTime("started_at", t.StartedAt, false, now),
		checkText("started_by", t.StartedBy, MaxNameLen),
		checkText("service_name", t.ServiceName, MaxNameLen),
	}
	return firstErr(checks[:])
}

// checkText bounds a free-form string and requires valid UTF-8, which
// protobuf requires of string fields anyway.
func checkText(path, s string, max int) error {
	if len(s) > max {
		return fieldErr(path, "%d bytes, at most %d", len(s), max)
	}
	if !utf8.ValidString(s) {
		return fieldErr(path, "invalid UTF-8")
	}
	return nil
}

// checkID accepts identifiers: printable ASCII without spaces, so they are
// safe as map keys, in logs and in URLs.
func checkID(path, s string) error { return checkToken(path, s, MaxIDLen) }

func checkToken(path, s string, max int) error {
	if len(s) > max {
		return fieldErr(path, "%d bytes, at most %d", len(s), max)
	}
	for i := 0; i < len(s); i++ {
		if !tokenByte(s[i]) {
			return fieldErr(path, "invalid character %q at offset %d", s[i], i)
		}
	}
	return nil
}

// tokenByte says whether c may stand in an identifier: printable ASCII, not
// a space.
func tokenByte(c byte) bool { return c > ' ' && c <= '~' }

func checkSHA256(path, s string) error {
	if s == "" {
		return nil
	}
	if len(s) != 64 {
		return fieldErr(path, "%d characters, want 64 lower-case hex", len(s))
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && (s[i] < 'a' || s[i] > 'f') {
			return fieldErr(path, "not lower-case hex")
		}
	}
	return nil
}

func checkARN(path, s string) error {
	if s == "" {
		return nil
	}
	if len(s) < 4 || s[:4] != "arn:" {
		return fieldErr(path, "not an ARN")
	}
	return checkToken(path, s, MaxARNLen)
}

// checkTime rejects times before 2000 and more than a day ahead of now: a
// day tolerates bad agent clocks; beyond it the time is corrupt and would
// poison time-ordered queries.
func checkTime(path string, t time.Time, required bool, now time.Time) error {
	if t.IsZero() {
		if required {
			return fieldErr(path, "missing")
		}
		return nil
	}
	if t.Before(minTime) {
		return fieldErr(path, "%s is before %s", t.UTC().Format(time.RFC3339), minTime.Format("2006"))
	}
	if t.After(now.Add(maxFutureSkew)) {
		return fieldErr(path, "%s is in the future", t.UTC().Format(time.RFC3339))
	}
	return nil
}
