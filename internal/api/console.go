package api

import (
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"label": finding.SeverityLabel,
}).ParseFS(templateFS, "templates/*.html"))

// consoleRoutes adds the read-only web console. It authenticates with the
// admin token once (login form) and then a cookie. html/template escapes
// every value: finding fields are attacker-controlled.
func consoleRoutes(mux *http.ServeMux, b Backend, token string) {
	page := func(name string, h func(r *http.Request) (any, error)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if c, err := r.Cookie("vigil_token"); err != nil || !equalToken(c.Value, token) {
				http.Redirect(w, r, "/login?next="+r.URL.Path, http.StatusSeeOther)
				return
			}
			data, err := h(r)
			if err != nil {
				writeError(w, err)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = pages.ExecuteTemplate(w, name, data)
		}
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/findings", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pages.ExecuteTemplate(w, "login.html", r.URL.Query().Get("next"))
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if !equalToken(r.PostFormValue("token"), token) {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "vigil_token", Value: token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Expires: time.Now().Add(12 * time.Hour)})
		next := r.PostFormValue("next")
		if len(next) == 0 || next[0] != '/' || (len(next) > 1 && next[1] == '/') {
			next = "/findings"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
	mux.Handle("GET /findings", page("findings.html", func(r *http.Request) (any, error) {
		fs, _, err := b.ListFindings(r.Context(), FindingQuery{Limit: 200})
		return fs, err
	}))
	mux.Handle("GET /findings/{id}", page("finding.html", func(r *http.Request) (any, error) {
		f, ok, err := b.GetFinding(r.Context(), r.PathValue("id"))
		if err == nil && !ok {
			err = notFound("no finding " + r.PathValue("id"))
		}
		return f, err
	}))
	mux.Handle("GET /coverage", page("coverage.html", func(r *http.Request) (any, error) {
		return b.ListCoverage(r.Context())
	}))
}

func equalToken(a, b string) bool {
	r := &http.Request{Header: http.Header{"Authorization": {"Bearer " + a}}}
	return authorized(r, b)
}
