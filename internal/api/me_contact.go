package api

import (
	"net/http"

	"zeren/internal/auth"
	"zeren/internal/remind"
	"zeren/internal/user"
)

// contactOut is the token user's contact; absent values are null.
type contactOut struct {
	Email    *string          `json:"email"`
	Phone    *string          `json:"phone"`
	Channels []remind.Channel `json:"channels"`
}

// contactIn replaces the contact: an absent or null value clears it.
type contactIn struct {
	Email    *string  `json:"email"`
	Phone    *string  `json:"phone"`
	Channels []string `json:"channels"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (a *API) writeContact(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.st.Contact(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	out := contactOut{Email: nullable(c.Email), Phone: nullable(c.Phone), Channels: c.Channels}
	if out.Channels == nil {
		out.Channels = []remind.Channel{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// myContact returns the token user's e-mail, phone and outside channels.
func (a *API) myContact(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return a.writeContact(w, r, p)
}

// myContactPut replaces the token user's contact; bad input names the
// field and changes nothing.
func (a *API) myContactPut(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in contactIn
	if err := decode(r, &in); err != nil {
		return err
	}
	c := user.Contact{Email: deref(in.Email), Phone: deref(in.Phone)}
	for _, ch := range in.Channels {
		c.Channels = append(c.Channels, remind.Channel(ch))
	}
	if err := a.st.SetContact(r.Context(), p.Actor(), p.UserID, c); err != nil {
		return err
	}
	return a.writeContact(w, r, p)
}
