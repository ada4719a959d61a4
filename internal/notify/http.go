package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// DefaultHTTPTimeout bounds one webhook or Slack request when the config
// sets none. It is well below the bus's lease, so a hanging receiver costs
// one attempt, not the whole lease.
const DefaultHTTPTimeout = 10 * time.Second

const (
	maxErrorBody = 512     // bytes of a failed answer quoted in the error
	maxDrainBody = 1 << 16 // bytes read past that so the connection can be reused
)

// HTTPConfig configures the HTTP target kinds (webhook, Slack).
type HTTPConfig struct {
	Timeout time.Duration // per request; zero means DefaultHTTPTimeout
	// Client sends the requests (e.g. with a proxy or custom roots); nil
	// uses a client of our own. Redirects are never followed either way.
	Client *http.Client
}

// httpPoster makes one POST and classifies the outcome for the bus.
type httpPoster struct {
	client  *http.Client
	timeout time.Duration
	now     func() time.Time
}

func newHTTPPoster(cfg HTTPConfig) *httpPoster {
	c := &http.Client{}
	if cfg.Client != nil {
		cp := *cfg.Client // a copy: the caller's client keeps its own redirect policy
		c = &cp
	}
	// A redirected POST becomes a GET without the event (301/302/303), and
	// a followed 307/308 would hand a signed event to a host the rule does
	// not name. The receiver's URL is the rule's to change.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultHTTPTimeout
	}
	return &httpPoster{client: c, timeout: timeout, now: time.Now}
}

// post sends r once. Errors never quote the URL's path or query: Slack
// webhook URLs carry their secret there, and errors end up in the outbox
// and the logs.
func (p *httpPoster) post(ctx context.Context, r WebhookRequest) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	where := redactURL(r.URL)
	if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The bus refuses such targets; one stored before that would
		// otherwise fail as a network error and be retried for a day.
		return permanentf("%s %s: want an absolute http or https URL", r.Method, where)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return permanentf("%s %s: bad request: %v", r.Method, where, errors.Unwrap(err))
	}
	req.Header = r.Headers.Clone()
	resp, err := p.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // *url.Error quotes the full URL
		}
		return &sendError{err: fmt.Errorf("%s %s: %w", r.Method, where, err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return &HTTPError{
		Method: r.Method, URL: where, StatusCode: resp.StatusCode,
		Body:  clean(string(body)),
		After: retryAfter(resp.Header.Get("Retry-After"), p.now()),
	}
}

// HTTPError is an answer other than 2xx from a webhook or Slack receiver.
type HTTPError struct {
	Method, URL string // URL without path or query
	StatusCode  int
	Body        string        // the start of the answer, for the operator
	After       time.Duration // from Retry-After; zero when absent
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += ": " + truncate(e.Body, 200)
	}
	return msg
}

// Permanent says whether retrying cannot help: 408 (timeout), 429
// (throttled) and 5xx are the receiver's passing trouble; every other
// answer (4xx, a redirect) will be the same next time.
func (e *HTTPError) Permanent() bool {
	return e.StatusCode != http.StatusRequestTimeout &&
		e.StatusCode != http.StatusTooManyRequests &&
		e.StatusCode < 500
}

// RetryAfter is how long the receiver asked us to wait (Retry-After), zero
// if it did not say. The bus may wait at least this long before retrying.
func (e *HTTPError) RetryAfter() time.Duration { return e.After }

// retryAfter parses Retry-After: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

// redactURL keeps scheme and host: enough to tell receivers apart, nothing
// that could be a credential.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid url)"
	}
	out := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		out += "/…"
	}
	return out
}
