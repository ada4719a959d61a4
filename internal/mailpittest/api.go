package mailpittest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/polltest"
)

// Address is a mailbox as mailpit reports it.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Summary is one entry of GET /api/v1/messages.
type Summary struct {
	ID          string    `json:"ID"`
	MessageID   string    `json:"MessageID"`
	From        Address   `json:"From"`
	To          []Address `json:"To"`
	Subject     string    `json:"Subject"`
	Created     time.Time `json:"Created"`
	Username    string    `json:"Username"` // SMTP AUTH user, if any
	Size        int       `json:"Size"`
	Attachments int       `json:"Attachments"`
	Snippet     string    `json:"Snippet"`
}

// Attachment describes an attached file of a message.
type Attachment struct {
	PartID      string `json:"PartID"`
	FileName    string `json:"FileName"`
	ContentType string `json:"ContentType"`
	Size        int    `json:"Size"`
}

// Full is GET /api/v1/message/{ID}: the parsed message.
type Full struct {
	ID          string       `json:"ID"`
	MessageID   string       `json:"MessageID"`
	From        Address      `json:"From"`
	To          []Address    `json:"To"`
	Subject     string       `json:"Subject"`
	Date        time.Time    `json:"Date"`
	Username    string       `json:"Username"`
	Text        string       `json:"Text"`
	HTML        string       `json:"HTML"`
	Attachments []Attachment `json:"Attachments"`
}

// Messages lists the stored messages, newest first.
func (m *Mailpit) Messages(ctx context.Context) ([]Summary, error) {
	var out struct {
		Messages []Summary `json:"messages"`
	}
	if err := m.getJSON(ctx, "/api/v1/messages?limit=1000", &out); err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// Message fetches one message by mailpit's ID (Summary.ID).
func (m *Mailpit) Message(ctx context.Context, id string) (Full, error) {
	var out Full
	err := m.getJSON(ctx, "/api/v1/message/"+url.PathEscape(id), &out)
	return out, err
}

// Part returns the decoded content of one part (an Attachment.PartID).
func (m *Mailpit) Part(ctx context.Context, id, partID string) ([]byte, error) {
	return m.do(ctx, http.MethodGet, "/api/v1/message/"+url.PathEscape(id)+"/part/"+url.PathEscape(partID), nil)
}

// Headers returns the raw headers of a message.
func (m *Mailpit) Headers(ctx context.Context, id string) (map[string][]string, error) {
	var out map[string][]string
	err := m.getJSON(ctx, "/api/v1/message/"+url.PathEscape(id)+"/headers", &out)
	return out, err
}

// DeleteAll removes every stored message.
func (m *Mailpit) DeleteAll(ctx context.Context) error {
	_, err := m.do(ctx, http.MethodDelete, "/api/v1/messages", nil)
	return err
}

// Chaos makes mailpit's SMTP server fail: each trigger answers with
// ErrorCode at the given stage with Probability percent.
type Chaos struct {
	Sender         *ChaosTrigger `json:"Sender,omitempty"`         // MAIL FROM
	Recipient      *ChaosTrigger `json:"Recipient,omitempty"`      // RCPT TO
	Authentication *ChaosTrigger `json:"Authentication,omitempty"` // AUTH
}

// ChaosTrigger is one injected SMTP failure.
type ChaosTrigger struct {
	ErrorCode   int `json:"ErrorCode"`
	Probability int `json:"Probability"` // 0-100
}

// SetChaos replaces the injected failures; Chaos{} turns them all off.
func (m *Mailpit) SetChaos(ctx context.Context, c Chaos) error {
	off := &ChaosTrigger{ErrorCode: 451}
	for _, p := range []**ChaosTrigger{&c.Sender, &c.Recipient, &c.Authentication} {
		if *p == nil {
			*p = off
		}
	}
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	_, err = m.do(ctx, http.MethodPut, "/api/v1/chaos", body)
	return err
}

// WaitFor polls Messages until cond holds, failing the test after timeout.
// It returns the messages that satisfied cond.
func (m *Mailpit) WaitFor(t testing.TB, cond func([]Summary) bool, timeout time.Duration) []Summary {
	t.Helper()
	var last []Summary
	var err error
	held := polltest.Poll(timeout, func() bool {
		var msgs []Summary
		if msgs, err = m.Messages(context.Background()); err != nil {
			return false
		}
		last = msgs
		return cond(msgs)
	})
	if !held {
		t.Fatalf("mailpit: condition not met after %s (err %v); messages: %+v", timeout, err, last)
	}
	return last
}

func (m *Mailpit) getJSON(ctx context.Context, path string, v any) error {
	b, err := m.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("mailpit %s: decode: %w", path, err)
	}
	return nil
}

func (m *Mailpit) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, m.apiBase+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("mailpit %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("mailpit %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("mailpit %s %s: read: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("mailpit %s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	return b, nil
}
