package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/mailpittest"
)

func emailTarget(to ...string) bus.Target {
	return bus.Target{ID: "t1", Kind: bus.TargetEmail, Email: &bus.EmailTarget{To: to}}
}

func newSender(t *testing.T, cfg SMTPConfig) *Sender {
	t.Helper()
	if cfg.From == "" {
		cfg.From = `"vigil" <vigil@alerts.example.com>`
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSNone
	}
	cfg.ConsoleURL, cfg.Timeout = testConsole, 10*time.Second
	s, err := NewSender(Config{SMTP: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSendOverSMTP sends a finding to mailpit and reads it back as a mail
// client would: subject, recipients, escaped HTML, the attached event.
func TestSendOverSMTP(t *testing.T) {
	mp := mailpittest.Start(t)
	ctx := context.Background()
	payload := readFixture(t, "docker-socket")
	s := newSender(t, SMTPConfig{Addr: mp.SMTPAddr()})
	if err := s.Send(ctx, emailTarget("sec@example.com", "Oncall <oncall@example.com>"), "ev-1", payload); err != nil {
		t.Fatalf("send: %v\n%s", err, mp.Logs())
	}
	msgs := mp.WaitFor(t, func(m []mailpittest.Summary) bool { return len(m) == 1 }, 5*time.Second)
	sum := msgs[0]
	wantSubject := "[vigil] MEDIUM PrivilegeEscalation:Runtime/DockerSocketAccessed in container 3f2a9c1e7b5d…"
	if sum.Subject != wantSubject {
		t.Errorf("subject %q, want %q", sum.Subject, wantSubject)
	}
	if sum.MessageID != "ev-1@alerts.example.com" || sum.From.Address != "vigil@alerts.example.com" || sum.From.Name != "vigil" {
		t.Errorf("message id / from: %+v", sum)
	}
	if len(sum.To) != 2 || sum.To[0].Address != "sec@example.com" || sum.To[1].Address != "oncall@example.com" {
		t.Errorf("to = %+v", sum.To)
	}
	full, err := mp.Message(ctx, sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(full.Text, "  Name:              <script>alert(1)</script>") {
		t.Errorf("text body lacks the process name:\n%s", full.Text)
	}
	if strings.Contains(full.HTML, "<script>") || !strings.Contains(full.HTML, "&lt;script&gt;") {
		t.Errorf("HTML body not escaped:\n%s", full.HTML)
	}
	if len(full.Attachments) != 1 || full.Attachments[0].FileName != "event.json" {
		t.Fatalf("attachments = %+v", full.Attachments)
	}
	got, err := mp.Part(ctx, sum.ID, full.Attachments[0].PartID)
	if err != nil || string(got) != string(payload) {
		t.Errorf("event.json = %q, %v", got, err)
	}
}

// TestSendClassifiesErrors checks what the bus will retry: 4xx and network
// errors are temporary, 5xx permanent.
func TestSendClassifiesErrors(t *testing.T) {
	mp := mailpittest.Start(t)
	ctx := context.Background()
	payload := readFixture(t, "unhealthy")
	s := newSender(t, SMTPConfig{Addr: mp.SMTPAddr()})
	for _, c := range []struct {
		code      int
		permanent bool
	}{{451, false}, {550, true}} {
		if err := mp.SetChaos(ctx, mailpittest.Chaos{Recipient: &mailpittest.ChaosTrigger{ErrorCode: c.code, Probability: 100}}); err != nil {
			t.Fatal(err)
		}
		err := s.Send(ctx, emailTarget("ops@example.com"), "ev-h", payload)
		if err == nil || bus.IsPermanent(err) != c.permanent {
			t.Errorf("RCPT %d: err = %v, permanent %v; want permanent %v", c.code, err, bus.IsPermanent(err), c.permanent)
		}
	}
	if err := mp.SetChaos(ctx, mailpittest.Chaos{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, emailTarget("ops@example.com"), "ev-h", payload); err != nil {
		t.Fatalf("after chaos: %v", err)
	}

	down := newSender(t, SMTPConfig{Addr: closedAddr(t)})
	if err := down.Send(ctx, emailTarget("ops@example.com"), "ev-h", payload); err == nil || bus.IsPermanent(err) {
		t.Errorf("connection refused: err = %v, want a temporary error", err)
	}
	// Input shaping may deliver plain text: it is sent as the message.
	if err := s.Send(ctx, emailTarget("ops@example.com"), "ev-text", []byte("{not json")); err != nil {
		t.Errorf("text payload: err = %v, want it delivered", err)
	}
}

// TestSendPartialRejection: the accepted recipient gets the mail, the
// rejected one is reported as a permanent error (no retry, no duplicate).
func TestSendPartialRejection(t *testing.T) {
	mp := mailpittest.StartWith(t, mailpittest.Options{Args: []string{"--smtp-allowed-recipients", "^good@"}})
	s := newSender(t, SMTPConfig{Addr: mp.SMTPAddr()})
	err := s.Send(context.Background(), emailTarget("good@example.com", "bad@example.com"), "ev-p", readFixture(t, "sample"))
	if !bus.IsPermanent(err) || !strings.Contains(err.Error(), "bad@example.com") {
		t.Fatalf("err = %v, want a permanent error naming bad@example.com", err)
	}
	msgs := mp.WaitFor(t, func(m []mailpittest.Summary) bool { return len(m) == 1 }, 5*time.Second)
	if !strings.HasPrefix(msgs[0].Subject, "[SAMPLE] [vigil] ") {
		t.Errorf("subject = %q", msgs[0].Subject)
	}
}

// TestSendTLSAndAuth covers STARTTLS and implicit TLS with AUTH PLAIN against
// a mailpit that requires them, using a certificate made for the test.
func TestSendTLSAndAuth(t *testing.T) {
	certFile, keyFile, pool := selfSignedCert(t)
	authFile := filepath.Join(t.TempDir(), "auth")
	if err := os.WriteFile(authFile, []byte("alice:s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tlsArgs := []string{"--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-auth-file", authFile}
	payload := readFixture(t, "docker-socket")
	for _, c := range []struct{ mode, flag string }{{TLSStartTLS, "--smtp-require-starttls"}, {TLSImplicit, "--smtp-require-tls"}} {
		t.Run(c.mode, func(t *testing.T) {
			mp := mailpittest.StartWith(t, mailpittest.Options{Args: append([]string{c.flag}, tlsArgs...)})
			cfg := SMTPConfig{Addr: mp.SMTPAddr(), TLS: c.mode, Username: "alice", Password: "s3cret", RootCAs: pool}
			if err := newSender(t, cfg).Send(context.Background(), emailTarget("sec@example.com"), "ev-tls", payload); err != nil {
				t.Fatalf("send: %v\n%s", err, mp.Logs())
			}
			msgs := mp.WaitFor(t, func(m []mailpittest.Summary) bool { return len(m) == 1 }, 5*time.Second)
			if msgs[0].Username != "alice" {
				t.Errorf("authenticated user = %q, want alice", msgs[0].Username)
			}
			cfg.Password = "wrong"
			err := newSender(t, cfg).Send(context.Background(), emailTarget("sec@example.com"), "ev-tls", payload)
			if !bus.IsPermanent(err) {
				t.Errorf("wrong password: err = %v, want permanent", err)
			}
			cfg.Password, cfg.RootCAs = "s3cret", nil // untrusted certificate
			if err := newSender(t, cfg).Send(context.Background(), emailTarget("sec@example.com"), "ev-tls", payload); err == nil {
				t.Error("untrusted certificate accepted")
			}
		})
	}
}

func TestSenderRejectsUnknownKindAndMissingSMTP(t *testing.T) {
	s, err := NewSender(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), emailTarget("a@example.com"), "e", []byte(`{}`)); !bus.IsPermanent(err) {
		t.Errorf("email without SMTP: err = %v, want permanent", err)
	}
	if err := s.Send(context.Background(), bus.Target{ID: "x", Kind: "pager"}, "e", []byte(`{}`)); !bus.IsPermanent(err) {
		t.Errorf("unknown kind: err = %v, want permanent", err)
	}
}

func TestSMTPConfigValidate(t *testing.T) {
	ok := SMTPConfig{Addr: "mail.example.com:587", From: "v@example.com"}
	for name, c := range map[string]SMTPConfig{
		"no port":         {Addr: "mail.example.com", From: "v@example.com"},
		"bad from":        {Addr: ok.Addr, From: "nope"},
		"bad tls":         {Addr: ok.Addr, From: ok.From, TLS: "ssl3"},
		"clear-text auth": {Addr: ok.Addr, From: ok.From, TLS: TLSNone, Username: "u"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
	local := SMTPConfig{Addr: "127.0.0.1:25", From: ok.From, TLS: TLSNone, Username: "u"}
	if err := local.Validate(); err != nil {
		t.Errorf("clear-text auth to loopback: %v", err)
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// selfSignedCert writes a certificate for 127.0.0.1 and returns its files
// and a pool that trusts it.
func selfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
