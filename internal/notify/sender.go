package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
)

// Config configures every target kind.
type Config struct {
	SMTP SMTPConfig
	HTTP HTTPConfig // webhook and Slack requests
	File FileConfig
	// ConsoleURL is the base URL for links into the console in Slack
	// messages; empty falls back to SMTP.ConsoleURL.
	ConsoleURL string
}

// Sender implements bus.Sender by handing each target to its kind's sender.
type Sender struct {
	email   *EmailSender // nil when SMTP is not configured
	webhook *WebhookSender
	slack   *SlackSender
	file    *FileSender
}

var _ bus.Sender = (*Sender)(nil)

// NewSender builds the senders of the configured kinds. SMTP is optional: a
// deployment without a relay gets permanent errors for email targets rather
// than no server at all. Webhook, Slack and file targets need no settings.
func NewSender(cfg Config) (*Sender, error) {
	s := &Sender{}
	if cfg.SMTP.Addr != "" {
		e, err := NewEmailSender(cfg.SMTP)
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		s.email = e
	}
	console := cfg.ConsoleURL
	if console == "" {
		console = cfg.SMTP.ConsoleURL
	}
	// One client for both HTTP kinds, so connections to a receiver are reused.
	poster := newHTTPPoster(cfg.HTTP)
	s.webhook = &WebhookSender{http: poster, now: time.Now}
	s.slack = &SlackSender{http: poster, consoleURL: console}
	s.file = newFileSender(cfg.File, time.Now)
	return s, nil
}

// Send delivers payload (the event JSON, or what the target's input shaping
// made of it) to t. New target kinds add a case here and a file of their own.
func (s *Sender) Send(ctx context.Context, t bus.Target, eventID string, payload []byte) error {
	var err error
	switch t.Kind {
	case bus.TargetEmail:
		if s.email == nil {
			return permanentf("target %s: email is not configured (no SMTP relay)", t.ID)
		}
		err = s.email.Send(ctx, t, eventID, payload)
	case bus.TargetWebhook:
		err = s.webhook.Send(ctx, t.Webhook, eventID, payload)
	case bus.TargetSlack:
		err = s.slack.Send(ctx, t.Slack, eventID, payload)
	case bus.TargetFile:
		err = s.file.Send(ctx, t.File, eventID, payload)
	default:
		return &sendError{err: fmt.Errorf("target %s: unknown kind %q", t.ID, t.Kind), permanent: true}
	}
	if err != nil {
		return fmt.Errorf("target %s: %w", t.ID, err)
	}
	return nil
}
