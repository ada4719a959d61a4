package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/vigilsec/vigil/internal/bus/pattern"
)

// testPattern is EventBridge's TestEventPattern: {"eventPattern": <pattern
// object or its JSON text>, "event": <event object or its JSON text>} →
// {"result": bool}; a pattern that does not compile is an
// InvalidEventPatternException naming the path.
func testPattern(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		EventPattern json.RawMessage `json:"eventPattern"`
		Event        json.RawMessage `json:"event"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if len(req.EventPattern) == 0 || len(req.Event) == 0 {
		return badRequest("body", "eventPattern and event are both required")
	}
	res, err := TestPattern(unquote(req.EventPattern), unquote(req.Event))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]bool{"result": res})
}

// TestPattern compiles pattern and matches event, with the API's errors;
// the CLI uses it too, so both answer alike.
func TestPattern(pat, event []byte) (bool, error) {
	p, err := pattern.Compile(pat)
	if err != nil {
		var pe *pattern.PatternError
		path := ""
		if errors.As(err, &pe) {
			path = pe.Path
		}
		return false, &Error{Code: CodeBadPattern, Message: err.Error(), Path: path}
	}
	ok, err := p.Match(event)
	if err != nil {
		return false, badRequest("event", err.Error())
	}
	return ok, nil
}

// unquote accepts a JSON document given either inline or as a JSON string
// holding it (EventBridge's API takes strings).
func unquote(raw json.RawMessage) []byte {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return []byte(s)
	}
	return raw
}

func setRuleEnabled(b Backend, w http.ResponseWriter, r *http.Request, enabled bool) error {
	rule, ok, err := b.SetRuleEnabled(r.Context(), r.PathValue("name"), enabled)
	if err != nil {
		return err
	}
	if !ok {
		return notFound("no rule " + r.PathValue("name"))
	}
	return writeJSON(w, http.StatusOK, rule)
}

func listDeadLetters(b Backend, w http.ResponseWriter, r *http.Request) error {
	ds, err := b.ListDeadLetters(r.Context())
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []DeadLetter{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"deadLetters": ds})
}

// redrive puts dead letters back into the outbox: {"ids": [...]}, or every
// dead letter when ids is empty.
func redrive(b Backend, w http.ResponseWriter, r *http.Request) error {
	var req struct {
		IDs []int64 `json:"ids"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	n, err := b.Redrive(r.Context(), req.IDs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"redriven": n})
}
