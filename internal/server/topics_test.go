package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/mailpittest"
	"github.com/vigilsec/vigil/internal/polltest"
)

var linkRE = regexp.MustCompile(`http://[^\s"<>]+/(confirm|unsubscribe)\?subscription=[0-9a-f]+&token=[0-9a-f]+`)

// TestTopicEmailNeedsConfirmationAndCanUnsubscribe follows SNS: an email
// subscriber gets only the confirmation mail until they follow its link;
// every later mail has an unsubscribe link that ends the subscription.
func TestTopicEmailNeedsConfirmationAndCanUnsubscribe(t *testing.T) {
	h := newHarness(t, nil)
	ctx := t.Context()
	if _, err := h.client.PutTopic(ctx, bus.Topic{Name: "secops", DisplayName: "Security"}); err != nil {
		t.Fatal(err)
	}
	// A webhook subscriber is confirmed at once.
	var mu sync.Mutex
	var hooks []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks = append(hooks, string(b))
		mu.Unlock()
	}))
	defer hook.Close()
	if _, err := h.client.Subscribe(ctx, "secops", "webhook", hook.URL); err != nil {
		t.Fatal(err)
	}
	sub, err := h.client.Subscribe(ctx, "secops", "email", "alice@example.com")
	if err != nil || sub.Status != bus.StatusPending {
		t.Fatalf("email subscription: %+v %v", sub, err)
	}
	_, err = h.client.PutRule(ctx, bus.Rule{Name: "to-topic", Enabled: true, Pattern: []byte(`{"source":["aws.guardduty"]}`),
		Targets: []bus.Target{{Kind: bus.TargetTopic, Topic: &bus.TopicTarget{Name: "secops"}}}})
	if err != nil {
		t.Fatal(err)
	}
	// A finding while pending: the webhook gets it, alice does not.
	if _, err := h.client.CreateSampleFindings(ctx, []string{"Backdoor:Runtime/C&CActivity.B"}); err != nil {
		t.Fatal(err)
	}
	polltest.Until(t, 10*time.Second, "webhook delivery", func() bool { mu.Lock(); defer mu.Unlock(); return len(hooks) == 1 })
	ms := h.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return len(ms) >= 1 }, 10*time.Second)
	if len(ms) != 1 || !strings.Contains(ms[0].Subject, "Subscription Confirmation") {
		t.Fatalf("while pending only the confirmation mail arrives: %+v", ms)
	}
	confirm := linkIn(t, h, ms[0].ID, "confirm")
	if status := get(t, confirm); status != 200 {
		t.Fatalf("confirm link: %d", status)
	}
	if status := get(t, strings.Replace(confirm, "token=", "token=00", 1)); status != 404 {
		t.Fatalf("a forged confirm link: %d", status)
	}
	if _, err := h.client.CreateSampleFindings(ctx, []string{"Backdoor:Runtime/C&CActivity.B"}); err != nil {
		t.Fatal(err)
	}
	ms = h.mail.WaitFor(t, func(ms []mailpittest.Summary) bool { return len(ms) == 2 }, 10*time.Second)
	unsub := linkIn(t, h, ms[0].ID, "unsubscribe")
	if status := get(t, unsub); status != 200 {
		t.Fatalf("unsubscribe link: %d", status)
	}
	subs, _ := h.client.ListSubscriptions(ctx, "secops")
	if len(subs) != 1 || subs[0].Protocol != "webhook" {
		t.Fatalf("after unsubscribing: %+v", subs)
	}
	if _, err := h.client.CreateSampleFindings(ctx, []string{"Backdoor:Runtime/C&CActivity.B"}); err != nil {
		t.Fatal(err)
	}
	polltest.Until(t, 10*time.Second, "third webhook delivery", func() bool { mu.Lock(); defer mu.Unlock(); return len(hooks) == 3 })
	if ms, _ := h.mail.Messages(ctx); len(ms) != 2 {
		t.Fatalf("mail after unsubscribing: %d messages", len(ms))
	}
	var env map[string]any
	mu.Lock()
	defer mu.Unlock()
	if err := json.Unmarshal([]byte(hooks[0]), &env); err != nil || env["detail-type"] != "GuardDuty Finding" {
		t.Fatalf("webhook body: %v %s", err, hooks[0])
	}
}

func linkIn(t *testing.T, h *harness, msgID, verb string) string {
	t.Helper()
	full, err := h.mail.Message(t.Context(), msgID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range linkRE.FindAllStringSubmatch(full.Text, -1) {
		if m[1] == verb {
			return m[0]
		}
	}
	t.Fatalf("no %s link in:\n%s", verb, full.Text)
	return ""
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestTopicValidation(t *testing.T) {
	h := newHarness(t, nil)
	if _, err := h.client.Subscribe(t.Context(), "missing", "email", "a@example.com"); err == nil || !strings.Contains(err.Error(), "no topic missing") {
		t.Fatalf("subscribe to a missing topic: %v", err)
	}
	if _, err := h.client.PutTopic(t.Context(), bus.Topic{Name: "bad name!"}); err == nil {
		t.Fatal("a bad topic name is accepted")
	}
	h.client.PutTopic(t.Context(), bus.Topic{Name: "ok"})
	if _, err := h.client.Subscribe(t.Context(), "ok", "sms", "123"); err == nil || !strings.Contains(err.Error(), "protocol") {
		t.Fatalf("unknown protocol: %v", err)
	}
}
