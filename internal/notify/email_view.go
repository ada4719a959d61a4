package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
)

// Subject used for events we have no layout for, as SNS does for an
// EventBridge target without a subject.
const genericSubject = "AWS Notification Message"

// maxSubjectRunes keeps subjects readable in mail clients; SNS caps them at
// 100 characters, we allow a little more for long resource ids.
const maxSubjectRunes = 160

// emailView is what a mail shows, independent of text or HTML. Every string
// in it may come from an attacker (process names, paths, container names),
// so the renderers escape them; the view only removes control characters.
type emailView struct {
	Subject     string
	Sample      bool
	Heading     string // e.g. "MEDIUM 5.0 PrivilegeEscalation:Runtime/DockerSocketAccessed"
	Title       string
	Description string
	Sections    []section
	ConsoleURL  string
	EventJSON   string // indented event, shown at the end of the body
	Generic     bool   // unknown event: the body is the event JSON only
	// Confirmation: a topic subscription's confirmation request; ConsoleURL
	// is then the confirmation link.
	Confirmation bool
}

// section is a titled list of label/value rows.
type section struct {
	Title string
	Rows  []row
}

type row struct{ Label, Value string }

// buildView parses the event and lays it out by detail-type.
func buildView(env bus.Envelope, payload []byte, consoleURL string) emailView {
	v := emailView{EventJSON: indentJSON(payload)}
	switch {
	case env.DetailType == bus.DetailTypeFinding:
		var f finding.Finding
		if err := json.Unmarshal(env.Detail, &f); err == nil && f.Type != "" {
			findingView(&v, f, consoleURL)
			return v
		}
	case bus.IsHealthDetailType(env.DetailType):
		var h healthDetail
		if err := json.Unmarshal(env.Detail, &h); err == nil {
			healthView(&v, env, h)
			return v
		}
	}
	v.Subject, v.Generic = genericSubject, true
	return v
}

func findingView(v *emailView, f finding.Finding, consoleURL string) {
	label := finding.SeverityLabel(f.Severity)
	v.Sample = isSample(f.Service.AdditionalInfo)
	v.Subject = truncate(findingSummary(label, clean(f.Type), f.Resource, v.Sample), maxSubjectRunes)
	v.Heading = fmt.Sprintf("%s %s %s", label, strconv.FormatFloat(f.Severity, 'f', 1, 64), clean(f.Type))
	v.Title, v.Description = clean(f.Title), clean(f.Description)
	v.Sections = append(v.Sections, section{Title: "Finding", Rows: nonEmpty(
		row{"ID", f.ID}, row{"Account", f.AccountID}, row{"Region", f.Region},
		row{"First seen", f.Service.EventFirstSeen}, row{"Last seen", f.Service.EventLastSeen},
		row{"Count", countString(f.Service.Count)},
	)}, section{Title: "Resource", Rows: nonEmpty(resourceRows(f.Resource)...)})
	if rd := f.Service.RuntimeDetails; rd != nil {
		if rd.Process != nil {
			v.Sections = append(v.Sections, section{Title: "Process", Rows: processRows(rd.Process)})
		}
		if rows := contextRows(rd.Context); len(rows) > 0 {
			v.Sections = append(v.Sections, section{Title: "Context", Rows: rows})
		}
	}
	v.ConsoleURL = findingConsoleURL(consoleURL, f.ID)
}

// isSample reads additionalInfo.value, a JSON document carried as a string,
// for `"sample": true`.
func isSample(ai finding.AdditionalInfo) bool {
	var v struct {
		Sample bool `json:"sample"`
	}
	return ai.Value != "" && json.Unmarshal([]byte(ai.Value), &v) == nil && v.Sample
}

func processRows(p *finding.ProcessDetails) []row {
	rows := nonEmpty(
		row{"Name", p.Name}, row{"Path", p.ExecutablePath}, row{"SHA-256", p.ExecutableSha256},
		row{"PID", fmt.Sprintf("%d (namespace PID %d)", p.Pid, p.NamespacePid)},
		row{"User", fmt.Sprintf("%s (uid %d, euid %d)", p.User, p.UserID, p.Euid)},
		row{"Working directory", p.Pwd},
	)
	if len(p.Lineage) > 0 {
		parts := make([]string, len(p.Lineage))
		for i, l := range p.Lineage {
			parts[i] = fmt.Sprintf("%s (pid %d, %s)", l.Name, l.Pid, l.ExecutablePath)
		}
		rows = append(rows, row{"Lineage", clean(strings.Join(parts, " ← "))})
	}
	return rows
}

// contextRows lists every set member of the runtime context, whatever the
// finding type, by walking its JSON form (members are omitempty).
func contextRows(c *finding.RuntimeContext) []row {
	if c == nil {
		return nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	var rows []row
	for _, k := range slices.Sorted(maps.Keys(m)) {
		rows = append(rows, row{k, clean(contextValue(m[k]))})
	}
	return rows
}

func contextValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = contextValue(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any: // a process (modifyingProcess, targetProcess)
		if name, ok := x["name"].(string); ok {
			return fmt.Sprintf("%s (pid %v, %v)", name, x["pid"], x["executablePath"])
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func nonEmpty(rows ...row) []row {
	out := rows[:0]
	for _, r := range rows {
		if r.Value = clean(r.Value); r.Value != "" {
			out = append(out, r)
		}
	}
	return out
}

func countString(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// clean removes control characters (CR/LF would break headers, escape
// sequences could trick terminals) and trims space.
func clean(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func indentJSON(b []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}
