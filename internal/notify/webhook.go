package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
)

// Headers vigil sets on every webhook request.
const (
	HeaderEventID   = "X-Vigil-Event-Id"
	HeaderTimestamp = "X-Vigil-Timestamp"
	HeaderSignature = "X-Vigil-Signature"
	// SignaturePrefix names the algorithm in X-Vigil-Signature, so a later
	// scheme can be added without breaking receivers that check it.
	SignaturePrefix = "sha256="
	webhookAgent    = "vigil-webhook/1"
	contentJSON     = "application/json"
	contentText     = "text/plain; charset=utf-8"
)

// WebhookRequest is one HTTP request, built by BuildWebhook and sent as is.
type WebhookRequest struct {
	Method  string
	URL     string
	Headers http.Header
	Body    []byte
}

// BuildWebhook lays out the POST that delivers payload to t. It is pure: the
// same input always gives the same request.
//
// The body is the payload byte for byte: the event JSON, or whatever JSON
// value the target's input shaping produced (application/json); a payload
// that is not JSON is plain text (text/plain; charset=utf-8).
//
// Headers: X-Vigil-Event-Id is the event id, the same on every resend, so
// receivers can de-duplicate (delivery is at least once). X-Vigil-Timestamp
// is now in Unix seconds. When t.Secret is set, X-Vigil-Signature is
//
//	sha256=hex(HMAC-SHA256(key = secret, message = timestamp + "." + body))
//
// where timestamp is the X-Vigil-Timestamp value as sent and body the exact
// bytes of the request body. Signing the timestamp with the body lets a
// receiver refuse stale requests (replays) by checking it is recent; a
// resend is signed afresh with its own timestamp. The target's own headers
// are added last; those vigil sets itself cannot be overridden (the bus
// refuses such targets, and so does this function).
func BuildWebhook(t bus.WebhookTarget, eventID string, payload []byte, now time.Time) (WebhookRequest, error) {
	if t.URL == "" {
		return WebhookRequest{}, errors.New("webhook: no url")
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", contentType(payload))
	h.Set("User-Agent", webhookAgent)
	h.Set(HeaderEventID, headerValue(eventID))
	h.Set(HeaderTimestamp, ts)
	if t.Secret != "" {
		h.Set(HeaderSignature, SignWebhook(t.Secret, ts, payload))
	}
	for name, value := range t.Headers {
		if err := bus.ValidateWebhookHeader(name, value); err != nil {
			return WebhookRequest{}, fmt.Errorf("webhook: header %q: %w", name, err)
		}
		h.Set(name, value)
	}
	return WebhookRequest{
		Method:  http.MethodPost,
		URL:     t.URL,
		Headers: h,
		Body:    append([]byte(nil), payload...),
	}, nil
}

// SignWebhook returns the X-Vigil-Signature value for a body sent with the
// X-Vigil-Timestamp value timestamp. Receivers written in Go can call it to
// verify (compare with hmac.Equal).
func SignWebhook(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return SignaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// contentType tells JSON payloads from text ones. A JSON string (an input
// template in quotes) is JSON and is sent as such.
func contentType(payload []byte) string {
	if json.Valid(payload) {
		return contentJSON
	}
	return contentText
}

// headerValue drops characters that cannot travel in a header value, so an
// odd event id cannot split the request; ordinary ids pass unchanged.
func headerValue(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// WebhookSender delivers webhook targets.
type WebhookSender struct {
	http *httpPoster
	now  func() time.Time
}

// Send builds the request for one event and makes one attempt; the bus
// retries. 2xx is success; 408, 429, 5xx and network errors are temporary
// (carrying Retry-After when the receiver sent one); other answers are
// permanent, redirects included: following one would turn the POST into a
// GET or hand the signed event to another host.
func (s *WebhookSender) Send(ctx context.Context, t *bus.WebhookTarget, eventID string, payload []byte) error {
	if t == nil {
		return permanentf("webhook: target has no webhook member")
	}
	req, err := BuildWebhook(*t, eventID, payload, s.now())
	if err != nil {
		return &sendError{err: err, permanent: true}
	}
	if err := s.http.post(ctx, req); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}
