package web

import (
	"net/http"
	"strconv"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/i18n"
	"zeren/internal/user"
)

type userData struct {
	User    user.User
	Draft   user.Draft
	Grants  []auth.Grant
	Role    auth.Role // preselected in the add-grant form
	Roles   []auth.Role
	Locales []string
	Mine    *user.Draft // the edit that lost to a newer version
	Change  bool        // the admin may edit, disable, reset and re-grant this user
	Link    *shownLink  // a set-password link just made, shown this once
}

func (s *Server) userShow(w http.ResponseWriter, r *http.Request) error {
	u, grants, err := s.managedUser(r)
	if err != nil {
		return err
	}
	return s.renderUser(w, r, http.StatusOK, u, grants, nil, nil)
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, status int, u user.User, grants []auth.Grant, mine *user.Draft, formErr error) error {
	return s.renderUserPage(w, r, status, u, grants, mine, formErr, nil)
}

// renderUserLink shows the user's page with a set-password link just made.
func (s *Server) renderUserLink(w http.ResponseWriter, r *http.Request, u user.User, grants []auth.Grant, link *shownLink) error {
	return s.renderUserPage(w, r, http.StatusOK, u, grants, nil, nil, link)
}

func (s *Server) renderUserPage(w http.ResponseWriter, r *http.Request, status int, u user.User, grants []auth.Grant, mine *user.Draft, formErr error, link *shownLink) error {
	d := userData{Link: link, User: u, Draft: user.Draft{Login: u.Login, Name: u.Name, Locale: u.Locale, Disabled: u.Disabled},
		Grants: grants, Role: auth.Observer, Roles: auth.Roles, Locales: i18n.Locales,
		Change: action.CanChangeUser(principal(r), action.Managed{User: u, Grants: grants})}
	if formErr != nil && mine != nil {
		if apperr.Is(formErr, apperr.Conflict) {
			d.Mine = mine
		} else {
			d.Draft = *mine
		}
	}
	v := s.newView(w, r, "title.user", d).withError(formErr)
	v.Title = u.Name
	return s.render(w, status, "user", v)
}

// userUpdate changes a user's name, locale and disabled flag and, when a new
// password is given, resets it.
func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	u, grants, err := s.managedUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	version, err := requiredInt(r, "version")
	if err != nil {
		return err
	}
	d := user.Draft{Login: u.Login, Name: r.PostForm.Get("name"), Locale: r.PostForm.Get("locale"), Disabled: r.PostForm.Get("disabled") == "on"}
	_, err = s.act.UpdateUser(r.Context(), principal(r), u.ID, version, d, r.PostForm.Get("password"))
	if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Conflict {
		current, gerr := s.st.User(r.Context(), u.ID)
		if gerr != nil {
			return gerr
		}
		return s.renderUser(w, r, apperr.Status(err), current, grants, &d, err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "flash.saved")
}
