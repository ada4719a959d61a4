package api

import (
	"net/http"

	"github.com/vigilsec/vigil/internal/finding"
)

func listFilters(b Backend, w http.ResponseWriter, r *http.Request) error {
	fs, err := b.ListFilters(r.Context())
	if err != nil {
		return err
	}
	if fs == nil {
		fs = []finding.Filter{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"filters": fs})
}

// putFilter is CreateFilter/UpdateFilter: {"action":"ARCHIVE","rank":1,
// "findingCriteria":{"criterion":{…}}}; ARCHIVE makes it a suppression rule.
func putFilter(b Backend, w http.ResponseWriter, r *http.Request) error {
	var f finding.Filter
	if err := decodeBody(r, &f); err != nil {
		return err
	}
	if f.Name != "" && f.Name != r.PathValue("name") {
		return badRequest("name", "body names filter "+quote(f.Name)+" but the path names "+quote(r.PathValue("name")))
	}
	f.Name = r.PathValue("name")
	saved, err := b.PutFilter(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, saved)
}

func deleteFilter(b Backend, w http.ResponseWriter, r *http.Request) error {
	ok, err := b.DeleteFilter(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	if !ok {
		return notFound("no filter " + r.PathValue("name"))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
