package mailpittest

import (
	"context"
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/polltest"
)

const testMail = "From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\nMessage-ID: <m1@example.com>\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" +
	"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody text\r\n" +
	"--B\r\nContent-Type: application/json\r\nContent-Disposition: attachment; filename=\"event.json\"\r\n\r\n{\"a\":1}\r\n--B--\r\n"

func TestMailpitRoundTrip(t *testing.T) {
	m := Start(t)
	ctx := context.Background()
	if err := smtp.SendMail(m.SMTPAddr(), nil, "a@example.com", []string{"b@example.com"}, []byte(testMail)); err != nil {
		t.Fatalf("send: %v\n%s", err, m.Logs())
	}
	msgs := m.WaitFor(t, func(s []Summary) bool { return len(s) == 1 }, 5*time.Second)
	s := msgs[0]
	if s.Subject != "hello" || s.MessageID != "m1@example.com" || s.From.Address != "a@example.com" ||
		len(s.To) != 1 || s.To[0].Address != "b@example.com" || s.Attachments != 1 {
		t.Fatalf("summary = %+v", s)
	}
	full, err := m.Message(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(full.Text) != "body text" || len(full.Attachments) != 1 || full.Attachments[0].FileName != "event.json" {
		t.Fatalf("message = %+v", full)
	}
	part, err := m.Part(ctx, s.ID, full.Attachments[0].PartID)
	if err != nil || strings.TrimSpace(string(part)) != `{"a":1}` {
		t.Fatalf("attachment = %q, %v", part, err)
	}
	if err := m.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	if msgs, err := m.Messages(ctx); err != nil || len(msgs) != 0 {
		t.Fatalf("after DeleteAll: %d messages, %v", len(msgs), err)
	}
}

func TestMailpitChaos(t *testing.T) {
	m := Start(t)
	ctx := context.Background()
	if err := m.SetChaos(ctx, Chaos{Recipient: &ChaosTrigger{ErrorCode: 550, Probability: 100}}); err != nil {
		t.Fatal(err)
	}
	err := smtp.SendMail(m.SMTPAddr(), nil, "a@example.com", []string{"b@example.com"}, []byte(testMail))
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("with chaos: err = %v, want 550", err)
	}
	if err := m.SetChaos(ctx, Chaos{}); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(m.SMTPAddr(), nil, "a@example.com", []string{"b@example.com"}, []byte(testMail)); err != nil {
		t.Fatalf("chaos off: %v", err)
	}
}

// TestTwoInstancesAreIsolated: two instances in one test keep their mail
// apart. Each gets one message over its own SMTP; once each has its own,
// neither shows the other's.
func TestTwoInstancesAreIsolated(t *testing.T) {
	a, b := Start(t), Start(t)
	ctx := context.Background()
	subjects := func(m *Mailpit) []string {
		msgs, err := m.Messages(ctx)
		if err != nil {
			t.Fatalf("listing messages: %v\n%s", err, m.Logs())
		}
		var out []string
		for _, s := range msgs {
			out = append(out, s.Subject)
		}
		return out
	}
	for _, x := range []struct {
		m       *Mailpit
		subject string
	}{{a, "to-a"}, {b, "to-b"}} {
		mail := strings.Replace(testMail, "Subject: hello", "Subject: "+x.subject, 1)
		if err := smtp.SendMail(x.m.SMTPAddr(), nil, "a@example.com", []string{"b@example.com"}, []byte(mail)); err != nil {
			t.Fatalf("send %s: %v\n%s", x.subject, err, x.m.Logs())
		}
	}
	polltest.Until(t, 5*time.Second, "each instance to list its own message", func() bool {
		return slices.Contains(subjects(a), "to-a") && slices.Contains(subjects(b), "to-b")
	})
	if got := subjects(a); !slices.Equal(got, []string{"to-a"}) {
		t.Errorf("instance a lists %q; want only its own [to-a]", got)
	}
	if got := subjects(b); !slices.Equal(got, []string{"to-b"}) {
		t.Errorf("instance b lists %q; want only its own [to-b]", got)
	}
}

func TestBinaryHonoursVIGIL_MAILPIT(t *testing.T) {
	t.Setenv("VIGIL_MAILPIT", "/nonexistent/mailpit")
	if _, err := Binary(); err == nil || !strings.Contains(err.Error(), "VIGIL_MAILPIT") {
		t.Fatalf("err = %v, want one naming VIGIL_MAILPIT", err)
	}
}

// TestStopRestartKeepsPortsAndMessages: an outage refuses SMTP, and the
// restarted instance answers on the same addresses with the mail it had.
func TestStopRestartKeepsPortsAndMessages(t *testing.T) {
	m := StartWith(t, Options{Args: []string{"--max", "0"}})
	ctx := context.Background()
	if err := smtp.SendMail(m.SMTPAddr(), nil, "a@example.com", []string{"b@example.com"}, []byte(testMail)); err != nil {
		t.Fatalf("send: %v\n%s", err, m.Logs())
	}
	m.WaitFor(t, func(s []Summary) bool { return len(s) == 1 }, 5*time.Second)
	m.Stop()
	if m.Running() {
		t.Fatal("Running after Stop")
	}
	if err := smtp.SendMail(m.SMTPAddr(), nil, "a@example.com", []string{"b@example.com"}, []byte(testMail)); err == nil {
		t.Fatal("SMTP accepted mail while stopped")
	}
	m.Restart(t)
	if n, err := m.Count(ctx); err != nil || n != 1 {
		t.Fatalf("after restart: Count = %d, %v; want the message kept", n, err)
	}
	if err := smtp.SendMail(m.SMTPAddr(), nil, "a@example.com", []string{"b@example.com"}, []byte(testMail)); err != nil {
		t.Fatalf("send after restart: %v", err)
	}
	all, err := m.AllMessages(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("AllMessages = %d, %v; want 2", len(all), err)
	}
}
