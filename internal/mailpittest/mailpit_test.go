package mailpittest

import (
	"context"
	"net/smtp"
	"strings"
	"testing"
	"time"
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

func TestTwoInstancesDoNotClash(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.SMTPAddr() == b.SMTPAddr() || a.APIURL() == b.APIURL() {
		t.Fatal("instances share ports")
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
