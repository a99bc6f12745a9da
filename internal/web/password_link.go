package web

import (
	"net/http"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/user"
)

type passwordLinkData struct {
	User   user.User
	Token  string
	Valid  bool // the link works: the form is shown
	MinLen int  // of a password
}

// passwordLinkForm shows the page of a set-password link: whose account it
// is and the form, or why the link does not work.
func (s *Server) passwordLinkForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	u, err := s.st.PasswordLinkUser(r.Context(), token)
	return s.renderPasswordLink(w, r, http.StatusOK, token, u, err)
}

// passwordLinkUse sets the password with a set-password link and sends the
// person to log in with it.
func (s *Server) passwordLinkUse(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	token := r.PathValue("token")
	u, err := s.setPasswordByLink(r, token, r.PostForm.Get("password"), r.PostForm.Get("confirm"))
	if err != nil {
		return s.renderPasswordLink(w, r, apperr.Status(err), token, u, err)
	}
	return s.redirect(w, r, "/login", "flash.password_set")
}

// setPasswordByLink checks the link and the password (given twice) against
// the rules, then uses the link. The token is the credential, so no policy
// decides (as with a one-time voting code); the store checks the link again
// in the transaction that spends it.
func (s *Server) setPasswordByLink(r *http.Request, token, password, confirm string) (user.User, error) {
	u, err := s.st.PasswordLinkUser(r.Context(), token)
	if err != nil {
		return u, err
	}
	if err := auth.CheckPassword(u.Login, password); err != nil {
		return u, err
	}
	if password != confirm {
		return u, apperr.Field("confirm", "err.passwords_differ")
	}
	// Hashed before the transaction: argon2id takes tens of milliseconds
	// that the write lock need not wait for.
	return s.st.SetPasswordByLink(r.Context(), token, auth.HashPassword(password))
}

// renderPasswordLink renders the page; a link that does not work is a
// page saying why, never a redirect off it or a server error.
func (s *Server) renderPasswordLink(w http.ResponseWriter, r *http.Request, status int, token string, u user.User, err error) error {
	k := apperr.KindOf(err)
	if err != nil && k != apperr.Invalid && k != apperr.NotFound {
		return err
	}
	d := passwordLinkData{User: u, Token: token, Valid: err == nil || k == apperr.Invalid, MinLen: auth.MinPasswordLen}
	if err != nil && k == apperr.NotFound {
		status = http.StatusNotFound
	}
	v := s.newView(w, r, "title.password_link", d).withError(err)
	return s.render(w, status, "password_link", v)
}
