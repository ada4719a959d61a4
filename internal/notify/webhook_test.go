package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
)

// testNow is 2026-06-01T10:52:41Z, the fixtures' event time.
var testNow = time.Date(2026, 6, 1, 10, 52, 41, 0, time.UTC)

const testNowUnix = "1780311161"

func TestBuildWebhook(t *testing.T) {
	finding := readFixture(t, "docker-socket")
	cases := []struct {
		name    string
		target  bus.WebhookTarget
		payload []byte
		want    http.Header
	}{
		{"finding, unsigned", bus.WebhookTarget{URL: "https://hooks.example.com/vigil"}, finding, http.Header{
			"Content-Type":      {"application/json"},
			"User-Agent":        {"vigil-webhook/1"},
			"X-Vigil-Event-Id":  {"ev-1"},
			"X-Vigil-Timestamp": {testNowUnix},
		}},
		{"finding, signed, custom headers", bus.WebhookTarget{
			URL: "https://hooks.example.com/vigil", Secret: "s3cret",
			Headers: map[string]string{"authorization": "Bearer abc", "X-Team": "secops", "User-Agent": "ours"},
		}, finding, http.Header{
			"Content-Type":      {"application/json"},
			"User-Agent":        {"ours"},
			"Authorization":     {"Bearer abc"},
			"X-Team":            {"secops"},
			"X-Vigil-Event-Id":  {"ev-1"},
			"X-Vigil-Timestamp": {testNowUnix},
			"X-Vigil-Signature": {independentSignature("s3cret", testNowUnix, finding)},
		}},
		{"plain text from an input template", bus.WebhookTarget{URL: "http://127.0.0.1:9/x", Secret: "k"},
			[]byte("Finding <b>HIGH</b> in web\n"), http.Header{
				"Content-Type":      {"text/plain; charset=utf-8"},
				"User-Agent":        {"vigil-webhook/1"},
				"X-Vigil-Event-Id":  {"ev-1"},
				"X-Vigil-Timestamp": {testNowUnix},
				"X-Vigil-Signature": {independentSignature("k", testNowUnix, []byte("Finding <b>HIGH</b> in web\n"))},
			}},
		{"JSON string and numbers are JSON", bus.WebhookTarget{URL: "https://h.example/"}, []byte(`"HIGH in web"`), http.Header{
			"Content-Type":      {"application/json"},
			"User-Agent":        {"vigil-webhook/1"},
			"X-Vigil-Event-Id":  {"ev-1"},
			"X-Vigil-Timestamp": {testNowUnix},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := BuildWebhook(c.target, "ev-1", c.payload, testNow)
			if err != nil {
				t.Fatal(err)
			}
			want := WebhookRequest{Method: "POST", URL: c.target.URL, Headers: c.want, Body: c.payload}
			if !reflect.DeepEqual(req, want) {
				t.Errorf("request\n got %+v\nwant %+v", req, want)
			}
			if &req.Body[0] == &c.payload[0] {
				t.Error("body shares the caller's payload slice")
			}
		})
	}
}

// independentSignature computes the documented scheme without SignWebhook.
func independentSignature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// TestWebhookSignatureKnownAnswer pins the scheme to a value computed
// outside Go: printf '1780311161.{"a":1}' | openssl dgst -sha256 -hmac s3cret
func TestWebhookSignatureKnownAnswer(t *testing.T) {
	const want = "sha256=ed761dbe1231ca00e78ac3062c5956bd318ae4a1238bfcfd00875dde4aae4995"
	got := SignWebhook("s3cret", testNowUnix, []byte(`{"a":1}`))
	if got != want || got != independentSignature("s3cret", testNowUnix, []byte(`{"a":1}`)) {
		t.Fatalf("SignWebhook = %s, want %s", got, want)
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed; the HMAC was checked independently in Go")
	}
	// The shell verification snippet of docs/targets/webhook.md.
	cmd := exec.Command("sh", "-c", `printf '%s.%s' "$TS" "$BODY" | "$OPENSSL" dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1`)
	cmd.Env = []string{"TS=" + testNowUnix, `BODY={"a":1}`, "SECRET=s3cret", "OPENSSL=" + openssl, "PATH=/usr/bin:/bin"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if "sha256="+strings.TrimSpace(string(out)) != got {
		t.Errorf("openssl says sha256=%s, SignWebhook %s", strings.TrimSpace(string(out)), got)
	}
}

func TestBuildWebhookRefusesReservedHeaders(t *testing.T) {
	for _, name := range []string{"Content-Type", "content-length", "HOST", "Transfer-Encoding", "Connection",
		"X-Vigil-Signature", "x-vigil-event-id", "X-Vigil-Timestamp", "X-Vigil-Anything", "Bad Name", "", "X:Y"} {
		t.Run(name, func(t *testing.T) {
			target := bus.WebhookTarget{URL: "https://h.example/", Headers: map[string]string{name: "v"}}
			if _, err := BuildWebhook(target, "e", []byte(`{}`), testNow); err == nil {
				t.Errorf("header %q accepted", name)
			}
		})
	}
	for _, value := range []string{"a\r\nX-Vigil-Signature: forged", "a\nb", "a\x00b"} {
		target := bus.WebhookTarget{URL: "https://h.example/", Headers: map[string]string{"X-Ok": value}}
		if _, err := BuildWebhook(target, "e", []byte(`{}`), testNow); err == nil {
			t.Errorf("header value %q accepted", value)
		}
	}
	req, err := BuildWebhook(bus.WebhookTarget{URL: "https://h.example/"}, "ev\r\nX-Evil: 1", []byte(`{}`), testNow)
	if err != nil || req.Headers.Get(HeaderEventID) != "evX-Evil: 1" {
		t.Errorf("event id header = %q, %v: want control characters dropped", req.Headers.Get(HeaderEventID), err)
	}
}

// receiver is a local webhook endpoint that records what it got and
// answers with status.
type receiver struct {
	*httptest.Server
	got chan *http.Request
	bod chan []byte
}

func newReceiver(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{got: make(chan *http.Request, 10), bod: make(chan []byte, 10)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.got <- r
		rc.bod <- b
		handle(w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func status(code int, hdr ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
	}
}

func httpSender(t *testing.T, timeout time.Duration) *Sender {
	t.Helper()
	s, err := NewSender(Config{HTTP: HTTPConfig{Timeout: timeout}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func webhookTarget(url, secret string) bus.Target {
	return bus.Target{ID: "wh", Kind: bus.TargetWebhook, Webhook: &bus.WebhookTarget{URL: url, Secret: secret}}
}

// TestWebhookSendVerifies delivers to a receiver that checks the signature
// as docs/targets/webhook.md tells receivers to.
func TestWebhookSendVerifies(t *testing.T) {
	payload := readFixture(t, "docker-socket")
	rc := newReceiver(t, status(http.StatusNoContent))
	s := httpSender(t, 5*time.Second)
	if err := s.Send(context.Background(), webhookTarget(rc.URL+"/hook", "s3cret"), "ev-9", payload); err != nil {
		t.Fatal(err)
	}
	r, body := <-rc.got, <-rc.bod
	if r.Method != "POST" || r.URL.Path != "/hook" || string(body) != string(payload) {
		t.Errorf("got %s %s with %d bytes", r.Method, r.URL.Path, len(body))
	}
	if r.Header.Get("Content-Type") != "application/json" || r.Header.Get(HeaderEventID) != "ev-9" {
		t.Errorf("headers %v", r.Header)
	}
	if err := verifyLikeAReceiver("s3cret", r.Header, body, time.Now()); err != nil {
		t.Error(err)
	}
}

// verifyLikeAReceiver is the Go snippet of docs/targets/webhook.md.
func verifyLikeAReceiver(secret string, h http.Header, body []byte, now time.Time) error {
	ts := h.Get("X-Vigil-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("stale timestamp")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(h.Get("X-Vigil-Signature"))) {
		return errors.New("bad signature")
	}
	return nil
}

func TestWebhookSendClassifies(t *testing.T) {
	cases := []struct {
		name      string
		handle    func(http.ResponseWriter, *http.Request)
		permanent bool
		after     time.Duration
	}{
		{"500 retryable", status(500), false, 0},
		{"503 with Retry-After", status(503, "Retry-After", "120"), false, 2 * time.Minute},
		{"429 retryable", status(429, "Retry-After", "7"), false, 7 * time.Second},
		{"408 retryable", status(408), false, 0},
		{"400 permanent", status(400), true, 0},
		{"404 permanent", status(404), true, 0},
		{"302 permanent, not followed", status(302, "Location", "http://127.0.0.1:1/elsewhere"), true, 0},
		{"timeout retryable", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := newReceiver(t, c.handle)
			s := httpSender(t, 300*time.Millisecond)
			err := s.Send(context.Background(), webhookTarget(rc.URL+"/secret-path?token=x", ""), "e", []byte(`{}`))
			if err == nil {
				t.Fatal("want an error")
			}
			if got := bus.IsPermanent(err); got != c.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, c.permanent, err)
			}
			var he *HTTPError
			if errors.As(err, &he) && he.RetryAfter() != c.after {
				t.Errorf("retry after %v, want %v", he.RetryAfter(), c.after)
			}
			if strings.Contains(err.Error(), "secret-path") || strings.Contains(err.Error(), "token") {
				t.Errorf("error quotes the URL's path or query: %v", err)
			}
			if len(rc.got) != 1 {
				t.Errorf("receiver saw %d requests, want 1 (no retries, no redirects)", len(rc.got))
			}
		})
	}
}

func TestWebhookSendNetworkErrorRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	err := httpSender(t, time.Second).Send(context.Background(), webhookTarget(url, ""), "e", []byte(`{}`))
	if err == nil || bus.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if !strings.Contains(err.Error(), "target wh: webhook: POST http://127.0.0.1") {
		t.Errorf("error lacks context: %v", err)
	}
}

func TestWebhookSendBadURLPermanent(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "/relative", "https://", "http://[::1"} {
		err := httpSender(t, time.Second).Send(context.Background(), webhookTarget(u, ""), "e", []byte(`{}`))
		if err == nil || !bus.IsPermanent(err) {
			t.Errorf("%q: err = %v, want permanent", u, err)
		}
	}
	err := httpSender(t, time.Second).Send(context.Background(), bus.Target{ID: "x", Kind: bus.TargetWebhook}, "e", nil)
	if err == nil || !bus.IsPermanent(err) {
		t.Errorf("no webhook member: err = %v, want permanent", err)
	}
}

func TestRetryAfterDate(t *testing.T) {
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	if got := retryAfter("Mon, 01 Jun 2026 10:01:30 GMT", now); got != 90*time.Second {
		t.Errorf("date form: %v", got)
	}
	for _, v := range []string{"", "soon", "-5", "Mon, 01 Jun 2026 09:00:00 GMT"} {
		if got := retryAfter(v, now); got != 0 {
			t.Errorf("retryAfter(%q) = %v, want 0", v, got)
		}
	}
}
