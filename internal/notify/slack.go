package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
)

// Slack's limits (Block Kit reference), with a margin: longer texts are
// refused with invalid_blocks rather than cut, so we cut them ourselves.
const (
	slackSectionMax = 3000  // text of a section block
	slackFieldMax   = 2000  // one field of a section block
	slackTextMax    = 39000 // top-level text (40,000)
	slackSummaryMax = 300   // notification text when blocks carry the detail
)

// SlackMessage is the body posted to a Slack incoming webhook. Text is what
// notifications and clients without blocks show; Blocks lay the event out.
type SlackMessage struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks,omitempty"`
}

// SlackBlock is a section or context block.
type SlackBlock struct {
	Type     string      `json:"type"`
	Text     *SlackText  `json:"text,omitempty"`
	Fields   []SlackText `json:"fields,omitempty"`
	Elements []SlackText `json:"elements,omitempty"`
}

// SlackText is a mrkdwn text object. Every value from the event in it is
// escaped (&, <, >): finding fields are attacker-controlled, and an
// unescaped `<!channel>` or `<https://evil|link>` would ping the channel or
// disguise a link.
type SlackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// BuildSlack lays out one delivery as a Slack message. It is pure. Findings
// and coverage health events get a summary with the details as fields;
// other JSON payloads (other events, or what a target's input shaping made)
// are shown as a JSON code block; a JSON string or a payload that is not JSON
// at all is sent as the message text.
func BuildSlack(eventID string, payload []byte, consoleURL string) (SlackMessage, error) {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 {
		// Slack refuses an empty message (no_text); retrying cannot help.
		return SlackMessage{}, fmt.Errorf("slack: event %s: empty payload", eventID)
	}
	if !json.Valid(trimmed) {
		return slackPlain(string(payload)), nil
	}
	switch trimmed[0] {
	case '"':
		var s string
		if json.Unmarshal(trimmed, &s) == nil {
			return slackPlain(s), nil // an input template in quotes
		}
	case 'n':
		// Valid JSON starting with n is null, which decodes into a string
		// as "" (the only non-string that does): an empty message.
		return slackPlain(""), nil
	}
	var env bus.Envelope
	if trimmed[0] == '{' && json.Unmarshal(trimmed, &env) == nil {
		switch {
		case env.DetailType == bus.DetailTypeFinding:
			var f finding.Finding
			if json.Unmarshal(env.Detail, &f) == nil && f.Type != "" {
				return slackFinding(f, eventID, consoleURL), nil
			}
		case bus.IsHealthDetailType(env.DetailType):
			var h healthDetail
			if json.Unmarshal(env.Detail, &h) == nil {
				return slackHealth(env, h, eventID), nil
			}
		}
	}
	return slackJSON(trimmed), nil
}

func slackPlain(s string) SlackMessage {
	text := escapeMrkdwn(s, slackTextMax, true)
	if text == "" {
		text = "(empty message)" // a blank text is refused as no_text
	}
	return SlackMessage{Text: text}
}

// slackJSON shows a JSON payload as is, in a code block. Triple backticks
// inside would close the block early, so a zero-width space breaks them.
func slackJSON(payload []byte) SlackMessage {
	body := strings.ReplaceAll(indentJSON(payload), "```", "`\u200b`\u200b`")
	return SlackMessage{Text: "```\n" + escapeMrkdwn(body, slackTextMax-8, true) + "\n```"}
}

func slackFinding(f finding.Finding, eventID, consoleURL string) SlackMessage {
	label := finding.SeverityLabel(f.Severity)
	sample := isSample(f.Service.AdditionalInfo)
	summary := findingSummary(label, f.Type, f.Resource, sample)
	heading := fmt.Sprintf("*%s %s* %s", label, strconv.FormatFloat(f.Severity, 'f', 1, 64), escapeMrkdwn(f.Type, 200, false))
	if sample {
		heading = "*[SAMPLE]* " + heading + "\n_This is a sample finding; no real activity took place._"
	}
	if t := escapeMrkdwn(f.Title, 500, false); t != "" {
		heading += "\n*" + t + "*"
	}
	if d := escapeMrkdwn(f.Description, slackSectionMax-len([]rune(heading))-1, false); d != "" {
		heading += "\n" + d
	}
	fields := slackFields(
		"Resource", resourceLabel(f.Resource),
		"Process", processSummary(f),
		"Account", f.AccountID,
		"Region", f.Region,
		"Last seen", f.Service.EventLastSeen,
		"Count", countString(f.Service.Count),
	)
	var footer []string
	if link := findingConsoleURL(consoleURL, f.ID); link != "" {
		footer = append(footer, "<"+slackURL(link)+"|View in the console>")
	}
	footer = append(footer, "Finding "+escapeMrkdwn(f.ID, 100, false), "Event "+escapeMrkdwn(eventID, 100, false))
	return slackBlocks(summary, heading, fields, footer)
}

// processSummary names the acting process: name, pid, user and path.
func processSummary(f finding.Finding) string {
	rd := f.Service.RuntimeDetails
	if rd == nil || rd.Process == nil {
		return ""
	}
	p := rd.Process
	s := fmt.Sprintf("%s (pid %d", clean(p.Name), p.Pid)
	if u := clean(p.User); u != "" {
		s += ", user " + u
	}
	s += ")"
	if path := clean(p.ExecutablePath); path != "" {
		s += "\n" + path
	}
	return s
}

func slackHealth(env bus.Envelope, h healthDetail, eventID string) SlackMessage {
	status := healthStatusLabel(env.DetailType)
	summary := healthSummary(status, h)
	heading := "*Runtime Protection " + status + "*\n" + escapeMrkdwn(h.resource(), 500, false)
	fields := slackFields(
		"Status", h.transition(),
		"Issue", h.Issue,
		"Account", h.ResourceAccountID,
		"Region", env.Region,
		"Last updated", h.updated(),
	)
	return slackBlocks(summary, heading, fields, []string{"Event " + escapeMrkdwn(eventID, 100, false)})
}

// slackBlocks assembles a summary message: a heading section, a section of
// fields, and a context line. summary is raw text; the rest is mrkdwn.
func slackBlocks(summary, heading string, fields []SlackText, footer []string) SlackMessage {
	blocks := []SlackBlock{{Type: "section", Text: &SlackText{Type: "mrkdwn", Text: heading}}}
	if len(fields) > 0 {
		blocks = append(blocks, SlackBlock{Type: "section", Fields: fields})
	}
	var ctx []SlackText
	for _, f := range footer {
		if f != "" {
			ctx = append(ctx, SlackText{Type: "mrkdwn", Text: f})
		}
	}
	if len(ctx) > 0 {
		blocks = append(blocks, SlackBlock{Type: "context", Elements: ctx})
	}
	return SlackMessage{Text: escapeMrkdwn(summary, slackSummaryMax, false), Blocks: blocks}
}

// slackFields turns label, value pairs into mrkdwn fields, skipping empty
// values. Slack shows at most ten fields in a section.
func slackFields(pairs ...string) []SlackText {
	var out []SlackText
	for i := 0; i+1 < len(pairs) && len(out) < 10; i += 2 {
		v := escapeMrkdwn(pairs[i+1], slackFieldMax-len(pairs[i])-4, true)
		if v != "" {
			out = append(out, SlackText{Type: "mrkdwn", Text: "*" + pairs[i] + "*\n" + v})
		}
	}
	return out
}

// slackURL makes a URL safe inside <url|label>: & < > are escaped as
// everywhere in mrkdwn, and | would end the URL early.
func slackURL(u string) string {
	return escapeMrkdwn(strings.ReplaceAll(u, "|", "%7C"), 2000, false)
}

// escapeMrkdwn escapes the characters Slack interprets (&, <, >), turns
// control characters into spaces (newlines survive when multiline), trims
// space, and cuts the result to max runes with an ellipsis, never inside an
// escape sequence.
func escapeMrkdwn(s string, max int, multiline bool) string {
	s = strings.TrimSpace(s)
	total := 0
	for _, r := range s {
		total += utf8.RuneCountInString(mrkdwnRune(r, multiline))
	}
	limit := total
	if total > max {
		limit = max - 1 // room for the ellipsis
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		piece := mrkdwnRune(r, multiline)
		w := utf8.RuneCountInString(piece)
		if n+w > limit {
			b.WriteString("…")
			break
		}
		b.WriteString(piece)
		n += w
	}
	return b.String()
}

func mrkdwnRune(r rune, multiline bool) string {
	switch {
	case r == '&':
		return "&amp;"
	case r == '<':
		return "&lt;"
	case r == '>':
		return "&gt;"
	case r == '\n' && multiline:
		return "\n"
	case isControl(r):
		return " "
	}
	return string(r)
}

// SlackSender delivers Slack targets.
type SlackSender struct {
	http       *httpPoster
	consoleURL string
}

// Send posts one event to the target's incoming webhook, once; the bus
// retries. Slack answers 200 "ok"; 429 and 5xx are temporary, other 4xx
// (invalid_payload, invalid_token, channel_not_found, channel_is_archived)
// permanent.
func (s *SlackSender) Send(ctx context.Context, t *bus.SlackTarget, eventID string, payload []byte) error {
	if t == nil {
		return permanentf("slack: target has no slack member")
	}
	msg, err := BuildSlack(eventID, payload, s.consoleURL)
	if err != nil {
		return &sendError{err: err, permanent: true}
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // the texts are mrkdwn-escaped already; \u003c would only bloat them
	if err := enc.Encode(msg); err != nil {
		return permanentf("slack: event %s: encode message: %v", eventID, err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", webhookAgent)
	if err := s.http.post(ctx, WebhookRequest{Method: http.MethodPost, URL: t.URL, Headers: h, Body: body.Bytes()}); err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	return nil
}
