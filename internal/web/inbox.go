package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/jobs"
	"zeren/internal/remind"
)

// inboxPage is how many notifications a page of the inbox shows.
const inboxPage = 50

// inboxRow is one notification as the inbox shows it.
type inboxRow struct {
	ID        int64
	Text      string
	Urgent    bool
	Unread    bool
	CreatedAt time.Time
}

type inboxData struct {
	Rows  []inboxRow
	Older int64 // the cursor of the next, older page; 0 if none
	Newer bool  // this is not the first page
}

// inbox lists the user's own notifications, newest first, a page at a time
// before the id given.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) error {
	before, err := queryCursor(r, "before")
	if err != nil {
		return err
	}
	p := principal(r)
	ns, err := s.st.Inbox(r.Context(), p.UserID, before, inboxPage+1)
	if err != nil {
		return err
	}
	d := inboxData{Newer: before > 0}
	if len(ns) > inboxPage {
		ns = ns[:inboxPage]
		d.Older = ns[len(ns)-1].ID
	}
	v := s.newView(w, r, "inbox.title", nil)
	for _, n := range ns {
		d.Rows = append(d.Rows, inboxRow{ID: n.ID, Text: jobs.Line(s.cat, v.Locale, n), Urgent: n.Urgent, Unread: n.ReadAt == nil, CreatedAt: n.CreatedAt})
	}
	v.Data = d
	return s.render(w, http.StatusOK, "inbox", v)
}

// inboxOpen marks one of the user's notifications read and goes to what it
// is about; another person's is not found, and changes nothing.
func (s *Server) inboxOpen(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.st.ReadNotification(r.Context(), principal(r).UserID, id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, localLink(n), http.StatusSeeOther)
	return nil
}

// localLink is where a notification leads: its link when that is a path on
// this site, else the inbox, so that no stored link can send anyone away.
func localLink(n remind.Notification) string {
	l := n.Link
	u, err := url.Parse(l)
	if err != nil || !strings.HasPrefix(l, "/") || strings.HasPrefix(l, "//") || strings.HasPrefix(l, `/\`) ||
		u.Scheme != "" || u.Host != "" || strings.ContainsAny(l, "\\\r\n\t") {
		return "/inbox"
	}
	return l
}

// inboxReadAll marks every notification of the user read.
func (s *Server) inboxReadAll(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.st.ReadAll(r.Context(), principal(r).UserID); err != nil {
		return err
	}
	return s.redirect(w, r, "/inbox", "inbox.all_read")
}

// queryCursor reads a keyset cursor from the query: an id, 0 when absent.
func queryCursor(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.Field(name, "err.not_a_number")
	}
	return n, nil
}

// Unread counts the signed-in user's unread notifications for the menu's
// badge: one indexed count per page, 0 if it cannot be read.
func (v *view) Unread() int {
	if v.User == nil || v.User.Pending != "" {
		return 0
	}
	n, err := v.s.st.Unread(v.r.Context(), v.User.UserID)
	if err != nil {
		v.s.log.Warn("unread count", "user", v.User.UserID, "error", err)
		return 0
	}
	return n
}

// CanManageJobs reports whether the menu shows the jobs page.
func (v *view) CanManageJobs() bool { return v.User != nil && action.CanManageJobs(v.User) }
