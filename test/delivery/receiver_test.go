package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// hookReceiver is a webhook endpoint that does what a careful receiver
// does: it checks the signature over "<timestamp>.<body>", and
// de-duplicates by X-Vigil-Event-Id. It records every request, so a test
// can count what arrived once and what arrived again.
type hookReceiver struct {
	srv    *httptest.Server
	secret string

	mu       sync.Mutex
	byEvent  map[string]*hookDelivery
	requests int // every request, duplicates and refusals included
	badSig   int // requests whose signature did not verify (refused with 401)
	badBody  int // requests whose body was not the event the header named
}

// hookDelivery is what the receiver knows of one event.
type hookDelivery struct {
	EventID   string
	FindingID string
	CreatedAt time.Time // the finding's createdAt: when it was stored
	First     time.Time // when the first copy arrived
	Copies    int
}

func newHookReceiver(t testing.TB, secret string) *hookReceiver {
	r := &hookReceiver{secret: secret, byEvent: map[string]*hookDelivery{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// URL is the webhook URL to put in the rule (loopback http is allowed).
func (r *hookReceiver) URL() string { return r.srv.URL + "/vigil" }

func (r *hookReceiver) serve(w http.ResponseWriter, req *http.Request) {
	now := time.Now()
	body, err := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if err != nil {
		http.Error(w, "reading body", http.StatusBadRequest)
		return
	}
	id := req.Header.Get("X-Vigil-Event-Id")
	if !r.signed(req.Header.Get("X-Vigil-Timestamp"), req.Header.Get("X-Vigil-Signature"), body) {
		r.badSig++
		// 401 is permanent for vigil: a signing bug shows up as dead
		// letters rather than as endless retries.
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev struct {
		ID     string `json:"id"`
		Detail struct {
			ID        string `json:"id"`
			CreatedAt string `json:"createdAt"`
		} `json:"detail"`
	}
	if err := json.Unmarshal(body, &ev); err != nil || id == "" || ev.ID != id {
		r.badBody++
		http.Error(w, "body is not the event named by X-Vigil-Event-Id", http.StatusBadRequest)
		return
	}
	if d := r.byEvent[id]; d != nil {
		d.Copies++ // a redelivery: acknowledged, not processed again
		w.WriteHeader(http.StatusNoContent)
		return
	}
	created, _ := time.Parse(time.RFC3339Nano, ev.Detail.CreatedAt)
	r.byEvent[id] = &hookDelivery{EventID: id, FindingID: ev.Detail.ID, CreatedAt: created, First: now, Copies: 1}
	w.WriteHeader(http.StatusNoContent)
}

// signed verifies X-Vigil-Signature: sha256=hex(HMAC-SHA256(secret,
// timestamp + "." + body)).
func (r *hookReceiver) signed(ts, sig string, body []byte) bool {
	if ts == "" || len(sig) < len("sha256=") || sig[:len("sha256=")] != "sha256=" {
		return false
	}
	got, err := hex.DecodeString(sig[len("sha256="):])
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(r.secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// hookTally is a snapshot of the receiver's counters.
type hookTally struct {
	Unique     int // distinct event ids
	Duplicates int // copies beyond the first, all events together
	Requests   int
	BadSig     int
	BadBody    int
}

func (r *hookReceiver) tally() hookTally {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := hookTally{Unique: len(r.byEvent), Requests: r.requests, BadSig: r.badSig, BadBody: r.badBody}
	for _, d := range r.byEvent {
		t.Duplicates += d.Copies - 1
	}
	return t
}

// deliveries returns a copy of what arrived, by event id.
func (r *hookReceiver) deliveries() map[string]hookDelivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]hookDelivery, len(r.byEvent))
	for id, d := range r.byEvent {
		out[id] = *d
	}
	return out
}
