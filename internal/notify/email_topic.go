package notify

import (
	"encoding/json"
	"html"
	"strings"
)

// confirmation is the SubscriptionConfirmation message a new email
// subscription of a topic receives (SNS's shape).
type confirmation struct {
	Type         string `json:"Type"`
	Topic        string `json:"TopicArn"`
	Message      string `json:"Message"`
	SubscribeURL string `json:"SubscribeURL"`
}

func parseConfirmation(payload []byte) (confirmation, bool) {
	var c confirmation
	if json.Unmarshal(payload, &c) != nil || c.Type != "SubscriptionConfirmation" || c.SubscribeURL == "" {
		return c, false
	}
	return c, true
}

// confirmationView lays out the confirmation mail as SNS words it.
func confirmationView(c confirmation) emailView {
	return emailView{
		Subject:      "vigil Notification - Subscription Confirmation",
		Heading:      "Subscription confirmation",
		Description:  "You have chosen to subscribe to the topic: " + clean(c.Topic) + ". To confirm this subscription, click or visit the link below (if this was in error no action is necessary):",
		ConsoleURL:   c.SubscribeURL,
		Confirmation: true,
	}
}

// WithUnsubscribe adds the footer every topic mail carries, with the link
// that ends the subscription, and the List-Unsubscribe header (RFC 2369)
// mail clients show as a button.
func WithUnsubscribe(m Message, link string) Message {
	const intro = "If you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:"
	m.Text += "\n--\n" + intro + "\n" + link + "\n"
	if m.HTML != "" {
		footer := `<hr><p style="font-size:small">` + html.EscapeString(intro) + ` <a href="` + html.EscapeString(link) + `">Unsubscribe</a></p>`
		if i := strings.LastIndex(m.HTML, "</body>"); i >= 0 {
			m.HTML = m.HTML[:i] + footer + m.HTML[i:]
		} else {
			m.HTML += footer
		}
	}
	headers := make(map[string]string, len(m.Headers)+1)
	for k, v := range m.Headers {
		headers[k] = v
	}
	headers["List-Unsubscribe"] = "<" + link + ">"
	m.Headers = headers
	return m
}

// BuildRawEmail is the email-json form: the payload itself is the plain
// text body, with SNS's default subject.
// Only the envelope and headers are built; consoleURL is unused (there is no
// layout), the parameter keeps BuildEmail's signature.
func BuildRawEmail(to []string, from string, eventID string, payload []byte, _ string) (Message, error) {
	m, _, _, err := buildEnvelope(to, from, eventID, payload)
	if err != nil {
		return Message{}, err
	}
	m.Subject, m.Text = genericSubject, string(payload)+"\n"
	return m, nil
}
