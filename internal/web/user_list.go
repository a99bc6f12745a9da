package web

import (
	"net/http"
	"strconv"
	"strings"

	"zeren/internal/apperr"
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
	scopes, err := adminScopes(r)
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

// adminScopes returns the subtrees where the user manages users, or 403.
func adminScopes(r *http.Request) ([]string, error) {
	scopes := principal(r).Scopes(auth.ManageUsers)
	if len(scopes) == 0 {
		return nil, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return scopes, nil
}

// managedUser loads the {id} user if the admin manages them: a user with a
// grant inside the admin's subtrees, or with no grant at all.
func (s *Server) managedUser(r *http.Request) (user.User, []auth.Grant, error) {
	if _, err := adminScopes(r); err != nil {
		return user.User{}, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return user.User{}, nil, err
	}
	u, err := s.st.User(r.Context(), id)
	if err != nil {
		return u, nil, err
	}
	grants, err := s.st.Grants(r.Context(), id)
	if err != nil {
		return u, nil, err
	}
	if len(grants) == 0 {
		return u, grants, nil
	}
	p := principal(r)
	for _, g := range grants {
		if p.Can(auth.ManageUsers, g.UnitPath) {
			return u, grants, nil
		}
	}
	return u, nil, apperr.New(apperr.NotFound, "err.not_found")
}
