package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/store"
)

// Confirmation is the message a new email subscription receives, in SNS's
// SubscriptionConfirmation shape; internal/notify renders it as a mail.
type Confirmation struct {
	Type         string `json:"Type"`
	MessageID    string `json:"MessageId"`
	Topic        string `json:"TopicArn"`
	Message      string `json:"Message"`
	SubscribeURL string `json:"SubscribeURL"`
	Timestamp    string `json:"Timestamp"`
}

// linkToken authorises a subscription's confirm and unsubscribe links. It
// is an HMAC of the subscription id under the admin token, so the links can
// be made again for every mail while the store keeps only a digest.
func (s *Server) linkToken(subID string) string {
	m := hmac.New(sha256.New, []byte(s.AdminToken))
	m.Write([]byte("vigil-subscription:" + subID))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) consoleURL() string {
	if s.cfg.ConsoleURL != "" {
		return strings.TrimRight(s.cfg.ConsoleURL, "/")
	}
	return "http://" + s.APIAddr()
}

func (s *Server) subscriptionLink(verb string, sub bus.Subscription) string {
	q := url.Values{"subscription": {sub.ID}, "token": {s.linkToken(sub.ID)}}
	return s.consoleURL() + "/" + verb + "?" + q.Encode()
}

// Subscribe adds a subscription. An email subscription starts pending and
// gets only the confirmation mail until its link is followed.
func (s *Server) Subscribe(ctx context.Context, topic, protocol, endpoint string) (bus.Subscription, error) {
	id, err := randomFindingID()
	if err != nil {
		return bus.Subscription{}, err
	}
	sub := bus.Subscription{ID: id, Topic: topic, Protocol: protocol, Endpoint: endpoint, Status: bus.StatusConfirmed, CreatedAt: time.Now().UTC()}
	if err := bus.ValidateSubscription(sub); err != nil {
		return bus.Subscription{}, &api.InvalidInput{Err: err}
	}
	sub.Token = s.linkToken(id)
	var out []bus.Delivery
	if protocol == bus.ProtocolEmail || protocol == bus.ProtocolEmailJSON {
		sub.Status = bus.StatusPending
		d, err := s.confirmationMail(sub)
		if err != nil {
			return bus.Subscription{}, err
		}
		out = append(out, d)
	} else {
		sub.ConfirmedAt = sub.CreatedAt
	}
	if err := s.store.Subscribe(ctx, sub, out); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return bus.Subscription{}, &api.InvalidInput{Path: "topic", Err: fmt.Errorf("no topic %s", topic)}
		}
		return bus.Subscription{}, err
	}
	s.kick()
	return sub, s.reloadSubscriptions(ctx)
}

func (s *Server) confirmationMail(sub bus.Subscription) (bus.Delivery, error) {
	id, err := bus.NewEventID()
	if err != nil {
		return bus.Delivery{}, err
	}
	c := Confirmation{Type: "SubscriptionConfirmation", MessageID: id, Topic: sub.Topic,
		Message: "You have chosen to subscribe to the vigil topic " + sub.Topic +
			". To confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL: s.subscriptionLink("confirm", sub), Timestamp: time.Now().UTC().Format(time.RFC3339)}
	payload, err := json.Marshal(c)
	if err != nil {
		return bus.Delivery{}, fmt.Errorf("encoding confirmation: %w", err)
	}
	return bus.Delivery{EventID: id, Rule: "topic:" + sub.Topic, Payload: payload,
		Target: bus.Target{ID: "confirm-" + sub.ID, Kind: bus.TargetEmail, Email: &bus.EmailTarget{To: []string{sub.Endpoint}}}}, nil
}

// ConfirmSubscription follows a confirmation link.
func (s *Server) ConfirmSubscription(ctx context.Context, id, token string) (bus.Subscription, error) {
	sub, err := s.store.ConfirmSubscription(ctx, id, token)
	if err != nil {
		return sub, linkError(err)
	}
	return sub, s.reloadSubscriptions(ctx)
}

// Unsubscribe follows an unsubscribe link (token) or is an administrator's
// call (admin, no token).
func (s *Server) Unsubscribe(ctx context.Context, id, token string, admin bool) (bus.Subscription, error) {
	sub, err := s.store.Unsubscribe(ctx, id, token, admin)
	if err != nil {
		return sub, linkError(err)
	}
	return sub, s.reloadSubscriptions(ctx)
}

func linkError(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &api.Error{Code: api.CodeNotFound, Message: "no such subscription, or the link is not valid"}
	}
	return err
}

// reloadSubscriptions refreshes the snapshot topic deliveries fan out to.
func (s *Server) reloadSubscriptions(ctx context.Context) error {
	subs, err := s.store.ListSubscriptions(ctx, "")
	if err != nil {
		return err
	}
	m := make(map[string][]bus.Subscription)
	for _, sub := range subs {
		m[sub.Topic] = append(m[sub.Topic], sub)
	}
	s.subs.Store(&m)
	return nil
}

// expandTopics fans topic deliveries out to their confirmed subscriptions.
func (s *Server) expandTopics(ds []bus.Delivery) []bus.Delivery {
	m := s.subs.Load()
	if m == nil {
		return bus.ExpandTopics(ds, nil, nil)
	}
	return bus.ExpandTopics(ds, *m, func(sub bus.Subscription) string { return s.subscriptionLink("unsubscribe", sub) })
}

// PutTopic creates or updates a topic.
func (s *Server) PutTopic(ctx context.Context, t bus.Topic) (bus.Topic, error) {
	if err := bus.ValidateTopic(t); err != nil {
		return t, &api.InvalidInput{Err: err}
	}
	return t, s.store.PutTopic(ctx, t)
}

// DeleteTopic deletes a topic and its subscriptions.
func (s *Server) DeleteTopic(ctx context.Context, name string) (bool, error) {
	ok, err := s.store.DeleteTopic(ctx, name)
	if err != nil || !ok {
		return ok, err
	}
	return true, s.reloadSubscriptions(ctx)
}

// ListTopics lists topics.
func (s *Server) ListTopics(ctx context.Context) ([]bus.Topic, error) { return s.store.ListTopics(ctx) }

// ListSubscriptions lists a topic's subscriptions ("" for all).
func (s *Server) ListSubscriptions(ctx context.Context, topic string) ([]bus.Subscription, error) {
	return s.store.ListSubscriptions(ctx, topic)
}
