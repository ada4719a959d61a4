package api

import (
	"net/http"

	"github.com/vigilsec/vigil/internal/bus"
)

func listTopics(b Backend, w http.ResponseWriter, r *http.Request) error {
	ts, err := b.ListTopics(r.Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []bus.Topic{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"topics": ts})
}

func putTopic(b Backend, w http.ResponseWriter, r *http.Request) error {
	var t bus.Topic
	if err := decodeBody(r, &t); err != nil {
		return err
	}
	if t.Name != "" && t.Name != r.PathValue("name") {
		return badRequest("name", "body names topic "+quote(t.Name)+" but the path names "+quote(r.PathValue("name")))
	}
	t.Name = r.PathValue("name")
	saved, err := b.PutTopic(r.Context(), t)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, saved)
}

func deleteTopic(b Backend, w http.ResponseWriter, r *http.Request) error {
	ok, err := b.DeleteTopic(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	if !ok {
		return notFound("no topic " + r.PathValue("name"))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func listSubscriptions(b Backend, w http.ResponseWriter, r *http.Request) error {
	subs, err := b.ListSubscriptions(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	if subs == nil {
		subs = []bus.Subscription{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"subscriptions": subs})
}

// subscribe is SNS's Subscribe: {"protocol": "email"|"email-json"|
// "webhook"|"slack", "endpoint": address or URL}.
func subscribe(b Backend, w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Protocol string `json:"protocol"`
		Endpoint string `json:"endpoint"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	sub, err := b.Subscribe(r.Context(), r.PathValue("name"), req.Protocol, req.Endpoint)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, sub)
}

func adminUnsubscribe(b Backend, w http.ResponseWriter, r *http.Request) error {
	if _, err := b.Unsubscribe(r.Context(), r.PathValue("id"), "", true); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// subscriptionLink serves the confirm and unsubscribe links of subscription
// mails with a small page saying what happened.
func subscriptionLink(b Backend, w http.ResponseWriter, r *http.Request, confirm bool) {
	id, token := r.URL.Query().Get("subscription"), r.URL.Query().Get("token")
	var sub bus.Subscription
	var err error
	if confirm {
		sub, err = b.ConfirmSubscription(r.Context(), id, token)
	} else {
		sub, err = b.Unsubscribe(r.Context(), id, token, false)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "subscription.html", map[string]any{"Confirm": confirm, "Sub": sub})
}
