package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
)

// TLS modes of SMTPConfig.TLS.
const (
	TLSNone     = "none"
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
)

// DefaultSMTPTimeout bounds one SMTP conversation when the config sets none.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPConfig says how to reach the mail relay.
type SMTPConfig struct {
	Addr       string // host:port
	From       string // sender, may carry a display name
	Username   string // AUTH PLAIN when set
	Password   string
	TLS        string // "none" | "starttls" | "tls" (implicit); empty means starttls
	ConsoleURL string // base URL for links into the console
	Timeout    time.Duration
	// RootCAs verifies the relay's certificate; nil uses the system roots.
	RootCAs *x509.CertPool
}

// Validate reports configuration errors before the first mail is sent.
func (c SMTPConfig) Validate() error {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("smtp addr %q: want host:port: %w", c.Addr, err)
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("smtp from %q: %w", c.From, err)
	}
	switch c.tlsMode() {
	case TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return fmt.Errorf("smtp tls %q: want none, starttls or tls", c.TLS)
	}
	// net/smtp refuses PLAIN over cleartext except to localhost; say so now
	// rather than on every delivery.
	if c.Username != "" && c.tlsMode() == TLSNone && !bus.IsLoopbackHost(host) {
		return fmt.Errorf("smtp: username set but tls is none: credentials would cross %s in clear text", host)
	}
	return nil
}

func (c SMTPConfig) tlsMode() string {
	if c.TLS == "" {
		return TLSStartTLS
	}
	return c.TLS
}

// EmailSender delivers email targets over SMTP.
type EmailSender struct{ cfg SMTPConfig }

// NewEmailSender checks cfg and returns a sender for it.
func NewEmailSender(cfg SMTPConfig) (*EmailSender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	return &EmailSender{cfg: cfg}, nil
}

// Send builds the mail for one event and hands it to the relay once; the
// bus retries. Errors that retrying cannot fix implement bus.Permanent.
func (s *EmailSender) Send(ctx context.Context, target bus.Target, eventID string, payload []byte) error {
	t := target.Email
	if t == nil {
		return permanentf("email: target has no email member")
	}
	build := BuildEmail
	if t.Raw {
		build = BuildRawEmail
	}
	msg, err := build(t.To, s.cfg.From, eventID, payload, s.cfg.ConsoleURL)
	if err != nil {
		return &sendError{err: err, permanent: true}
	}
	if target.UnsubscribeURL != "" {
		msg = WithUnsubscribe(msg, target.UnsubscribeURL)
	}
	if _, ok := msg.Headers["Date"]; !ok {
		msg.Headers["Date"] = time.Now().UTC().Format(time.RFC1123Z)
	}
	return s.deliver(ctx, msg)
}

// deliver runs one SMTP conversation for msg.
func (s *EmailSender) deliver(ctx context.Context, msg Message) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	c, err := s.dial(ctx)
	if err != nil {
		return classify("connect", err)
	}
	defer c.Close()
	if err := c.Mail(msg.envelopeFrom()); err != nil {
		return classify("MAIL FROM", err)
	}
	rejected, err := addRecipients(c, msg.To)
	if err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(msg.Raw()); err != nil {
		return classify("write message", err)
	}
	if err := w.Close(); err != nil {
		return classify("end of data", err)
	}
	_ = c.Quit() // the message is accepted; a failed QUIT changes nothing
	if len(rejected) > 0 {
		// Delivered to the others; retrying would duplicate their mail.
		return permanentf("smtp: recipients rejected: %s", strings.Join(rejected, "; "))
	}
	return nil
}

// addRecipients issues RCPT TO for each address. A temporary refusal of any
// aborts the whole mail (it is retried for all, so no one gets it twice);
// permanent refusals are skipped and reported once the others have the mail.
func addRecipients(c *smtp.Client, to []string) ([]string, error) {
	var rejected []string
	for _, a := range to {
		err := c.Rcpt(a)
		if err == nil {
			continue
		}
		if e := classify("RCPT TO "+a, err); !bus.IsPermanent(e) {
			_ = c.Reset()
			return nil, e
		}
		rejected = append(rejected, fmt.Sprintf("%s: %v", a, err))
	}
	if len(rejected) == len(to) {
		return nil, permanentf("smtp: all recipients rejected: %s", strings.Join(rejected, "; "))
	}
	return rejected, nil
}

// dial connects, secures and authenticates per the config. The connection
// is closed when ctx ends, since net/smtp itself knows no contexts.
func (s *EmailSender) dial(ctx context.Context) (*smtp.Client, error) {
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	tlsCfg := &tls.Config{ServerName: host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}
	var conn net.Conn
	var err error
	if s.cfg.tlsMode() == TLSImplicit {
		conn, err = (&tls.Dialer{Config: tlsCfg}).DialContext(ctx, "tcp", s.cfg.Addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.cfg.Addr)
	}
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		stop()
		conn.Close()
		return nil, err
	}
	if err := s.secure(c, tlsCfg); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (s *EmailSender) secure(c *smtp.Client, tlsCfg *tls.Config) error {
	if s.cfg.tlsMode() == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("server does not offer STARTTLS (set tls to none to send in clear text)")
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if s.cfg.Username == "" {
		return nil
	}
	if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, tlsCfg.ServerName)); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}

// sendError carries whether retrying can help.
type sendError struct {
	err       error
	permanent bool
}

func (e *sendError) Error() string   { return e.err.Error() }
func (e *sendError) Unwrap() error   { return e.err }
func (e *sendError) Permanent() bool { return e.permanent }

func permanentf(format string, args ...any) error {
	return &sendError{err: fmt.Errorf(format, args...), permanent: true}
}

// classify wraps err from stage: SMTP 5xx replies are permanent, 4xx replies
// and network errors are temporary (the bus retries them).
func classify(stage string, err error) error {
	var tp *textproto.Error
	permanent := errors.As(err, &tp) && tp.Code >= 500 && tp.Code < 600
	return &sendError{err: fmt.Errorf("smtp %s: %w", stage, err), permanent: permanent}
}
