package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/unit"
)

const auditPerPage = 50

type auditData struct {
	Query   url.Values // the filter as given, to refill the form and page on
	Events  []audit.Event
	Units   map[int64]string
	Next    int64 // keyset cursor: seq of the last event shown
	Objects []string
}

// auditObjects are the object types a filter may name.
var auditObjects = []string{"unit", "user", "grant", "token", "session", "setting"}

// auditList shows the audit trail to admins and supervisors, newest first,
// within their subtrees; events that belong to no unit (logins, users) only
// to those whose grant covers a whole tree.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	scopes, err := p.ScopesOrForbidden(auth.ReadAudit)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f, err := s.auditFilter(r, q)
	if err != nil {
		return err
	}
	f.Scopes = scopes
	for _, sc := range scopes {
		if len(unit.Ancestors(sc)) == 1 {
			f.Unscoped = true
		}
	}
	events, err := s.st.AuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	d := auditData{Query: q, Events: events, Objects: auditObjects}
	if len(events) > auditPerPage {
		d.Events = events[:auditPerPage]
		d.Next = d.Events[auditPerPage-1].Seq
	}
	var ids []int64
	for _, e := range d.Events {
		if e.UnitID != 0 {
			ids = append(ids, e.UnitID)
		}
	}
	if d.Units, err = s.st.UnitNames(r.Context(), ids); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "audit", s.newView(w, r, "title.audit", d))
}

// auditFilter reads the filter fields, naming any that is malformed.
func (s *Server) auditFilter(r *http.Request, q url.Values) (store.AuditFilter, error) {
	f := store.AuditFilter{Limit: auditPerPage + 1, Action: strings.TrimSpace(q.Get("action")), ObjectType: q.Get("object")}
	if f.ObjectType != "" && !contains(auditObjects, f.ObjectType) {
		return f, apperr.Field("object", "err.unknown_object")
	}
	ints := map[string]*int64{"object_id": &f.ObjectID, "before": &f.Before}
	for name, dst := range ints {
		if v := strings.TrimSpace(q.Get(name)); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return f, apperr.Field(name, "err.not_a_number")
			}
			*dst = n
		}
	}
	if v := strings.TrimSpace(q.Get("unit")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, apperr.Field("unit", "err.not_a_number")
		}
		u, err := s.unitFor(r, id, action.AuditRead)
		if err != nil {
			return f, apperr.Field("unit", "err.no_such_unit", id)
		}
		f.UnitPath = u.Path
	}
	if login := strings.TrimSpace(q.Get("user")); login != "" {
		u, _, err := s.st.UserByLogin(r.Context(), login)
		if err != nil {
			return f, apperr.Field("user", "err.no_such_user")
		}
		f.UserID = u.ID
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := strings.TrimSpace(q.Get(name)); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, s.opt.Location)
			if err != nil {
				return f, apperr.Field(name, "err.bad_date")
			}
			*dst = t
		}
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // "to" is the last day shown, inclusive
	}
	return f, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NextPage is the URL of the next page with the same filter.
func (d auditData) NextPage() string {
	q := url.Values{}
	for k, v := range d.Query {
		q[k] = v
	}
	q.Set("before", strconv.FormatInt(d.Next, 10))
	return "/audit?" + q.Encode()
}
