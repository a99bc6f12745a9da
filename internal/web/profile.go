package web

import (
	"net/http"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/remind"
	"zeren/internal/store"
	"zeren/internal/user"
)

type profileData struct {
	Tokens   []store.APIToken
	NewToken string // a token just created, shown this once
	TOTP     bool   // the second factor is set up
	Contact  user.Contact
	Chosen   map[remind.Channel]bool // the channels ticked
	Channels []remind.Channel        // every outside channel, in order
}

// profile shows the signed-in user's own page: password, API tokens, second factor.
func (s *Server) profile(w http.ResponseWriter, r *http.Request) error {
	return s.renderProfile(w, r, http.StatusOK, "", nil)
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, status int, newToken string, formErr error) error {
	return s.renderProfileContact(w, r, status, newToken, formErr, nil)
}

// renderProfileContact is renderProfile showing the contact form as sent
// (when it is refused) instead of as stored.
func (s *Server) renderProfileContact(w http.ResponseWriter, r *http.Request, status int, newToken string, formErr error, sent *user.Contact) error {
	p := principal(r)
	tokens, err := s.st.APITokens(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	enrolled, err := s.st.HasTOTP(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	d := profileData{Tokens: tokens, NewToken: newToken, TOTP: enrolled, Chosen: map[remind.Channel]bool{}, Channels: remind.Channels}
	if sent != nil {
		d.Contact = *sent
	} else if d.Contact, err = s.st.Contact(r.Context(), p.UserID); err != nil {
		return err
	}
	for _, ch := range d.Contact.Channels {
		d.Chosen[ch] = true
	}
	v := s.newView(w, r, "title.profile", d).withError(formErr)
	return s.render(w, status, "profile", v)
}

// passwordChange lets users change their own password: the current one is
// asked again (wrong ones limited like logins), the new one twice; other
// sessions end, this one stays.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r)
	_, hash, err := s.st.UserByLogin(r.Context(), p.Login)
	if err != nil {
		return err
	}
	current, next := r.PostForm.Get("current"), r.PostForm.Get("password")
	err = s.checkOwnCredential(w, r, "current", func() error {
		if !auth.VerifyPassword(hash, current) {
			return apperr.Field("current", "err.wrong_password")
		}
		return nil
	})
	switch {
	case err != nil:
	case next != r.PostForm.Get("confirm"):
		err = apperr.Field("confirm", "err.passwords_differ")
	default:
		err = auth.CheckPassword(p.Login, next)
	}
	if err == nil {
		c, _ := r.Cookie(sessionCookie)
		err = s.st.SetPassword(r.Context(), p.Actor(), p.UserID, auth.HashPassword(next), c.Value)
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.RateLimited) {
		return s.renderProfile(w, r, apperr.Status(err), "", err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/profile", "flash.password_changed")
}

// tokenCreate makes an API token and shows it once.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r)
	// Refused as its use would be, for a session begun before the role
	// required a second factor.
	if due, err := s.st.SecondFactorDue(r.Context(), p.UserID, p.Grants); err != nil {
		return err
	} else if due == auth.StageEnroll {
		err := apperr.New(apperr.Forbidden, "err.token_totp_required")
		return s.renderProfile(w, r, apperr.Status(err), "", err)
	}
	secret, err := s.st.CreateAPIToken(r.Context(), p.Actor(), p.UserID, strings.TrimSpace(r.PostForm.Get("name")))
	if apperr.Is(err, apperr.Invalid) {
		return s.renderProfile(w, r, http.StatusBadRequest, "", err)
	}
	if err != nil {
		return err
	}
	return s.renderProfile(w, r, http.StatusOK, secret, nil)
}

// tokenRevoke revokes one of the user's own tokens.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	if err := s.st.RevokeAPIToken(r.Context(), p.Actor(), p.UserID, id); err != nil {
		return err
	}
	return s.redirect(w, r, "/profile", "flash.token_revoked")
}
