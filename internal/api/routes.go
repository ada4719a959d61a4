// Package api is vigil's HTTP API and console. Every route is listed in
// Routes; handlers talk to the service only through Backend.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/coverage"
	"github.com/vigilsec/vigil/internal/finding"
)

// FindingQuery selects findings.
type FindingQuery struct {
	Types    []string
	Archived *bool
	Limit    int
	After    string
}

// Backend is what the API needs from the service.
type Backend interface {
	Ready() error
	WriteMetrics(w io.Writer)
	ListFindings(ctx context.Context, q FindingQuery) ([]finding.Finding, string, error)
	GetFinding(ctx context.Context, id string) (finding.Finding, bool, error)
	CreateSampleFindings(ctx context.Context, types []string) ([]finding.Finding, error)
	ListCoverage(ctx context.Context) ([]coverage.Resource, error)
	ListRules(ctx context.Context) ([]bus.Rule, error)
	GetRule(ctx context.Context, name string) (bus.Rule, bool, error)
	PutRule(ctx context.Context, r bus.Rule) (bus.Rule, error)
	DeleteRule(ctx context.Context, name string) (bool, error)
	SetRuleEnabled(ctx context.Context, name string, enabled bool) (bus.Rule, bool, error)
	ListDeadLetters(ctx context.Context) ([]DeadLetter, error)
	Redrive(ctx context.Context, ids []int64) (int, error)
	PutTopic(ctx context.Context, t bus.Topic) (bus.Topic, error)
	DeleteTopic(ctx context.Context, name string) (bool, error)
	ListTopics(ctx context.Context) ([]bus.Topic, error)
	Subscribe(ctx context.Context, topic, protocol, endpoint string) (bus.Subscription, error)
	ListSubscriptions(ctx context.Context, topic string) ([]bus.Subscription, error)
	ConfirmSubscription(ctx context.Context, id, token string) (bus.Subscription, error)
	Unsubscribe(ctx context.Context, id, token string, admin bool) (bus.Subscription, error)
	PutFilter(ctx context.Context, f finding.Filter) (finding.Filter, error)
	DeleteFilter(ctx context.Context, name string) (bool, error)
	ListFilters(ctx context.Context) ([]finding.Filter, error)
}

// DeadLetter is a delivery that exhausted its retries, as the API shows it.
type DeadLetter struct {
	ID        int64           `json:"id"`
	EventID   string          `json:"eventId"`
	Rule      string          `json:"rule"`
	TargetID  string          `json:"targetId"`
	Kind      string          `json:"kind"`
	Attempts  int             `json:"attempts"`
	Reason    string          `json:"reason"`
	LastError string          `json:"lastError,omitempty"`
	CreatedAt time.Time       `json:"createdAt"`
	FailedAt  time.Time       `json:"failedAt"`
	Payload   json.RawMessage `json:"payload"`
}

const maxBody = 1 << 20

// Routes returns the whole HTTP surface: health, metrics, the JSON API
// under /api/v1 (Bearer admin token) and the console.
func Routes(b Backend, token string, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	auth := func(h func(http.ResponseWriter, *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !authorized(r, token) {
				writeError(w, &Error{Code: CodeUnauthorized, Message: "missing or wrong token (Authorization: Bearer <DIR/admin.token>)"})
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			if err := h(w, r); err != nil {
				if ae := (*Error)(nil); !errors.As(err, &ae) && !errors.As(err, new(*InvalidInput)) {
					log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				}
				writeError(w, err)
			}
		})
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := b.Ready(); err != nil {
			writeError(w, &Error{Code: CodeUnavailable, Message: err.Error()})
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		b.WriteMetrics(w)
	})
	mux.Handle("GET /api/v1/findings", auth(func(w http.ResponseWriter, r *http.Request) error { return listFindings(b, w, r) }))
	mux.Handle("GET /api/v1/findings/{id}", auth(func(w http.ResponseWriter, r *http.Request) error { return getFinding(b, w, r) }))
	mux.Handle("POST /api/v1/findings/samples", auth(func(w http.ResponseWriter, r *http.Request) error { return createSamples(b, w, r) }))
	mux.Handle("GET /api/v1/coverage", auth(func(w http.ResponseWriter, r *http.Request) error { return listCoverage(b, w, r) }))
	mux.Handle("GET /api/v1/rules", auth(func(w http.ResponseWriter, r *http.Request) error { return listRules(b, w, r) }))
	mux.Handle("GET /api/v1/rules/{name}", auth(func(w http.ResponseWriter, r *http.Request) error { return getRule(b, w, r) }))
	mux.Handle("PUT /api/v1/rules/{name}", auth(func(w http.ResponseWriter, r *http.Request) error { return putRule(b, w, r) }))
	mux.Handle("DELETE /api/v1/rules/{name}", auth(func(w http.ResponseWriter, r *http.Request) error { return deleteRule(b, w, r) }))
	mux.Handle("POST /api/v1/rules/{name}/enable", auth(func(w http.ResponseWriter, r *http.Request) error { return setRuleEnabled(b, w, r, true) }))
	mux.Handle("POST /api/v1/rules/{name}/disable", auth(func(w http.ResponseWriter, r *http.Request) error { return setRuleEnabled(b, w, r, false) }))
	mux.Handle("POST /api/v1/events/test-pattern", auth(func(w http.ResponseWriter, r *http.Request) error { return testPattern(w, r) }))
	mux.Handle("GET /api/v1/dead-letters", auth(func(w http.ResponseWriter, r *http.Request) error { return listDeadLetters(b, w, r) }))
	mux.Handle("POST /api/v1/dead-letters/redrive", auth(func(w http.ResponseWriter, r *http.Request) error { return redrive(b, w, r) }))
	mux.Handle("GET /api/v1/topics", auth(func(w http.ResponseWriter, r *http.Request) error { return listTopics(b, w, r) }))
	mux.Handle("PUT /api/v1/topics/{name}", auth(func(w http.ResponseWriter, r *http.Request) error { return putTopic(b, w, r) }))
	mux.Handle("DELETE /api/v1/topics/{name}", auth(func(w http.ResponseWriter, r *http.Request) error { return deleteTopic(b, w, r) }))
	mux.Handle("GET /api/v1/topics/{name}/subscriptions", auth(func(w http.ResponseWriter, r *http.Request) error { return listSubscriptions(b, w, r) }))
	mux.Handle("POST /api/v1/topics/{name}/subscriptions", auth(func(w http.ResponseWriter, r *http.Request) error { return subscribe(b, w, r) }))
	mux.Handle("DELETE /api/v1/subscriptions/{id}", auth(func(w http.ResponseWriter, r *http.Request) error { return adminUnsubscribe(b, w, r) }))
	// The links in subscription mails: authorised by their token, no login.
	mux.HandleFunc("GET /confirm", func(w http.ResponseWriter, r *http.Request) { subscriptionLink(b, w, r, true) })
	mux.HandleFunc("GET /unsubscribe", func(w http.ResponseWriter, r *http.Request) { subscriptionLink(b, w, r, false) })
	mux.Handle("GET /api/v1/filters", auth(func(w http.ResponseWriter, r *http.Request) error { return listFilters(b, w, r) }))
	mux.Handle("PUT /api/v1/filters/{name}", auth(func(w http.ResponseWriter, r *http.Request) error { return putFilter(b, w, r) }))
	mux.Handle("DELETE /api/v1/filters/{name}", auth(func(w http.ResponseWriter, r *http.Request) error { return deleteFilter(b, w, r) }))
	mux.Handle("/api/", auth(func(w http.ResponseWriter, r *http.Request) error {
		return notFound(fmt.Sprintf("no route %s %s", r.Method, r.URL.Path))
	}))
	consoleRoutes(mux, b, token)
	return mux
}

func authorized(r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// "&" stays "&": finding types such as C&CActivity read as users wrote them.
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// decodeBody reads a JSON body strictly: unknown fields are errors.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &Error{Code: CodeTooLarge, Message: fmt.Sprintf("body over %d bytes", maxBody)}
		}
		return badRequest("body", "invalid JSON: "+err.Error())
	}
	if dec.More() {
		return badRequest("body", "trailing data after the JSON object")
	}
	return nil
}

func queryInt(r *http.Request, name string, def, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, badRequest(name, fmt.Sprintf("%q: want a whole number from 1 to %d", s, max))
	}
	return n, nil
}
