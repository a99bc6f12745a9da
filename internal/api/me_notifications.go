package api

import (
	"net/http"
	"strconv"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/i18n"
	"zeren/internal/jobs"
	"zeren/internal/remind"
)

// notificationOut is one notification, its text in the reader's language.
type notificationOut struct {
	ID        int64       `json:"id"`
	Kind      remind.Kind `json:"kind"`
	Text      string      `json:"text"`
	Link      string      `json:"link"`
	Urgent    bool        `json:"urgent"`
	CreatedAt time.Time   `json:"created_at"`
	ReadAt    *time.Time  `json:"read_at"`
}

// inboxOut is a page of the token user's notifications.
type inboxOut struct {
	Items  []notificationOut `json:"items"`
	Next   *int64            `json:"next"` // pass as ?before= for older ones; null on the last page
	Unread int               `json:"unread"`
}

func (a *API) notificationOut(p *auth.Principal, n remind.Notification) notificationOut {
	loc := i18n.Supported(p.Locale)
	if loc == "" {
		loc = i18n.Default
	}
	return notificationOut{ID: n.ID, Kind: n.Kind, Text: jobs.Line(a.cat, loc, n), Link: n.Link, Urgent: n.Urgent,
		CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
}

// myNotifications lists the token user's own notifications, newest first.
func (a *API) myNotifications(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	limit, err := queryLimit(r, 50, 200)
	if err != nil {
		return err
	}
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 0 {
			return apperr.Field("before", "err.not_a_number")
		}
	}
	ns, err := a.st.Inbox(r.Context(), p.UserID, before, limit+1)
	if err != nil {
		return err
	}
	out := inboxOut{Items: []notificationOut{}}
	if len(ns) > limit {
		ns = ns[:limit]
		next := ns[len(ns)-1].ID
		out.Next = &next
	}
	for _, n := range ns {
		out.Items = append(out.Items, a.notificationOut(p, n))
	}
	if out.Unread, err = a.st.Unread(r.Context(), p.UserID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// myNotificationRead marks one of the token user's notifications read;
// another person's is not found.
func (a *API) myNotificationRead(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := a.st.ReadNotification(r.Context(), p.UserID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.notificationOut(p, n))
	return nil
}

// myNotificationsRead marks all of the token user's notifications read.
func (a *API) myNotificationsRead(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	n, err := a.st.ReadAll(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"read": n, "unread": 0})
	return nil
}
