package web

import (
	"net/http"
	"strconv"
	"strings"

	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/user"
)

const usersPerPage = 50

type userListData struct {
	Query string
	Users []user.User
	Next  int64 // keyset cursor of the next page, 0 when none
}

// userList lists the users an admin manages, searchable, a page at a time.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	scopes, err := principal(r).ScopesOrForbidden(auth.ManageUsers)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := userListData{Query: strings.TrimSpace(q.Get("q"))}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	d.Users, err = s.st.Users(r.Context(), store.UserFilter{Scopes: scopes, Query: d.Query, AfterID: after, Limit: usersPerPage + 1})
	if err != nil {
		return err
	}
	if len(d.Users) > usersPerPage {
		d.Users = d.Users[:usersPerPage]
		d.Next = d.Users[usersPerPage-1].ID
	}
	return s.render(w, http.StatusOK, "users", s.newView(w, r, "title.users", d))
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
