package web

import (
	"net/http"
	"strconv"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/i18n"
	"zeren/internal/user"
)

type userNewData struct {
	Draft   user.Draft
	Role    auth.Role
	Roles   []auth.Role
	Locales []string
}

func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r).ScopesOrForbidden(auth.ManageUsers); err != nil {
		return err
	}
	d := userNewData{Role: auth.Observer, Roles: auth.Roles, Locales: i18n.Locales}
	return s.render(w, http.StatusOK, "user_new", s.newView(w, r, "title.user_new", d))
}

// userCreate adds a user with a password and a first grant on a unit the
// admin manages.
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r).ScopesOrForbidden(auth.ManageUsers); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	d := userNewData{
		Draft: user.Draft{Login: r.PostForm.Get("login"), Name: r.PostForm.Get("name"), Locale: r.PostForm.Get("locale")},
		Role:  auth.Role(r.PostForm.Get("role")), Roles: auth.Roles, Locales: i18n.Locales,
	}
	u, err := s.createUser(r, d)
	if apperr.Is(err, apperr.Invalid) {
		v := s.newView(w, r, "title.user_new", d).withError(err)
		return s.render(w, http.StatusBadRequest, "user_new", v)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "flash.user_created")
}

func (s *Server) createUser(r *http.Request, d userNewData) (user.User, error) {
	unitID, err := requiredInt(r, "unit_id")
	if err != nil {
		return user.User{}, err
	}
	u, err := s.act.CreateUser(r.Context(), principal(r), d.Draft, r.PostForm.Get("password"), []auth.Grant{{Role: d.Role, UnitID: unitID}})
	if e, ok := apperr.As(err); ok {
		// The form has one grant, in the fields role and unit_id.
		e.Field = strings.TrimPrefix(e.Field, "grants.")
	}
	return u, err
}
