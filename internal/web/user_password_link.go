package web

import (
	"net/http"

	"zeren/internal/apperr"
	"zeren/internal/user"
)

// shownLink is a set-password link on the user's page, shown once.
type shownLink struct {
	URL     string
	Expires string
}

// userPasswordLink makes a set-password link for a user and shows it on
// their page this once; it is not stored anywhere it could be shown again.
func (s *Server) userPasswordLink(w http.ResponseWriter, r *http.Request) error {
	u, grants, err := s.managedUser(r)
	if err != nil {
		return err
	}
	link, err := s.act.IssuePasswordLink(r.Context(), principal(r), u.ID)
	if apperr.Is(err, apperr.Conflict) {
		return s.renderUser(w, r, http.StatusConflict, u, grants, nil, err)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.renderUserLink(w, r, u, grants, &shownLink{URL: user.PasswordLinkURL(s.linkBase(r), link.Token),
		Expires: link.ExpiresAt.In(s.opt.Location).Format("2006-01-02 15:04")})
}
