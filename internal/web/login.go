package web

import (
	"net/http"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
)

// home sends signed-in users to the unit tree and others to the login page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	if principal(r) == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/units", http.StatusSeeOther)
	return nil
}

type loginData struct {
	Login string
	Next  string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if principal(r) != nil {
		http.Redirect(w, r, localNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "login", s.newView(w, r, "title.login", loginData{Next: r.URL.Query().Get("next")}))
}

// login checks the password and starts a new session; a failure says only
// that login or password is wrong, never which.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d := loginData{Login: strings.TrimSpace(r.PostForm.Get("login")), Next: r.PostForm.Get("next")}
	password := r.PostForm.Get("password")
	u, hash, err := s.st.UserByLogin(r.Context(), d.Login)
	switch {
	case apperr.Is(err, apperr.NotFound):
		auth.VerifyDummy(password)
	case err != nil:
		return err
	}
	if err != nil || u.Disabled || !auth.VerifyPassword(hash, password) {
		v := s.newView(w, r, "title.login", d)
		v.Problem = v.T("err.bad_login")
		return s.render(w, http.StatusUnauthorized, "login", v)
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.st.DeleteSession(r.Context(), audit.Actor{UserID: u.ID, Login: u.Login}, c.Value, "session.replace")
	}
	secret, err := s.st.CreateSession(r.Context(), audit.Actor{UserID: u.ID, Login: u.Login})
	if err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, secret, s.opt.Sessions.Absolute)
	s.log.Info("login", "user", u.ID)
	http.Redirect(w, r, localNext(d.Next), http.StatusSeeOther)
	return nil
}

// localNext keeps redirects after login on this site.
func localNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.st.DeleteSession(r.Context(), principal(r).Actor(), c.Value, "session.logout"); err != nil {
			return err
		}
	}
	s.clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
