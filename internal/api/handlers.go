package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/finding"
)

func listFindings(b Backend, w http.ResponseWriter, r *http.Request) error {
	q := FindingQuery{After: r.URL.Query().Get("nextToken")}
	for _, t := range r.URL.Query()["type"] {
		if _, ok := finding.Lookup(t); !ok {
			return badRequest("type", "unknown finding type "+t)
		}
		q.Types = append(q.Types, t)
	}
	switch a := r.URL.Query().Get("archived"); a {
	case "":
	case "true", "false":
		v := a == "true"
		q.Archived = &v
	default:
		return badRequest("archived", "want true or false, got "+a)
	}
	var err error
	if q.Limit, err = queryInt(r, "maxResults", 50, 1000); err != nil {
		return err
	}
	fs, next, err := b.ListFindings(r.Context(), q)
	if err != nil {
		return err
	}
	if fs == nil {
		fs = []finding.Finding{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"findings": fs, "nextToken": next})
}

func getFinding(b Backend, w http.ResponseWriter, r *http.Request) error {
	f, ok, err := b.GetFinding(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !ok {
		return notFound("no finding " + r.PathValue("id"))
	}
	return writeJSON(w, http.StatusOK, f)
}

// createSamples follows CreateSampleFindings: {"findingTypes": [...]}, an
// empty list meaning every runtime type.
func createSamples(b Backend, w http.ResponseWriter, r *http.Request) error {
	var req struct {
		FindingTypes []string `json:"findingTypes"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if len(req.FindingTypes) > 50 {
		return badRequest("findingTypes", "at most 50 types per request")
	}
	for i, t := range req.FindingTypes {
		if _, ok := finding.Lookup(t); !ok {
			return badRequest("findingTypes["+strconv.Itoa(i)+"]", "unknown runtime finding type "+quote(t))
		}
	}
	fs, err := b.CreateSampleFindings(r.Context(), req.FindingTypes)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"findings": fs})
}

func listCoverage(b Backend, w http.ResponseWriter, r *http.Request) error {
	rs, err := b.ListCoverage(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"resources": rs})
}

func listRules(b Backend, w http.ResponseWriter, r *http.Request) error {
	rs, err := b.ListRules(r.Context())
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []bus.Rule{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rules": rs})
}

func getRule(b Backend, w http.ResponseWriter, r *http.Request) error {
	rule, ok, err := b.GetRule(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	if !ok {
		return notFound("no rule " + r.PathValue("name"))
	}
	return writeJSON(w, http.StatusOK, rule)
}

func putRule(b Backend, w http.ResponseWriter, r *http.Request) error {
	var rule bus.Rule
	if err := decodeBody(r, &rule); err != nil {
		return err
	}
	name := r.PathValue("name")
	if rule.Name != "" && rule.Name != name {
		return badRequest("name", "body names rule "+quote(rule.Name)+" but the path names "+quote(name))
	}
	rule.Name = name
	saved, err := b.PutRule(r.Context(), rule)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, saved)
}

func deleteRule(b Backend, w http.ResponseWriter, r *http.Request) error {
	ok, err := b.DeleteRule(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	if !ok {
		return notFound("no rule " + r.PathValue("name"))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
