package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/store"
)

func testTopics(t *testing.T, h Harness) {
	s := h.open(t)
	must(t, s.PutTopic(ctx(t), bus.Topic{Name: "secops", DisplayName: "Security"}))
	must(t, s.PutTopic(ctx(t), bus.Topic{Name: "secops", DisplayName: "Security team"}))
	ts, err := s.ListTopics(ctx(t))
	must(t, err)
	if len(ts) != 1 || ts[0].DisplayName != "Security team" || ts[0].CreatedAt.IsZero() {
		t.Fatalf("topics %+v", ts)
	}
	sub := bus.Subscription{ID: "s1", Topic: "secops", Protocol: bus.ProtocolEmail, Endpoint: "a@example.com",
		Status: bus.StatusPending, Token: "tok-1", CreatedAt: baseTime()}
	confirmMail := bus.Delivery{EventID: "confirm-s1", Rule: "topic:secops", Target: bus.Target{ID: "c", Kind: "email"}, Payload: []byte(`{}`)}
	must(t, s.Subscribe(ctx(t), sub, []bus.Delivery{confirmMail}))
	if ds, err := s.Claim(ctx(t), time.Now().Add(time.Second), 10, time.Minute); err != nil || len(ds) != 1 || ds[0].EventID != "confirm-s1" {
		t.Fatalf("the confirmation mail is enqueued with the subscription: %+v %v", ds, err)
	}
	if err := s.Subscribe(ctx(t), bus.Subscription{ID: "s2", Topic: "nope", Protocol: "email", Endpoint: "b@example.com", Token: "x"}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("subscribing to a missing topic: %v", err)
	}
	if _, err := s.ConfirmSubscription(ctx(t), "s1", "wrong"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("confirm with a wrong token: %v", err)
	}
	got, err := s.ConfirmSubscription(ctx(t), "s1", "tok-1")
	must(t, err)
	if got.Status != bus.StatusConfirmed || got.ConfirmedAt.IsZero() || got.Endpoint != "a@example.com" {
		t.Fatalf("confirmed %+v", got)
	}
	subs, err := s.ListSubscriptions(ctx(t), "secops")
	must(t, err)
	if len(subs) != 1 || subs[0].Status != bus.StatusConfirmed || subs[0].Token != "" {
		t.Fatalf("subscriptions %+v (tokens are never read back)", subs)
	}
	if _, err := s.Unsubscribe(ctx(t), "s1", "wrong", false); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unsubscribe with a wrong token: %v", err)
	}
	gone, err := s.Unsubscribe(ctx(t), "s1", "tok-1", false)
	must(t, err)
	if gone.ID != "s1" || gone.Endpoint != "a@example.com" {
		t.Fatalf("Unsubscribe returned %+v; want subscription s1", gone)
	}
	if subs, err := s.ListSubscriptions(ctx(t), "secops"); err != nil || len(subs) != 0 {
		t.Fatalf("subscriptions after unsubscribing: %+v, %v; want none", subs, err)
	}
	if _, err := s.Unsubscribe(ctx(t), "s1", "", true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unsubscribing s1 again: %v; want ErrNotFound", err)
	}
	must(t, s.Subscribe(ctx(t), bus.Subscription{ID: "s3", Topic: "secops", Protocol: "webhook", Endpoint: "http://127.0.0.1:1/h", Status: bus.StatusConfirmed, Token: "t3", CreatedAt: baseTime()}, nil))
	ok, err := s.DeleteTopic(ctx(t), "secops")
	must(t, err)
	if subs, _ := s.ListSubscriptions(ctx(t), ""); !ok || len(subs) != 0 {
		t.Fatalf("deleting a topic deletes its subscriptions: %v %+v", ok, subs)
	}
}
