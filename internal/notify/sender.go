package notify

import (
	"context"
	"fmt"

	"github.com/vigilsec/vigil/internal/bus"
)

// Config configures every target kind.
type Config struct {
	SMTP SMTPConfig
}

// Sender implements bus.Sender by handing each target to its kind's sender.
type Sender struct {
	email *EmailSender // nil when SMTP is not configured
}

var _ bus.Sender = (*Sender)(nil)

// NewSender builds the senders of the configured kinds. SMTP is optional: a
// deployment without a relay gets permanent errors for email targets rather
// than no server at all.
func NewSender(cfg Config) (*Sender, error) {
	s := &Sender{}
	if cfg.SMTP.Addr != "" {
		e, err := NewEmailSender(cfg.SMTP)
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		s.email = e
	}
	return s, nil
}

// Send delivers payload (the event JSON) to t. New target kinds add a case
// here and a file of their own.
func (s *Sender) Send(ctx context.Context, t bus.Target, eventID string, payload []byte) error {
	switch t.Kind {
	case bus.TargetEmail:
		if s.email == nil {
			return permanentf("target %s: email is not configured (no SMTP relay)", t.ID)
		}
		if err := s.email.Send(ctx, t.Email, eventID, payload); err != nil {
			return fmt.Errorf("target %s: %w", t.ID, err)
		}
		return nil
	default:
		return &sendError{err: fmt.Errorf("target %s: unknown kind %q", t.ID, t.Kind), permanent: true}
	}
}
