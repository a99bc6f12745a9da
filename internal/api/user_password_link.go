package api

import (
	"net/http"
	"time"

	"zeren/internal/auth"
	"zeren/internal/user"
)

// passwordLinkOut is a set-password link just made; the API answers it
// this once and keeps only its hash.
type passwordLinkOut struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// userPasswordLink makes a one-time set-password link for a user the
// caller may change (action.IssuePasswordLink).
func (a *API) userPasswordLink(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	link, err := a.act.IssuePasswordLink(r.Context(), p, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, passwordLinkOut{URL: user.PasswordLinkURL(a.base(r), link.Token), ExpiresAt: link.ExpiresAt})
	return nil
}

// base is where people open zeren: --base-url, or the address the request
// came to.
func (a *API) base(r *http.Request) string {
	if a.baseURL != "" {
		return a.baseURL
	}
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
