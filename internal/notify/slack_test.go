package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
)

func buildSlack(t *testing.T, payload []byte) SlackMessage {
	t.Helper()
	m, err := BuildSlack("ev-1", payload, testConsole)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func slackJSONString(t *testing.T, m SlackMessage) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // goldens stay readable: &lt; rather than \u0026lt;
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestBuildSlackGolden pins the whole message for each fixture; the
// assertions below say which parts matter and why.
func TestBuildSlackGolden(t *testing.T) {
	cases := []struct{ fixture, text string }{
		{"docker-socket", "[vigil] MEDIUM PrivilegeEscalation:Runtime/DockerSocketAccessed in container 3f2a9c1e7b5d…"},
		{"sample", "[SAMPLE] [vigil] MEDIUM PrivilegeEscalation:Runtime/DockerSocketAccessed in container GeneratedFindingContainerId"},
		{"unhealthy", "[vigil] Runtime Protection UNHEALTHY: instance i-0abc123def4567890 (No Agent Reporting:Agent disconnected)"},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			m := buildSlack(t, readFixture(t, c.fixture))
			if m.Text != c.text {
				t.Errorf("text\n got %q\nwant %q", m.Text, c.text)
			}
			golden(t, "slack-"+c.fixture, slackJSONString(t, m))
		})
	}
	t.Run("unknown", func(t *testing.T) {
		m := buildSlack(t, readFixture(t, "unknown"))
		if len(m.Blocks) != 0 || !strings.HasPrefix(m.Text, "```\n{\n") || !strings.HasSuffix(m.Text, "}\n```") {
			t.Errorf("unknown event not shown as a JSON code block: %q", m.Text)
		}
		golden(t, "slack-unknown", slackJSONString(t, m))
	})
}

func TestBuildSlackFinding(t *testing.T) {
	m := buildSlack(t, readFixture(t, "docker-socket"))
	if len(m.Blocks) != 3 || m.Blocks[0].Type != "section" || m.Blocks[1].Type != "section" || m.Blocks[2].Type != "context" {
		t.Fatalf("blocks = %+v", m.Blocks)
	}
	heading := m.Blocks[0].Text.Text
	for _, want := range []string{
		"*MEDIUM 5.0* PrivilegeEscalation:Runtime/DockerSocketAccessed\n",
		"*The Docker socket was accessed from container web.*\n",
		"Process &lt;script&gt;alert(1)&lt;/script&gt; in container web accessed the Docker socket /var/run/docker.sock &amp; may control the host.",
	} {
		if !strings.Contains(heading, want) {
			t.Errorf("heading lacks %q:\n%s", want, heading)
		}
	}
	var fields []string
	for _, f := range m.Blocks[1].Fields {
		fields = append(fields, f.Text)
	}
	wantFields := []string{
		"*Resource*\ncontainer 3f2a9c1e7b5d…",
		"*Process*\n&lt;script&gt;alert(1)&lt;/script&gt; (pid 31337, user root)\n/tmp/&lt;img src=x onerror=alert(1)&gt;",
		"*Account*\n111122223333",
		"*Region*\neu-west-1",
		"*Last seen*\n2026-06-01T10:47:19.000Z",
		"*Count*\n3",
	}
	if strings.Join(fields, "|") != strings.Join(wantFields, "|") {
		t.Errorf("fields\n got %q\nwant %q", fields, wantFields)
	}
	footer := m.Blocks[2].Elements
	if len(footer) != 3 ||
		footer[0].Text != "<https://vigil.example.com/console/findings/6ac5e1f07d2b4c0f9e8b1a2c3d4e5f60|View in the console>" ||
		footer[1].Text != "Finding 6ac5e1f07d2b4c0f9e8b1a2c3d4e5f60" || footer[2].Text != "Event ev-1" {
		t.Errorf("footer = %+v", footer)
	}
}

// TestBuildSlackEscapes checks that nothing from the event reaches Slack
// as markup: no raw <, > or & outside our own console link.
func TestBuildSlackEscapes(t *testing.T) {
	payload := readFixture(t, "docker-socket")
	payload = []byte(strings.NewReplacer(
		`"name":"<script>alert(1)</script>"`, `"name":"<!channel> & <https://evil.example|click>"`,
		`"title":"The Docker socket`, `"title":"<@U123> The Docker socket`,
	).Replace(string(payload)))
	m := buildSlack(t, payload)
	link := "<https://vigil.example.com/console/findings/6ac5e1f07d2b4c0f9e8b1a2c3d4e5f60|View in the console>"
	all := m.Text
	for _, b := range m.Blocks {
		if b.Text != nil {
			all += b.Text.Text
		}
		for _, f := range append(b.Fields, b.Elements...) {
			all += strings.Replace(f.Text, link, "", 1)
		}
	}
	if strings.ContainsAny(strings.NewReplacer("&amp;", "", "&lt;", "", "&gt;", "").Replace(all), "<>&") {
		t.Errorf("unescaped markup in\n%s", all)
	}
	for _, want := range []string{"&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;", "*&lt;@U123&gt; The Docker socket"} {
		if !strings.Contains(all, want) {
			t.Errorf("lacks %q", want)
		}
	}
}

func TestBuildSlackOtherPayloads(t *testing.T) {
	cases := []struct {
		name, payload, text string
	}{
		{"plain text", "HIGH finding in web: <script> & co\nsecond line", "HIGH finding in web: &lt;script&gt; &amp; co\nsecond line"},
		{"quoted template", `"Severity 8 <b>"`, "Severity 8 &lt;b&gt;"},
		{"non-envelope JSON", `{"severity":8,"type":"x<y"}`, "```\n{\n  \"severity\": 8,\n  \"type\": \"x&lt;y\"\n}\n```"},
		{"number", `42`, "```\n42\n```"},
		{"fence inside JSON", "[\"```\"]", "```\n[\n  \"`\u200b`\u200b`\"\n]\n```"},
		{"finding without type falls back to JSON", `{"detail-type":"GuardDuty Finding","detail":{}}`,
			"```\n{\n  \"detail-type\": \"GuardDuty Finding\",\n  \"detail\": {}\n}\n```"},
		{"blank quoted string", `"  "`, "(empty message)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := buildSlack(t, []byte(c.payload))
			if m.Text != c.text || m.Blocks != nil {
				t.Errorf("got %q with %d blocks, want %q", m.Text, len(m.Blocks), c.text)
			}
		})
	}
	if _, err := BuildSlack("e", []byte(" \n"), ""); err == nil {
		t.Error("empty payload: want an error")
	}
}

func TestBuildSlackNoLinkWithoutConsole(t *testing.T) {
	m, err := BuildSlack("e", readFixture(t, "docker-socket"), "")
	if err != nil {
		t.Fatal(err)
	}
	if s := slackJSONString(t, m); strings.Contains(s, "View in the console") {
		t.Error("console link without a console URL")
	}
}

func TestEscapeMrkdwnLimits(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"a&b", 7, "a&amp;b"},
		{"a&b", 6, "a…"}, // never half an entity
		{"  x\ty\n z ", 10, "x y  z"},
		{"ééé", 2, "é…"},
	}
	for _, c := range cases {
		if got := escapeMrkdwn(c.in, c.max, false); got != c.want {
			t.Errorf("escapeMrkdwn(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
	long := strings.Repeat("<", 5000)
	if got := []rune(escapeMrkdwn(long, slackSectionMax, false)); len(got) > slackSectionMax {
		t.Errorf("%d runes, limit %d", len(got), slackSectionMax)
	}
}

func slackTarget(url string) bus.Target {
	return bus.Target{ID: "sl", Kind: bus.TargetSlack, Slack: &bus.SlackTarget{URL: url}}
}

func TestSlackSend(t *testing.T) {
	rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	s, err := NewSender(Config{SMTP: SMTPConfig{ConsoleURL: testConsole}})
	if err != nil {
		t.Fatal(err)
	}
	payload := readFixture(t, "docker-socket")
	if err := s.Send(context.Background(), slackTarget(rc.URL+"/services/T0/B0/xyz"), "ev-1", payload); err != nil {
		t.Fatal(err)
	}
	r, body := <-rc.got, <-rc.bod
	if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("%s with %q", r.Method, r.Header.Get("Content-Type"))
	}
	var got SlackMessage
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if slackJSONString(t, got) != slackJSONString(t, buildSlack(t, payload)) {
		t.Errorf("posted message differs from BuildSlack's (console URL from SMTP config?):\n%s", body)
	}
}

func TestSlackSendClassifies(t *testing.T) {
	cases := []struct {
		name      string
		handle    func(http.ResponseWriter, *http.Request)
		permanent bool
	}{
		{"400 invalid_payload", status(400), true},
		{"403 invalid_token", status(403), true},
		{"410 channel_is_archived", status(410), true},
		{"429 rate limited", status(429, "Retry-After", "1"), false},
		{"500 rollup_error", status(500), false},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := newReceiver(t, c.handle)
			err := httpSender(t, 300*time.Millisecond).Send(context.Background(),
				slackTarget(rc.URL+"/services/T0/B0/SECRET"), "e", []byte(`"hello"`))
			if err == nil || bus.IsPermanent(err) != c.permanent {
				t.Fatalf("err = %v, want permanent=%v", err, c.permanent)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error leaks the webhook URL: %v", err)
			}
		})
	}
}
