package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/unit"
	"zeren/internal/user"
)

const usersPerPage = 50

type userListData struct {
	Query string
	Role  auth.Role
	Roles []auth.Role
	Unit  unit.Unit // the filter's unit, ID 0 for any
	Users []action.Managed
	Next  int64 // keyset cursor of the next page, 0 when none
}

// NextURL is the link to the next page, with the same search and filters;
// "" on the last page.
func (d userListData) NextURL() string {
	if d.Next == 0 {
		return ""
	}
	v := url.Values{"after": {strconv.FormatInt(d.Next, 10)}}
	if d.Query != "" {
		v.Set("q", d.Query)
	}
	if d.Role != "" {
		v.Set("role", string(d.Role))
	}
	if d.Unit.ID != 0 {
		v.Set("unit_id", strconv.FormatInt(d.Unit.ID, 10))
	}
	return "/users?" + v.Encode()
}

// userList lists the users an admin may read with their grants, searchable
// and filtered by unit subtree and role, a page at a time (action.Users).
// A malformed or refused filter shows the page with the field's message.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	if !action.CanListUsers(principal(r)) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	v := r.URL.Query()
	d := userListData{Query: strings.TrimSpace(v.Get("q")), Roles: auth.Roles}
	q, err := action.ParseUserQuery(v.Get("q"), v.Get("unit_id"), v.Get("role"), v.Get("after"))
	if err == nil {
		d.Role = q.Role
		q.Limit = usersPerPage
		var page action.UserPage
		page, err = s.act.Users(r.Context(), principal(r), q)
		d.Users, d.Unit, d.Next = page.Users, page.Unit, page.Next
	}
	if err != nil && apperr.KindOf(err) != apperr.Invalid {
		return err
	}
	view := s.newView(w, r, "title.users", d).withError(err)
	status := http.StatusOK
	if err != nil {
		status = apperr.Status(err)
	}
	return s.render(w, status, "users", view)
}

// managedUser loads the {id} user if the admin manages them (action.User).
func (s *Server) managedUser(r *http.Request) (user.User, []auth.Grant, error) {
	id, err := pathID(r)
	if err != nil {
		return user.User{}, nil, err
	}
	m, err := s.act.User(r.Context(), principal(r), id)
	return m.User, m.Grants, err
}
