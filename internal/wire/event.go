// Package wire converts between the runtime event model (internal/event) and
// the protobuf messages of the agent ↔ server protocol (internal/wire/agentpb),
// and validates what arrives. Conversions live here rather than in either
// end so the agent and the server cannot disagree about the mapping.
package wire

import (
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	pb "github.com/vigilsec/vigil/internal/wire/agentpb"
)

// ToProto converts ev to its wire form, fitted to the protocol's bounds (see
// bound.go): strings that are not valid UTF-8 (argv and paths are arbitrary
// bytes on Linux) get U+FFFD for each invalid run, over-long ones are cut,
// argv and lineage are shortened. Protobuf refuses to marshal invalid UTF-8,
// and the server refuses what is out of bounds; neither may cost an event
// the kernel really saw.
func ToProto(ev event.Event) *pb.Event {
	out := &pb.Event{
		Kind:         pb.Kind(ev.Kind),
		TimeUnixNano: toNanos(ev.Time),
		Process:      processToProto(ev.Process),
		Container:    containerToProto(ev.Container),
	}
	if len(ev.Lineage) > 0 {
		out.Lineage = make([]*pb.Process, min(len(ev.Lineage), event.MaxLineage))
		for i, p := range ev.Lineage[:len(out.Lineage)] {
			out.Lineage[i] = processToProto(p)
		}
	}
	switch {
	case ev.Connect != nil:
		c := ev.Connect
		out.Detail = &pb.Event_Connect{Connect: &pb.Connect{
			Family: clean(c.Family), Protocol: clean(c.Protocol), Remote: addrString(c.Remote),
			RemotePort: uint32(c.RemotePort), SocketPath: text(c.SocketPath, MaxPathLen), Result: c.Result,
		}}
	case ev.DNS != nil:
		d := ev.DNS
		out.Detail = &pb.Event_Dns{Dns: &pb.DNS{
			Name: text(d.Name, MaxDNSNameLen), Qtype: uint32(d.QType), Remote: addrString(d.Remote),
			RemotePort: uint32(d.RemotePort), Protocol: clean(d.Protocol),
		}}
	case ev.Open != nil:
		o := ev.Open
		out.Detail = &pb.Event_Open{Open: &pb.Open{Path: text(o.Path, MaxPathLen), Flags: o.Flags, Mode: o.Mode, Result: o.Result}}
	case ev.Exit != nil:
		out.Detail = &pb.Event_Exit{Exit: &pb.Exit{Code: ev.Exit.Code}}
	}
	return out
}

// FromProto converts a wire event and validates it (see Validate). The
// error is a *FieldError naming the offending field relative to the event.
func FromProto(in *pb.Event) (event.Event, error) {
	return fromProto(in, time.Now())
}

// EventsFromProto converts a batch, bounding its size; errors name the
// field as "events[i].…".
func EventsFromProto(in []*pb.Event, maxEvents int) ([]event.Event, error) {
	if maxEvents > 0 && len(in) > maxEvents {
		return nil, fieldErr("events", "%d events, at most %d", len(in), maxEvents)
	}
	now := time.Now()
	out := make([]event.Event, len(in))
	for i, pe := range in {
		ev, err := fromProto(pe, now)
		if err != nil {
			return nil, Under(fmt.Sprintf("events[%d]", i), err)
		}
		out[i] = ev
	}
	return out, nil
}

func fromProto(in *pb.Event, now time.Time) (event.Event, error) {
	if in == nil {
		return event.Event{}, fieldErr("", "missing")
	}
	if in.Kind < 0 || in.Kind > pb.Kind_KIND_OPEN {
		return event.Event{}, fieldErr("kind", "unknown kind %d", in.Kind)
	}
	if in.Process == nil {
		return event.Event{}, fieldErr("process", "missing")
	}
	ev := event.Event{
		Kind:      event.Kind(in.Kind),
		Time:      fromNanos(in.TimeUnixNano),
		Process:   processFromProto(in.Process),
		Container: containerFromProto(in.Container),
	}
	if n := len(in.Lineage); n > event.MaxLineage {
		return event.Event{}, fieldErr("lineage", "%d ancestors, at most %d", n, event.MaxLineage)
	} else if n > 0 {
		ev.Lineage = make([]event.Process, n)
		for i, p := range in.Lineage {
			if p == nil {
				return event.Event{}, fieldErr(fmt.Sprintf("lineage[%d]", i), "missing")
			}
			ev.Lineage[i] = processFromProto(p)
		}
	}
	if err := detailFromProto(in, &ev); err != nil {
		return event.Event{}, err
	}
	if err := Validate(ev, now); err != nil {
		return event.Event{}, err
	}
	return ev, nil
}

func detailFromProto(in *pb.Event, ev *event.Event) error {
	var err error
	switch d := in.Detail.(type) {
	case *pb.Event_Connect:
		c := d.Connect
		if c == nil {
			return fieldErr("connect", "missing")
		}
		ev.Connect = &event.Connect{Family: c.Family, Protocol: c.Protocol, SocketPath: c.SocketPath, Result: c.Result}
		if ev.Connect.Remote, err = parseAddr("connect.remote", c.Remote); err != nil {
			return err
		}
		ev.Connect.RemotePort, err = port16("connect.remote_port", c.RemotePort)
	case *pb.Event_Dns:
		q := d.Dns
		if q == nil {
			return fieldErr("dns", "missing")
		}
		ev.DNS = &event.DNS{Name: q.Name, Protocol: q.Protocol}
		if ev.DNS.Remote, err = parseAddr("dns.remote", q.Remote); err != nil {
			return err
		}
		if ev.DNS.QType, err = port16("dns.qtype", q.Qtype); err != nil {
			return err
		}
		ev.DNS.RemotePort, err = port16("dns.remote_port", q.RemotePort)
	case *pb.Event_Open:
		if d.Open == nil {
			return fieldErr("open", "missing")
		}
		ev.Open = &event.Open{Path: d.Open.Path, Flags: d.Open.Flags, Mode: d.Open.Mode, Result: d.Open.Result}
	case *pb.Event_Exit:
		if d.Exit == nil {
			return fieldErr("exit", "missing")
		}
		ev.Exit = &event.Exit{Code: d.Exit.Code}
	}
	return err
}

func parseAddr(path, s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fieldErr(path, "invalid IP %s", quote(s))
	}
	return a, nil
}

func port16(path string, v uint32) (uint16, error) {
	if v > maxPort {
		return 0, fieldErr(path, "%d out of range 0-%d", v, maxPort)
	}
	return uint16(v), nil
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func clean(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

func cleanAll(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s)
	}
	return out
}

// quote renders untrusted text for an error message, bounded so that a
// hostile value cannot bloat logs or Reject reasons.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q…", strings.ToValidUTF8(s[:max], "\uFFFD"))
	}
	return fmt.Sprintf("%q", s)
}

// toNanos maps the zero time to 0 and clamps times int64 nanoseconds cannot
// hold, so they arrive as (rejectable) extremes instead of wrapping around
// into plausible values.
func toNanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Year() < 1678:
		return math.MinInt64
	case t.Year() > 2261:
		return math.MaxInt64
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
