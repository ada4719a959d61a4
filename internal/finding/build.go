package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/event"
)

// Values every runtime finding carries (spec §1.2, §3.1).
const (
	SchemaVersion      = "2.0"
	ServiceName        = "guardduty"
	FeatureRuntime     = "RuntimeMonitoring"
	ResourceRoleTarget = "TARGET"
	additionalInfoType = "default"
)

// Observation is what a detector saw: one occurrence of one finding type.
type Observation struct {
	Type     string
	Severity float64 // 0 means the type's default
	Time     time.Time
	// Key is the indicator that, with type and resource, identifies "the
	// same security issue" (domain, IP, socket path, exe hash, …).
	Key string
	// Event is the triggering event (process, lineage, container).
	Event    *event.Event
	Action   *Action
	Evidence *Evidence
	Context  *RuntimeContext
	// AdditionalInfo is merged into service.additionalInfo.value
	// (agentDetails is added by Build).
	AdditionalInfo map[string]any
	// Title and Description are optional; the type table supplies them.
	Title, Description string
}

// Build makes a new finding from one observation: count 1, createdAt =
// updatedAt = now, eventFirstSeen = eventLastSeen = o.Time, and an id that
// is the same for every later occurrence of the same issue (see ID), so
// that the store can Merge them.
func Build(o Observation, origin Origin, now time.Time) Finding {
	info, _ := Lookup(o.Type) // an unknown type still builds, with generic wording
	var ctr *event.Container
	if o.Event != nil {
		ctr = o.Event.Container
	}
	res := ResourceFor(origin, ctr)
	id := ID(origin.AccountID, origin.Region, o.Type, ResourceKey(res), o.Key)
	when := o.Time
	if when.IsZero() {
		when = now // a detector that forgot the time must not date the finding to year 1
	}
	seen := ISOTime(when)
	f := Finding{
		SchemaVersion: SchemaVersion,
		AccountID:     origin.AccountID,
		Region:        origin.Region,
		Partition:     origin.partition(),
		ID:            id,
		ARN:           origin.FindingARN(id),
		Type:          o.Type,
		Resource:      res,
		Service: Service{
			ServiceName:    ServiceName,
			DetectorID:     origin.DetectorID,
			Action:         o.Action,
			Evidence:       o.Evidence,
			ResourceRole:   ResourceRoleTarget,
			AdditionalInfo: additionalInfo(o.AdditionalInfo, origin),
			EventFirstSeen: seen,
			EventLastSeen:  seen,
			Count:          1,
			FeatureName:    FeatureRuntime,
			RuntimeDetails: runtimeDetails(o),
		},
		Severity:  severityOf(o, info),
		CreatedAt: ISOTime(now),
		UpdatedAt: ISOTime(now),
	}
	f.Title, f.Description = render(o, info, res)
	return f
}

func severityOf(o Observation, info TypeInfo) float64 {
	if o.Severity > 0 {
		return o.Severity
	}
	if info.Severity > 0 {
		return info.Severity
	}
	return SeverityMedium
}

func runtimeDetails(o Observation) *RuntimeDetails {
	rd := &RuntimeDetails{Context: o.Context}
	if o.Event != nil {
		rd.Process = ProcessDetailsFor(o.Event.Process, o.Event.Lineage)
	}
	if rd.Process == nil && rd.Context == nil {
		return nil
	}
	return rd
}

// additionalInfo encodes extra plus agentDetails as GuardDuty's
// {"value": "<JSON>", "type": "default"}. encoding/json sorts map keys, so
// the string is deterministic (golden tests and stable diffs rely on it).
func additionalInfo(extra map[string]any, origin Origin) AdditionalInfo {
	m := make(map[string]any, len(extra)+1)
	for k, v := range extra {
		m[k] = v
	}
	if _, ok := m["agentDetails"]; !ok {
		m["agentDetails"] = map[string]string{
			"agentVersion": origin.AgentVersion,
			"agentId":      origin.AgentID,
		}
	}
	b, err := marshalNoEscape(m, false)
	if err != nil {
		// Detectors put strings, numbers and bools here; anything else
		// is a programming error, and a finding must not be lost for it.
		b = fmt.Appendf(nil, `{"error":%q}`, err.Error())
	}
	return AdditionalInfo{Value: string(b), Type: additionalInfoType}
}

// render fills the title and description templates of the type.
func render(o Observation, info TypeInfo, r Resource) (title, desc string) {
	title, desc = o.Title, o.Description
	if title == "" {
		title = info.Title
	}
	if desc == "" {
		desc = info.Description
	}
	if title == "" {
		title = o.Type + " was detected in {resource}."
	}
	proc, exe := "A process", "(unknown executable)"
	if o.Event != nil {
		if p := o.Event.Process.ExecutablePath; p != "" {
			proc, exe = "Process "+p, p
		} else if n := o.Event.Process.Name; n != "" {
			proc, exe = "Process "+n, n
		}
	}
	rep := strings.NewReplacer("{resource}", describeResource(r), "{process}", proc, "{exe}", exe, "{key}", o.Key)
	return rep.Replace(title), rep.Replace(desc)
}

// ID is the finding id of an issue: 32 lower-case hex characters derived
// from the account, region, type, resource and indicator, so every
// occurrence of the same issue lands on the same finding (spec §3.2) and a
// different resource or indicator makes a new one. Fields are joined with
// NUL so that no two different tuples hash alike by concatenation.
func ID(accountID, region, typ, resourceKey, key string) string {
	h := sha256.New()
	for _, s := range []string{accountID, region, typ, resourceKey, key} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Merge folds a later occurrence (next) into the stored finding (prev) with
// the same id, as GuardDuty updates a finding: counts add up (next may carry
// more than one occurrence, as samples do), createdAt and eventFirstSeen
// stay, eventLastSeen and updatedAt advance, the details are next's (older
// occurrence details are overwritten), and the user's state (archived,
// feedback) is kept.
func Merge(prev, next Finding) Finding {
	out := next
	out.ID, out.ARN = prev.ID, prev.ARN
	out.CreatedAt = prev.CreatedAt
	out.UpdatedAt = laterISO(prev.UpdatedAt, next.UpdatedAt)
	out.Service.EventFirstSeen = earlierISO(prev.Service.EventFirstSeen, next.Service.EventFirstSeen)
	out.Service.EventLastSeen = laterISO(prev.Service.EventLastSeen, next.Service.EventLastSeen)
	n := next.Service.Count
	if n < 1 {
		n = 1
	}
	out.Service.Count = prev.Service.Count + n
	out.Service.Archived = prev.Service.Archived
	out.Service.UserFeedback = prev.Service.UserFeedback
	return out
}

// laterISO and earlierISO compare ISOTime strings; their fixed-width UTC
// form orders lexically, and an empty side loses. Events can arrive out of
// order (agent buffering), so "advance" must never move time backwards.
func laterISO(a, b string) string {
	if b > a {
		return b
	}
	return a
}

func earlierISO(a, b string) string {
	if a == "" || (b != "" && b < a) {
		return b
	}
	return a
}
