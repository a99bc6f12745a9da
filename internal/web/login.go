package web

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
)

// home sends signed-in users to their to-do and others to the login page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	if principal(r) == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/todo", http.StatusSeeOther)
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
// that login or password is wrong, never which. Failures count against the
// account, the account at the client's address and the address (see
// auth.LoginKeys); past a limit the answer is 429.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d := loginData{Login: strings.ToLower(strings.TrimSpace(r.PostForm.Get("login"))), Next: r.PostForm.Get("next")}
	password := r.PostForm.Get("password")
	addr := s.clientAddr(r)
	keys := auth.LoginKeys(d.Login, addr)
	if retry, err := s.st.LoginRetryAt(r.Context(), keys...); err != nil {
		return err
	} else if !retry.IsZero() {
		return s.tooManyAttempts(w, r, d, retry)
	}
	u, hash, err := s.st.UserByLogin(r.Context(), d.Login)
	switch {
	case apperr.Is(err, apperr.NotFound):
		auth.VerifyDummy(password)
	case err != nil:
		return err
	}
	if err != nil || u.Disabled || !auth.VerifyPassword(hash, password) {
		if err := s.st.LoginFailure(r.Context(), u.ID, d.Login, addr, keys...); err != nil {
			return err
		}
		v := s.newView(w, r, "title.login", d)
		v.Problem = v.T("err.bad_login")
		return s.render(w, http.StatusUnauthorized, "login", v)
	}
	stage, err := s.secondFactorDue(r, u.ID)
	if err != nil {
		return err
	}
	if stage != auth.StageTOTP { // with a code still due, the count goes on until it is right
		if err := s.st.ClearLoginFailures(r.Context(), auth.AccountKey(d.Login), auth.AccountAddressKey(d.Login, addr)); err != nil {
			return err
		}
	}
	return s.startSession(w, r, u.ID, u.Login, stage, d.Next)
}

// secondFactorDue says what a user who gave the right password must still
// do: enter their code, set up a second factor their role requires, or
// nothing (auth.SecondFactorDue).
func (s *Server) secondFactorDue(r *http.Request, userID int64) (string, error) {
	grants, err := s.st.Grants(r.Context(), userID)
	if err != nil {
		return "", err
	}
	return s.st.SecondFactorDue(r.Context(), userID, grants)
}

// tooManyAttempts answers 429 with the time at which to try again.
func (s *Server) tooManyAttempts(w http.ResponseWriter, r *http.Request, d loginData, retry time.Time) error {
	wait := retry.Sub(s.st.Now())
	minutes := int(wait.Minutes()) + 1
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	v := s.newView(w, r, "title.login", d)
	v.Problem = v.T("err.too_many_logins", v.Time(retry), minutes)
	return s.render(w, http.StatusTooManyRequests, "login", v)
}

// startSession replaces any session the browser had by a new one, so that a
// session id planted before login is worthless after it; a pending stage
// sends the user on to finish the second factor.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID int64, login, stage, next string) error {
	by := audit.Actor{UserID: userID, Login: login}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.st.DeleteSession(r.Context(), by, c.Value, "session.replace"); err != nil {
			return err
		}
	}
	secret, err := s.st.CreateSession(r.Context(), by, stage)
	if err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, secret, s.opt.Sessions.Absolute)
	http.Redirect(w, r, pendingPage(stage, next), http.StatusSeeOther)
	return nil
}

// pendingPage is where a session in the given stage goes next.
func pendingPage(stage, next string) string {
	q := "?" + url.Values{"next": {localNext(next)}}.Encode()
	switch stage {
	case auth.StageTOTP:
		return "/login/totp" + q
	case auth.StageEnroll:
		return "/profile/totp" + q
	}
	return localNext(next)
}

// clientAddr is the client's address: the connection's peer, or behind a
// trusted proxy the last address it appended to X-Forwarded-For.
func (s *Server) clientAddr(r *http.Request) string {
	if s.opt.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// localNext keeps redirects after login on this site: only a path of this
// site is followed, anything else sends the user to "/".
func localNext(next string) string {
	if !sameSitePath(next) {
		return "/"
	}
	return next
}

// sameSitePath reports whether next is a path on this site: one leading
// slash, no backslash, no control character and no scheme, neither as
// written nor after percent-decoding (browsers drop tabs and newlines and read
// "\" as "/", so "/%09/evil.example" and "/\evil" lead off-site).
func sameSitePath(next string) bool {
	for range 3 { // "%2509" is "%09" decoded once
		if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || !utf8.ValidString(next) ||
			strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) {
			return false
		}
		if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
			return false
		}
		decoded, err := url.PathUnescape(next)
		if err != nil {
			return false
		}
		if decoded == next {
			return true
		}
		next = decoded
	}
	return false // still encoded after three rounds: nobody needs that
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
