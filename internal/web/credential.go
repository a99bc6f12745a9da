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
// cannot guess the password; a wrong answer (an Invalid error from check)
// is counted and returned.
func (s *Server) checkOwnCredential(w http.ResponseWriter, r *http.Request, field string, check func() error) error {
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
	if err := check(); apperr.Is(err, apperr.Invalid) {
		if ferr := s.st.PasswordFailure(r.Context(), p.Actor(), s.clientAddr(r)); ferr != nil {
			return ferr
		}
		return err
	} else if err != nil {
		return err
	}
	return s.st.ClearLoginFailures(r.Context(), key)
}

// spendTOTP checks a code against a user's secret and spends its time
// step: a code is accepted once, by whichever process sees it first.
func (s *Server) spendTOTP(r *http.Request, userID int64, secret, code string) error {
	step, ok := auth.MatchTOTP(secret, code, s.st.Now())
	if !ok {
		return apperr.Field("code", "err.bad_code")
	}
	fresh, err := s.st.SpendTOTPStep(r.Context(), userID, step)
	if err != nil {
		return err
	}
	if !fresh {
		return apperr.Field("code", "err.code_used")
	}
	return nil
}
