package mailpittest

import (
	"context"
	"fmt"
)

// pageSize is how many summaries one request fetches; mailpit answers
// large pages quickly, and fewer requests keep the polling cheap.
const pageSize = 1000

// Count is the number of stored messages, read without fetching them, so
// a test can poll for thousands of messages cheaply.
func (m *Mailpit) Count(ctx context.Context) (int, error) {
	var out struct {
		Total int `json:"total"`
	}
	if err := m.getJSON(ctx, "/api/v1/messages?limit=1", &out); err != nil {
		return 0, err
	}
	return out.Total, nil
}

// AllMessages lists every stored message, newest first, paging past
// Messages' limit of 1000. Start mailpit with "--max", "0" when a test
// keeps more than mailpit's default of 500 messages.
func (m *Mailpit) AllMessages(ctx context.Context) ([]Summary, error) {
	var all []Summary
	for {
		var page struct {
			Total    int       `json:"total"`
			Messages []Summary `json:"messages"`
		}
		path := fmt.Sprintf("/api/v1/messages?start=%d&limit=%d", len(all), pageSize)
		if err := m.getJSON(ctx, path, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Messages...)
		if len(page.Messages) == 0 || len(all) >= page.Total {
			return all, nil
		}
	}
}
