package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/mailpittest"
	"github.com/vigilsec/vigil/internal/polltest"
)

// call makes a raw HTTP request to the API, as any client would.
func call(t *testing.T, h *harness, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+h.srv.APIAddr()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

func errCode(out map[string]any) (code, path, msg string) {
	e, _ := out["error"].(map[string]any)
	code, _ = e["code"].(string)
	path, _ = e["path"].(string)
	msg, _ = e["message"].(string)
	return
}

func TestAPIErrorCatalogue(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.srv.AdminToken
	cases := []struct {
		name, method, path, token, body string
		status                          int
		code, errPath, msg              string
	}{
		{"no token", "GET", "/api/v1/findings", "", "", 401, "UnauthorizedException", "", "token"},
		{"wrong token", "GET", "/api/v1/findings", "nope", "", 401, "UnauthorizedException", "", "token"},
		{"unknown finding", "GET", "/api/v1/findings/abc", tok, "", 404, "NotFoundException", "", "abc"},
		{"unknown route", "GET", "/api/v1/nothing", tok, "", 404, "NotFoundException", "", "no route"},
		{"bad type filter", "GET", "/api/v1/findings?type=Nope", tok, "", 400, "BadRequestException", "type", "Nope"},
		{"bad archived", "GET", "/api/v1/findings?archived=maybe", tok, "", 400, "BadRequestException", "archived", "maybe"},
		{"bad maxResults", "GET", "/api/v1/findings?maxResults=0", tok, "", 400, "BadRequestException", "maxResults", "1 to"},
		{"bad cursor", "GET", "/api/v1/findings?nextToken=zzz", tok, "", 400, "BadRequestException", "nextToken", "cursor"},
		{"unknown body field", "POST", "/api/v1/findings/samples", tok, `{"types":[]}`, 400, "BadRequestException", "body", "unknown field"},
		{"not JSON", "PUT", "/api/v1/rules/r1", tok, `{`, 400, "BadRequestException", "body", "invalid JSON"},
		{"trailing data", "PUT", "/api/v1/rules/r1", tok, `{} {}`, 400, "BadRequestException", "body", "trailing"},
		{"name mismatch", "PUT", "/api/v1/rules/r1", tok, `{"name":"r2"}`, 400, "BadRequestException", "name", "r2"},
		{"rule without targets", "PUT", "/api/v1/rules/r1", tok, `{"pattern":{"source":["x"]},"enabled":true}`, 400, "BadRequestException", "", "target"},
		{"delete unknown rule", "DELETE", "/api/v1/rules/none", tok, "", 404, "NotFoundException", "", "none"},
		{"too large", "PUT", "/api/v1/rules/r1", tok, `{"description":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "PayloadTooLargeException", "", "bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := call(t, h, c.method, c.path, c.token, c.body)
			code, path, msg := errCode(out)
			if status != c.status || code != c.code || path != c.errPath || !strings.Contains(msg, c.msg) {
				t.Fatalf("got %d %s path=%q %q; want %d %s path=%q containing %q", status, code, path, msg, c.status, c.code, c.errPath, c.msg)
			}
		})
	}
}

func TestHealthzAndMetricsNeedNoToken(t *testing.T) {
	h := newHarness(t, nil)
	if status, _ := call(t, h, "GET", "/healthz", "", ""); status != 200 {
		t.Fatalf("/healthz %d", status)
	}
	h.srv.SetReady(func() error { return errTest("local agent not connected") })
	status, out := call(t, h, "GET", "/healthz", "", "")
	if code, _, msg := errCode(out); status != 503 || code != "ServiceUnavailableException" || msg != "local agent not connected" {
		t.Fatalf("/healthz when not ready: %d %v", status, out)
	}
	resp, err := http.Get("http://" + h.srv.APIAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "vigil_findings_created_total 0") || !strings.Contains(string(body), "vigil_outbox_pending 0") {
		t.Fatalf("/metrics:\n%s", body)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

func TestConsoleNeedsLoginAndEscapes(t *testing.T) {
	h := newHarness(t, nil)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + h.srv.APIAddr()
	resp, err := noRedirect.Get(base + "/findings")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("console without login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = noRedirect.PostForm(base+"/login", url.Values{"token": {h.srv.AdminToken}, "next": {"//evil.example"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/findings" {
		t.Fatalf("login redirects to %q, want /findings (no open redirect)", loc)
	}
	cookie := resp.Cookies()[0]
	if _, err := h.client.CreateSampleFindings(t.Context(), []string{"PrivilegeEscalation:Runtime/DockerSocketAccessed"}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", base+"/findings", nil)
	req.AddCookie(cookie)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "PrivilegeEscalation:Runtime/DockerSocketAccessed") {
		t.Fatalf("console findings page %d:\n%s", resp.StatusCode, page)
	}
}

func TestTestPatternAPI(t *testing.T) {
	h := newHarness(t, nil)
	ok, err := h.client.TestEventPattern(t.Context(), []byte(`{"detail":{"severity":[{"numeric":[">=",7]}]}}`), []byte(`{"detail":{"severity":8}}`))
	if err != nil || !ok {
		t.Fatalf("match: %v %v", ok, err)
	}
	// EventBridge's API takes both as JSON strings; that works too.
	ok, err = h.client.TestEventPattern(t.Context(), []byte(`"{\"source\":[\"x\"]}"`), []byte(`"{\"source\":\"y\"}"`))
	if err != nil || ok {
		t.Fatalf("string form, no match: %v %v", ok, err)
	}
	status, out := call(t, h, "POST", "/api/v1/events/test-pattern", h.srv.AdminToken, `{"eventPattern":{"a":[{"prefix":3}]},"event":{"a":"b"}}`)
	code, path, _ := errCode(out)
	if status != 400 || code != "InvalidEventPatternException" || path != "a" {
		t.Fatalf("invalid pattern: %d %v", status, out)
	}
}

func TestEnableDisableRule(t *testing.T) {
	h := newHarness(t, nil)
	putSeedRule(t, h)
	r, err := h.client.SetRuleEnabled(t.Context(), "seed", false)
	if err != nil || r.Enabled {
		t.Fatalf("disable: %+v %v", r, err)
	}
	up, _ := h.agent(t, "a9")
	up.Send(dockerConnect(901, strings.Repeat("cd", 32)))
	polltest.Until(t, 10*time.Second, "finding", func() bool {
		fs, err := h.client.ListFindings(t.Context(), nil)
		return err == nil && len(fs) == 1
	})
	// The finding and its deliveries are stored in one transaction, so
	// once the outbox is empty anything routed to the rule has been sent
	// or dead-lettered: neither may have happened.
	polltest.Until(t, 10*time.Second, "an empty outbox", func() bool {
		n, err := h.srv.store.PendingDeliveries(t.Context())
		return err == nil && n == 0
	})
	if ms, err := h.mail.Messages(t.Context()); err != nil || len(ms) != 0 {
		t.Fatalf("a disabled rule sent %d mails (%v)", len(ms), err)
	}
	if dls, err := h.client.ListDeadLetters(t.Context()); err != nil || len(dls) != 0 {
		t.Fatalf("a disabled rule made dead letters: %+v %v", dls, err)
	}
	if _, err := h.client.SetRuleEnabled(t.Context(), "nope", true); err == nil {
		t.Fatal("enabling a missing rule succeeded")
	}
}

func TestDeadLettersListAndRedrive(t *testing.T) {
	h := newHarness(t, nil)
	putSeedRule(t, h)
	// The relay refuses every recipient for good (550): the delivery is
	// dead-lettered at once.
	if err := h.mail.SetChaos(t.Context(), mailpittest.Chaos{Recipient: &mailpittest.ChaosTrigger{ErrorCode: 550, Probability: 100}}); err != nil {
		t.Fatal(err)
	}
	up, _ := h.agent(t, "a10")
	up.Send(dockerConnect(1001, strings.Repeat("ef", 32)))
	var dls []api.DeadLetter
	polltest.Until(t, 10*time.Second, "a dead letter", func() bool {
		var err error
		dls, err = h.client.ListDeadLetters(t.Context())
		return err == nil && len(dls) == 1
	})
	if d := dls[0]; d.Rule != "seed" || d.Kind != "email" || !strings.Contains(d.Reason, "PermanentFailure") || !strings.Contains(string(d.Payload), "DockerSocketAccessed") {
		t.Fatalf("dead letter %+v", d)
	}
	if err := h.mail.SetChaos(t.Context(), mailpittest.Chaos{}); err != nil {
		t.Fatal(err)
	}
	n, err := h.client.Redrive(t.Context(), nil)
	if err != nil || n != 1 {
		t.Fatalf("redrive: %d %v", n, err)
	}
	h.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return len(ms) == 1 }, 10*time.Second)
	if dls, _ := h.client.ListDeadLetters(t.Context()); len(dls) != 0 {
		t.Fatalf("dead letters after redrive: %+v", dls)
	}
}
