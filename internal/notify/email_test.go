package notify

import (
	"bytes"
	"encoding/base64"
	"flag"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const testConsole = "https://vigil.example.com/console/"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

func build(t *testing.T, name string) Message {
	t.Helper()
	m, err := BuildEmail([]string{"Security Team <sec@example.com>", "oncall@example.com"},
		`"vigil" <vigil@alerts.example.com>`, "ev-"+name, readFixture(t, name), testConsole)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// golden compares got with testdata/<name>.golden, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestBuildEmailGolden(t *testing.T) {
	cases := []struct {
		fixture, subject string
		lines            []string // must appear in the text body
	}{
		{"docker-socket",
			"[vigil] MEDIUM PrivilegeEscalation:Runtime/DockerSocketAccessed in container 3f2a9c1e7b5d…",
			[]string{
				"MEDIUM 5.0 PrivilegeEscalation:Runtime/DockerSocketAccessed",
				"The Docker socket was accessed from container web.",
				"  Name:              <script>alert(1)</script>",
				"  Path:              /tmp/<img src=x onerror=alert(1)>",
				"  PID:               31337 (namespace PID 42)",
				"  User:              root (uid 0, euid 0)",
				"  Lineage:           sh (pid 31300, /bin/sh) ← runc:[2:INIT] (pid 31290, /usr/bin/runc)",
				"  socketPath:        /var/run/docker.sock",
				"View in the console: https://vigil.example.com/console/findings/6ac5e1f07d2b4c0f9e8b1a2c3d4e5f60",
				`  "detail-type": "GuardDuty Finding",`,
			}},
		{"sample",
			"[SAMPLE] [vigil] MEDIUM PrivilegeEscalation:Runtime/DockerSocketAccessed in container GeneratedFindingContainerId",
			[]string{"[SAMPLE] This is a sample finding; no real activity took place.", "  Name:              GeneratedFindingProcessName"}},
		{"unhealthy",
			"[vigil] Runtime Protection UNHEALTHY: instance i-0abc123def4567890 (No Agent Reporting:Agent disconnected)",
			[]string{"Runtime Protection UNHEALTHY", "  Status:            HEALTHY → UNHEALTHY", "  Issue:             No Agent Reporting:Agent disconnected"}},
		{"unknown", "AWS Notification Message", nil},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			m := build(t, c.fixture)
			if m.Subject != c.subject {
				t.Errorf("subject\n got %q\nwant %q", m.Subject, c.subject)
			}
			for _, l := range c.lines {
				if !strings.Contains(m.Text, l+"\n") {
					t.Errorf("text body lacks line %q", l)
				}
			}
			golden(t, c.fixture, "Subject: "+m.Subject+"\n\n"+m.Text)
		})
	}
}

func TestBuildEmailUnknownIsSNSLike(t *testing.T) {
	payload := readFixture(t, "unknown")
	m := build(t, "unknown")
	if m.Text != string(payload)+"\n" {
		t.Errorf("text body = %q, want the event JSON as is", m.Text)
	}
	if strings.Contains(m.HTML, "<b>THREATS_FOUND</b>") {
		t.Error("HTML body carries unescaped markup from the event")
	}
}

func TestBuildEmailEscapesHTML(t *testing.T) {
	m := build(t, "docker-socket")
	for _, bad := range []string{"<script>", "<img src=x"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML body contains unescaped %q", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"/tmp/&lt;img src=x onerror=alert(1)&gt;",
		"&amp; may control the host",
		`<a href="https://vigil.example.com/console/findings/6ac5e1f07d2b4c0f9e8b1a2c3d4e5f60">`,
	} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML body lacks %q", want)
		}
	}
}

func TestBuildEmailRejectsBadInput(t *testing.T) {
	p := readFixture(t, "docker-socket")
	if _, err := BuildEmail(nil, "v@example.com", "e", p, ""); err == nil {
		t.Error("no recipients: want error")
	}
	if _, err := BuildEmail([]string{"nope"}, "v@example.com", "e", p, ""); err == nil {
		t.Error("bad recipient: want error")
	}
}

func TestBuildEmailOfText(t *testing.T) {
	m, err := BuildEmail([]string{"a@example.com"}, "v@example.com", "e", []byte(`"Finding <X> severity 8"`+"\n"+`"second line"`), "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != genericSubject || !strings.Contains(m.Text, `"Finding <X> severity 8"`) || !strings.Contains(m.HTML, "Finding &lt;X&gt;") || len(m.Attachments) != 0 {
		t.Fatalf("text mail: %q / %q / %q / %d attachments", m.Subject, m.Text, m.HTML, len(m.Attachments))
	}
}

func TestTopicMails(t *testing.T) {
	conf := []byte(`{"Type":"SubscriptionConfirmation","TopicArn":"secops","Message":"m","SubscribeURL":"http://127.0.0.1:8080/confirm?subscription=s1&token=abc"}`)
	m, err := BuildEmail([]string{"a@example.com"}, "v@example.com", "e", conf, "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "vigil Notification - Subscription Confirmation" || !strings.Contains(m.Text, "subscribe to the topic: secops") ||
		!strings.Contains(m.Text, "http://127.0.0.1:8080/confirm?subscription=s1&token=abc") || !strings.Contains(m.HTML, "confirm?subscription=s1&amp;token=abc") {
		t.Fatalf("confirmation mail: %q\n%s\n%s", m.Subject, m.Text, m.HTML)
	}
	p := readFixture(t, "docker-socket")
	f, err := BuildEmail([]string{"a@example.com"}, "v@example.com", "e", p, "")
	if err != nil {
		t.Fatal(err)
	}
	u := WithUnsubscribe(f, "http://h/unsubscribe?subscription=s1&token=abc")
	if !strings.HasSuffix(u.Text, "to unsubscribe:\nhttp://h/unsubscribe?subscription=s1&token=abc\n") ||
		!strings.Contains(u.HTML, `href="http://h/unsubscribe?subscription=s1&amp;token=abc"`) ||
		u.Headers["List-Unsubscribe"] != "<http://h/unsubscribe?subscription=s1&token=abc>" || f.Headers["List-Unsubscribe"] != "" {
		t.Fatalf("unsubscribe footer: %s\n%s\n%v", u.Text, u.HTML, u.Headers)
	}
	raw, err := BuildRawEmail([]string{"a@example.com"}, "v@example.com", "e", p, "")
	if err != nil || raw.Text != string(p)+"\n" || raw.HTML != "" || raw.Subject != genericSubject {
		t.Fatalf("email-json: %v %q", err, raw.Subject)
	}
}

// TestBuildRawEmailIsBuildEmailWithRawBody: the email-json mail is the
// formatted mail's envelope and headers with the payload as its only body.
func TestBuildRawEmailIsBuildEmailWithRawBody(t *testing.T) {
	payloads := [][]byte{[]byte("plain text"), []byte(`"quoted"`), []byte(`{"a":1}`),
		[]byte(`{"Type":"SubscriptionConfirmation","TopicArn":"t","SubscribeURL":"http://h/c"}`)}
	for _, name := range []string{"docker-socket", "sample", "unhealthy", "unknown"} {
		payloads = append(payloads, readFixture(t, name))
	}
	for _, p := range payloads {
		want, err := BuildEmail([]string{"a@example.com", "b@example.com"}, `"vigil" <v@example.com>`, "ev-1", p, "https://console.example/")
		if err != nil {
			t.Fatal(err)
		}
		want.Subject, want.Text, want.HTML, want.Attachments = genericSubject, string(p)+"\n", "", nil
		got, err := BuildRawEmail([]string{"a@example.com", "b@example.com"}, `"vigil" <v@example.com>`, "ev-1", p, "https://console.example/")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Raw(), want.Raw()) || got.envelopeFrom() != want.envelopeFrom() || strings.Join(got.To, ",") != strings.Join(want.To, ",") {
			t.Errorf("payload %.40q: raw mail differs:\n%s\nwant:\n%s", p, got.Raw(), want.Raw())
		}
	}
	for _, c := range []struct {
		to   []string
		from string
	}{{nil, "v@example.com"}, {[]string{"a@example.com"}, "not an address"}, {[]string{"bad"}, "v@example.com"}} {
		_, wantErr := BuildEmail(c.to, c.from, "e", []byte("x"), "")
		_, gotErr := BuildRawEmail(c.to, c.from, "e", []byte("x"), "")
		if wantErr == nil || gotErr == nil || gotErr.Error() != wantErr.Error() {
			t.Errorf("to %v from %q: BuildRawEmail error %v, BuildEmail error %v", c.to, c.from, gotErr, wantErr)
		}
	}
}

func TestBuildEmailNoConsoleLinkWithoutURL(t *testing.T) {
	m, err := BuildEmail([]string{"a@example.com"}, "v@example.com", "e", readFixture(t, "docker-socket"), "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "console") || strings.Contains(m.HTML, "<a href") {
		t.Error("console link present without a console URL")
	}
}

// TestRawParses reads Raw back with the standard MIME readers: headers,
// both alternatives and the attachment must round-trip.
func TestRawParses(t *testing.T) {
	m := build(t, "docker-socket")
	raw := m.Raw()
	if !bytes.Equal(raw, build(t, "docker-socket").Raw()) {
		t.Fatal("Raw is not deterministic")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != m.Subject {
		t.Errorf("Subject header decodes to %q (%v), want %q", subj, err, m.Subject)
	}
	if got := msg.Header.Get("Message-Id"); got != "<ev-docker-socket@alerts.example.com>" {
		t.Errorf("Message-ID = %q", got)
	}
	if got := msg.Header.Get("Date"); got != "Mon, 01 Jun 2026 10:52:41 +0000" {
		t.Errorf("Date = %q", got)
	}
	if got := msg.Header.Get("To"); got != "sec@example.com, oncall@example.com" {
		t.Errorf("To = %q", got)
	}
	parts := readParts(t, msg.Header.Get("Content-Type"), msg.Body)
	crlf := strings.NewReplacer("\r\n", "\n") // text parts travel with CRLF line ends
	if crlf.Replace(parts["text/plain"]) != m.Text || crlf.Replace(parts["text/html"]) != m.HTML {
		t.Error("text or html part does not round-trip")
	}
	if parts["attachment event.json"] != string(readFixture(t, "docker-socket")) {
		t.Errorf("event.json = %q", parts["attachment event.json"])
	}
}

// readParts walks a multipart body and returns decoded leaves by media
// type, attachments as "attachment <filename>".
func readParts(t *testing.T, contentType string, body io.Reader) map[string]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("content type %q: %v", contentType, err)
	}
	out := map[string]string{}
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		ct := p.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/") {
			for k, v := range readParts(t, ct, p) {
				out[k] = v
			}
			continue
		}
		var dec io.Reader = p
		switch p.Header.Get("Content-Transfer-Encoding") {
		case "quoted-printable":
			dec = quotedprintable.NewReader(p)
		case "base64":
			dec = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, err := io.ReadAll(dec)
		if err != nil {
			t.Fatal(err)
		}
		key, _, _ := mime.ParseMediaType(ct)
		if fn := p.FileName(); fn != "" {
			key = "attachment " + fn
		}
		out[key] = string(b)
	}
}
