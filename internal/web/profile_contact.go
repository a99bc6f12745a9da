package web

import (
	"net/http"

	"zeren/internal/apperr"
	"zeren/internal/remind"
	"zeren/internal/user"
)

// contactSave changes the user's own e-mail, phone and outside channels;
// bad input is shown on the form, naming the field, and changes nothing.
func (s *Server) contactSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	c := user.Contact{Email: r.PostForm.Get("email"), Phone: r.PostForm.Get("phone")}
	for _, ch := range r.PostForm["channels"] {
		c.Channels = append(c.Channels, remind.Channel(ch))
	}
	p := principal(r)
	err := s.st.SetContact(r.Context(), p.Actor(), p.UserID, c)
	if apperr.Is(err, apperr.Invalid) {
		return s.renderProfileContact(w, r, apperr.Status(err), "", err, &c)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/profile", "flash.saved")
}
