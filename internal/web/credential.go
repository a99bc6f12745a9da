package web

import (
	"net/http"
	"strconv"

	"zeren/internal/apperr"
	"zeren/internal/auth"
)

// checkOwnCredential runs a signed-in user's check of their own current
// password or code under the same limit as logins (key auth.PasswordKey):
// past the limit it answers 429 without checking, so a stolen session
// cannot guess the password; a wrong answer is counted and reported as
// wrongKey on field.
func (s *Server) checkOwnCredential(w http.ResponseWriter, r *http.Request, field, wrongKey string, check func() (bool, error)) error {
	p := principal(r)
	key := auth.PasswordKey(p.UserID)
	retry, err := s.st.LoginRetryAt(r.Context(), key)
	if err != nil {
		return err
	}
	if !retry.IsZero() {
		wait := retry.Sub(s.st.Now())
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		at := retry.In(s.opt.Location).Format("2006-01-02 15:04")
		return &apperr.Error{Kind: apperr.RateLimited, Field: field, Key: "err.too_many_checks", Args: []any{at, int(wait.Minutes()) + 1}}
	}
	ok, err := check()
	if err != nil {
		return err
	}
	if !ok {
		if err := s.st.PasswordFailure(r.Context(), p.Actor(), s.clientAddr(r)); err != nil {
			return err
		}
		return apperr.Field(field, wrongKey)
	}
	return s.st.ClearLoginFailures(r.Context(), key)
}
