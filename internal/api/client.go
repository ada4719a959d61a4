package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/coverage"
	"github.com/vigilsec/vigil/internal/finding"
)

// Client calls the API; the CLI is built on it.
type Client struct {
	Base  string // e.g. http://127.0.0.1:8080
	Token string
	HTTP  *http.Client
}

// NewClient returns a client for base with the admin token.
func NewClient(base, token string) *Client {
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	return &Client{Base: strings.TrimRight(base, "/"), Token: token, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encoding request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return fmt.Errorf("making request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("calling vigil at %s: %w", c.Base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("reading response: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e struct{ Error *Error }
		if json.Unmarshal(data, &e) == nil && e.Error != nil {
			return e.Error
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding response: %w", err)
	}
	return nil
}

// ListFindings pages through every finding matching the filter.
func (c *Client) ListFindings(ctx context.Context, types []string) ([]finding.Finding, error) {
	var all []finding.Finding
	next := ""
	for {
		q := url.Values{"maxResults": {"1000"}}
		for _, t := range types {
			q.Add("type", t)
		}
		if next != "" {
			q.Set("nextToken", next)
		}
		var page struct {
			Findings  []finding.Finding `json:"findings"`
			NextToken string            `json:"nextToken"`
		}
		if err := c.do(ctx, "GET", "/api/v1/findings?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Findings...)
		if page.NextToken == "" {
			return all, nil
		}
		next = page.NextToken
	}
}

// GetFinding returns one finding.
func (c *Client) GetFinding(ctx context.Context, id string) (finding.Finding, error) {
	var f finding.Finding
	err := c.do(ctx, "GET", "/api/v1/findings/"+url.PathEscape(id), nil, &f)
	return f, err
}

// CreateSampleFindings makes samples of the given types (all when empty).
func (c *Client) CreateSampleFindings(ctx context.Context, types []string) ([]finding.Finding, error) {
	var out struct {
		Findings []finding.Finding `json:"findings"`
	}
	err := c.do(ctx, "POST", "/api/v1/findings/samples", map[string][]string{"findingTypes": types}, &out)
	return out.Findings, err
}

// ListCoverage returns every coverage resource.
func (c *Client) ListCoverage(ctx context.Context) ([]coverage.Resource, error) {
	var out struct {
		Resources []coverage.Resource `json:"resources"`
	}
	err := c.do(ctx, "GET", "/api/v1/coverage", nil, &out)
	return out.Resources, err
}

// ListRules returns every rule.
func (c *Client) ListRules(ctx context.Context) ([]bus.Rule, error) {
	var out struct {
		Rules []bus.Rule `json:"rules"`
	}
	err := c.do(ctx, "GET", "/api/v1/rules", nil, &out)
	return out.Rules, err
}

// PutRule creates or replaces a rule.
func (c *Client) PutRule(ctx context.Context, r bus.Rule) (bus.Rule, error) {
	var out bus.Rule
	err := c.do(ctx, "PUT", "/api/v1/rules/"+url.PathEscape(r.Name), r, &out)
	return out, err
}

// DeleteRule deletes a rule.
func (c *Client) DeleteRule(ctx context.Context, name string) error {
	return c.do(ctx, "DELETE", "/api/v1/rules/"+url.PathEscape(name), nil, nil)
}

// SetRuleEnabled enables or disables a rule.
func (c *Client) SetRuleEnabled(ctx context.Context, name string, enabled bool) (bus.Rule, error) {
	verb := "disable"
	if enabled {
		verb = "enable"
	}
	var out bus.Rule
	err := c.do(ctx, "POST", "/api/v1/rules/"+url.PathEscape(name)+"/"+verb, nil, &out)
	return out, err
}

// ListDeadLetters returns the deliveries that exhausted their retries.
func (c *Client) ListDeadLetters(ctx context.Context) ([]DeadLetter, error) {
	var out struct {
		DeadLetters []DeadLetter `json:"deadLetters"`
	}
	err := c.do(ctx, "GET", "/api/v1/dead-letters", nil, &out)
	return out.DeadLetters, err
}

// Redrive puts dead letters back into the outbox (all when ids is empty).
func (c *Client) Redrive(ctx context.Context, ids []int64) (int, error) {
	var out struct {
		Redriven int `json:"redriven"`
	}
	err := c.do(ctx, "POST", "/api/v1/dead-letters/redrive", map[string][]int64{"ids": ids}, &out)
	return out.Redriven, err
}

// TestEventPattern asks the server whether pattern matches event.
func (c *Client) TestEventPattern(ctx context.Context, pattern, event json.RawMessage) (bool, error) {
	var out struct {
		Result bool `json:"result"`
	}
	err := c.do(ctx, "POST", "/api/v1/events/test-pattern", map[string]json.RawMessage{"eventPattern": pattern, "event": event}, &out)
	return out.Result, err
}

// PutTopic creates or updates a topic.
func (c *Client) PutTopic(ctx context.Context, t bus.Topic) (bus.Topic, error) {
	var out bus.Topic
	err := c.do(ctx, "PUT", "/api/v1/topics/"+url.PathEscape(t.Name), t, &out)
	return out, err
}

// ListTopics lists topics.
func (c *Client) ListTopics(ctx context.Context) ([]bus.Topic, error) {
	var out struct {
		Topics []bus.Topic `json:"topics"`
	}
	err := c.do(ctx, "GET", "/api/v1/topics", nil, &out)
	return out.Topics, err
}

// DeleteTopic deletes a topic with its subscriptions.
func (c *Client) DeleteTopic(ctx context.Context, name string) error {
	return c.do(ctx, "DELETE", "/api/v1/topics/"+url.PathEscape(name), nil, nil)
}

// Subscribe subscribes an endpoint to a topic.
func (c *Client) Subscribe(ctx context.Context, topic, protocol, endpoint string) (bus.Subscription, error) {
	var out bus.Subscription
	err := c.do(ctx, "POST", "/api/v1/topics/"+url.PathEscape(topic)+"/subscriptions",
		map[string]string{"protocol": protocol, "endpoint": endpoint}, &out)
	return out, err
}

// ListSubscriptions lists a topic's subscriptions.
func (c *Client) ListSubscriptions(ctx context.Context, topic string) ([]bus.Subscription, error) {
	var out struct {
		Subscriptions []bus.Subscription `json:"subscriptions"`
	}
	err := c.do(ctx, "GET", "/api/v1/topics/"+url.PathEscape(topic)+"/subscriptions", nil, &out)
	return out.Subscriptions, err
}

// Unsubscribe removes a subscription (as an administrator).
func (c *Client) Unsubscribe(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/v1/subscriptions/"+url.PathEscape(id), nil, nil)
}

// PutFilter creates or replaces a filter (a suppression rule when ARCHIVE).
func (c *Client) PutFilter(ctx context.Context, f finding.Filter) (finding.Filter, error) {
	var out finding.Filter
	err := c.do(ctx, "PUT", "/api/v1/filters/"+url.PathEscape(f.Name), f, &out)
	return out, err
}

// ListFilters lists filters by rank.
func (c *Client) ListFilters(ctx context.Context) ([]finding.Filter, error) {
	var out struct {
		Filters []finding.Filter `json:"filters"`
	}
	err := c.do(ctx, "GET", "/api/v1/filters", nil, &out)
	return out.Filters, err
}

// DeleteFilter deletes a filter.
func (c *Client) DeleteFilter(ctx context.Context, name string) error {
	return c.do(ctx, "DELETE", "/api/v1/filters/"+url.PathEscape(name), nil, nil)
}
