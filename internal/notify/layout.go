package notify

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
)

// Layout shared by the mail and Slack renderers: what a message says is the
// same in both; each renderer escapes and cuts it for its own format.

// findingSummary is the one-line summary of a finding, the mail's subject
// and Slack's notification text: label is the severity label, typ the
// finding type as the caller wants it shown.
func findingSummary(label, typ string, r finding.Resource, sample bool) string {
	s := fmt.Sprintf("[vigil] %s %s in %s", label, typ, resourceLabel(r))
	if sample {
		s = "[SAMPLE] " + s
	}
	return s
}

// findingConsoleURL links to finding id in the console at consoleURL; empty
// when either is unknown.
func findingConsoleURL(consoleURL, id string) string {
	if consoleURL == "" || id == "" {
		return ""
	}
	return strings.TrimRight(consoleURL, "/") + "/findings/" + url.PathEscape(id)
}

// healthStatusLabel is the state a coverage health event reports.
func healthStatusLabel(detailType string) string {
	if detailType == bus.DetailTypeHealthy {
		return "HEALTHY"
	}
	return "UNHEALTHY"
}

// healthSummary is the one-line summary of a coverage health event, the
// mail's subject and Slack's notification text.
func healthSummary(status string, h healthDetail) string {
	s := fmt.Sprintf("[vigil] Runtime Protection %s: %s", status, h.resource())
	if issue := clean(h.Issue); issue != "" {
		s += " (" + issue + ")"
	}
	return s
}

// transition is the coverage status, "previous → current" when both are
// known.
func (h healthDetail) transition() string {
	if h.PreviousStatus != "" && h.CurrentStatus != "" {
		return h.PreviousStatus + " → " + h.CurrentStatus
	}
	return h.CurrentStatus
}

// updated is lastUpdatedAt as text (a string without its quotes, or an
// epoch number); empty when absent.
func (h healthDetail) updated() string {
	u := strings.Trim(string(h.LastUpdatedAt), `"`)
	if u == "null" {
		return ""
	}
	return u
}

// isControl reports the characters no rendering keeps: control characters
// (CR/LF would break headers, escape sequences could trick terminals) and
// the Unicode line and paragraph separators.
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
