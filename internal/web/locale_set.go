package web

import (
	"net/http"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/i18n"
)

// setLocale switches the interface language: stored on the user when signed
// in, and in a cookie so the login page follows too.
func (s *Server) setLocale(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	loc := i18n.Supported(r.PostForm.Get("locale"))
	if loc == "" {
		return apperr.Field("locale", "err.unknown_locale")
	}
	if p := principal(r); p != nil {
		if err := s.st.SetLocale(r.Context(), principal(r).Actor(), p.UserID, loc); err != nil {
			return err
		}
	}
	s.setCookie(w, r, localeCookie, loc, 365*24*time.Hour)
	http.Redirect(w, r, localNext(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}
