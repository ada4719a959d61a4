package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
)

// Message is one mail, built by BuildEmail and serialised by Raw.
type Message struct {
	From        string   // header form, e.g. `"vigil" <vigil@example.com>`
	To          []string // bare addresses, the SMTP recipients
	Subject     string
	Text        string
	HTML        string
	Headers     map[string]string // further headers: Date, Message-ID, …
	Attachments []Attachment
}

// Attachment is a file attached to a message.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// envelopeFrom is the bare sender address, for SMTP's MAIL FROM.
func (m Message) envelopeFrom() string {
	a, err := mail.ParseAddress(m.From)
	if err != nil {
		return m.From
	}
	return a.Address
}

// BuildEmail lays out one event as a mail: a subject that says what happened
// where, a text and an HTML body, and the event itself as event.json. It is
// pure: the same input always gives the same bytes, which lets a receiving
// system de-duplicate redeliveries by Message-ID.
func BuildEmail(to []string, from string, eventID string, payload []byte, consoleURL string) (Message, error) {
	m, env, isJSON, err := buildEnvelope(to, from, eventID, payload)
	if err != nil {
		return Message{}, err
	}
	// A topic's confirmation request replaces the whole layout, so it is
	// checked first; a payload that is not JSON cannot be one.
	var v emailView
	if isJSON {
		if c, ok := parseConfirmation(payload); ok {
			v = confirmationView(c)
		}
	}
	if !v.Confirmation {
		v = buildView(env, payload, consoleURL)
	}
	text := renderText(v, payload)
	html, err := renderHTML(v)
	if err != nil {
		return Message{}, fmt.Errorf("email: event %s: %w", eventID, err)
	}
	m.Subject, m.Text, m.HTML = v.Subject, text, html
	if isJSON && !v.Confirmation {
		m.Attachments = []Attachment{{Filename: "event.json", ContentType: "application/json", Data: append([]byte(nil), payload...)}}
	}
	return m, nil
}

// buildEnvelope is the part of a mail that does not depend on its layout:
// sender, recipients and headers (From, To and Headers of the Message). It
// also returns the event the payload carries (zero if it is not one) and
// whether the payload is JSON.
func buildEnvelope(to []string, from string, eventID string, payload []byte) (Message, bus.Envelope, bool, error) {
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return Message{}, bus.Envelope{}, false, fmt.Errorf("email: from %q: %w", from, err)
	}
	rcpts, err := parseRecipients(to)
	if err != nil {
		return Message{}, bus.Envelope{}, false, err
	}
	// A target's input shaping may deliver any JSON or plain text: what is
	// not an event is sent as the message text, as SNS does.
	var env bus.Envelope
	isJSON := json.Valid(payload)
	if isJSON && json.Unmarshal(payload, &env) != nil {
		env = bus.Envelope{}
	}
	headers := map[string]string{
		"Message-ID":       messageID(eventID, sender.Address),
		"Auto-Submitted":   "auto-generated", // RFC 3834: no vacation replies
		"X-Vigil-Event-Id": headerToken(eventID),
	}
	if dt := clean(env.DetailType); dt != "" {
		headers["X-Vigil-Detail-Type"] = dt
	}
	if t, err := time.Parse(time.RFC3339, env.Time); err == nil {
		headers["Date"] = t.UTC().Format(time.RFC1123Z)
	}
	return Message{From: sender.String(), To: rcpts, Headers: headers}, env, isJSON, nil
}

func parseRecipients(to []string) ([]string, error) {
	if len(to) == 0 {
		return nil, errors.New("email: no recipients")
	}
	out := make([]string, len(to))
	for i, a := range to {
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return nil, fmt.Errorf("email: to[%d] %q: %w", i, a, err)
		}
		out[i] = addr.Address
	}
	return out, nil
}

// messageID derives the Message-ID from the event id, so every redelivery
// of one event carries the same id.
func messageID(eventID, from string) string {
	domain := "vigil.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && headerToken(from[i+1:]) == from[i+1:] {
		domain = from[i+1:]
	}
	return "<" + headerToken(eventID) + "@" + domain + ">"
}

// headerToken keeps only characters that are safe in a Message-ID.
func headerToken(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("-._", r):
			return r
		}
		return -1
	}, s)
}

// renderText is the plain-text body. Generic events get the event JSON
// alone, as SNS sends them.
func renderText(v emailView, payload []byte) string {
	if v.Confirmation {
		return v.Description + "\n\n" + v.ConsoleURL + "\n"
	}
	if v.Generic {
		return string(payload) + "\n"
	}
	var b strings.Builder
	if v.Sample {
		b.WriteString("[SAMPLE] This is a sample finding; no real activity took place.\n\n")
	}
	b.WriteString(v.Heading + "\n")
	for _, s := range []string{v.Title, v.Description} {
		if s != "" {
			b.WriteString(s + "\n")
		}
	}
	for _, s := range v.Sections {
		b.WriteString("\n" + s.Title + "\n")
		for _, r := range s.Rows {
			fmt.Fprintf(&b, "  %-18s %s\n", r.Label+":", r.Value)
		}
	}
	if v.ConsoleURL != "" {
		b.WriteString("\nView in the console: " + v.ConsoleURL + "\n")
	}
	b.WriteString("\nEvent:\n" + v.EventJSON + "\n")
	return b.String()
}

// htmlLayout is rendered with html/template, which escapes every value for
// its context (text, attribute, URL): finding fields are attacker-controlled.
const htmlLayout = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:sans-serif">
{{- if .Confirmation}}
<h2>{{.Heading}}</h2>
<p>{{.Description}}</p>
<p><a href="{{.ConsoleURL}}">Confirm subscription</a></p>
{{- else if .Generic}}
<pre>{{.EventJSON}}</pre>
{{- else}}
{{- if .Sample}}
<p><strong>[SAMPLE]</strong> This is a sample finding; no real activity took place.</p>
{{- end}}
<h2>{{.Heading}}</h2>
{{- if .Title}}
<p><strong>{{.Title}}</strong></p>
{{- end}}
{{- if .Description}}
<p>{{.Description}}</p>
{{- end}}
{{- range .Sections}}
<h3>{{.Title}}</h3>
<table>
{{- range .Rows}}
<tr><th align="left" valign="top">{{.Label}}</th><td>{{.Value}}</td></tr>
{{- end}}
</table>
{{- end}}
{{- if .ConsoleURL}}
<p><a href="{{.ConsoleURL}}">View in the console</a></p>
{{- end}}
<h3>Event</h3>
<pre>{{.EventJSON}}</pre>
{{- end}}
</body></html>
`

// htmlTemplate is parsed (and escaped for its contexts) once: doing it per
// mail cost most of the time to build one. A parsed template is read-only.
var htmlTemplate = sync.OnceValues(func() (*template.Template, error) {
	return template.New("email").Parse(htmlLayout)
})

func renderHTML(v emailView) (string, error) {
	t, err := htmlTemplate()
	if err != nil {
		return "", fmt.Errorf("html layout: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", fmt.Errorf("render html: %w", err)
	}
	return b.String(), nil
}
