package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/store"
)

type totpData struct {
	Next   string
	Secret string // while setting up: the new secret, carried in the form
	URL    string
	QR     template.URL // data: URL of the QR code, made here, so trusted
}

// codeDue reports whether the session has given the password and owes the
// code: it was due at login, or the user was to set a factor up and has
// done so meanwhile in another session.
func (s *Server) codeDue(r *http.Request) (bool, error) {
	p := principal(r)
	switch p.Pending {
	case auth.StageTOTP:
		return true, nil
	case auth.StageEnroll:
		return s.st.HasTOTP(r.Context(), p.UserID)
	}
	return false, nil
}

// loginTOTPForm asks for the code after the password.
func (s *Server) loginTOTPForm(w http.ResponseWriter, r *http.Request) error {
	if due, err := s.codeDue(r); err != nil {
		return err
	} else if !due {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "login_totp", s.newView(w, r, "title.login_totp", totpData{Next: r.URL.Query().Get("next")}))
}

// loginTOTP checks the code, each accepted once; wrong or used codes count
// as failed logins.
func (s *Server) loginTOTP(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if due, err := s.codeDue(r); err != nil {
		return err
	} else if !due {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	if err := parseForm(r); err != nil {
		return err
	}
	d := totpData{Next: r.PostForm.Get("next")}
	addr := s.clientAddr(r)
	keys := auth.LoginKeys(p.Login, addr)
	if retry, err := s.st.LoginRetryAt(r.Context(), keys...); err != nil {
		return err
	} else if !retry.IsZero() {
		return s.tooManyAttempts(w, r, loginData{Login: p.Login}, retry)
	}
	secret, err := s.st.TOTPSecret(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	if err := s.spendTOTP(r, p.UserID, secret, r.PostForm.Get("code")); apperr.Is(err, apperr.Invalid) {
		if err := s.st.LoginFailure(r.Context(), p.UserID, p.Login, addr, keys...); err != nil {
			return err
		}
		v := s.newView(w, r, "title.login_totp", d).withError(err)
		return s.render(w, http.StatusUnauthorized, "login_totp", v)
	} else if err != nil {
		return err
	}
	if err := s.st.ClearLoginFailures(r.Context(), auth.AccountKey(p.Login), auth.AccountAddressKey(p.Login, addr)); err != nil {
		return err
	}
	return s.startSession(w, r, p.UserID, p.Login, "", d.Next)
}

// settingUpElsewhere sends a user who already has a second factor away from
// the set-up: with the password alone to the code (setting up a new secret
// there skipped the one they have), signed in to their page (replacing it
// needs turning it off first, with a code). It reports whether it did.
func (s *Server) settingUpElsewhere(w http.ResponseWriter, r *http.Request, next string) (bool, error) {
	p := principal(r)
	has, err := s.st.HasTOTP(r.Context(), p.UserID)
	if err != nil || !has {
		return false, err
	}
	to := "/profile"
	if p.Pending != "" {
		to = pendingPage(auth.StageTOTP, next)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return true, nil
}

// totpSetup shows a new secret as a QR code, to be confirmed with a code.
func (s *Server) totpSetup(w http.ResponseWriter, r *http.Request) error {
	if done, err := s.settingUpElsewhere(w, r, r.URL.Query().Get("next")); done || err != nil {
		return err
	}
	secret, url, qr, err := auth.NewTOTP(principal(r).Login)
	if err != nil {
		return err
	}
	d := totpData{Next: r.URL.Query().Get("next"), Secret: secret, URL: url, QR: template.URL(qr)}
	return s.render(w, http.StatusOK, "totp_setup", s.newView(w, r, "title.totp_setup", d))
}

// totpEnable stores the secret once the user proves their app has it (that
// code is then spent); a session waiting for the set-up becomes a full one.
func (s *Server) totpEnable(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r)
	d := totpData{Next: r.PostForm.Get("next"), Secret: strings.TrimSpace(r.PostForm.Get("secret"))}
	if done, err := s.settingUpElsewhere(w, r, d.Next); done || err != nil {
		return err
	}
	step, ok := auth.MatchTOTP(d.Secret, r.PostForm.Get("code"), s.st.Now())
	if !ok {
		secret, url, qr, err := auth.NewTOTP(p.Login)
		if err != nil {
			return err
		}
		d.Secret, d.URL, d.QR = secret, url, template.URL(qr)
		v := s.newView(w, r, "title.totp_setup", d).withError(apperr.Field("code", "err.bad_code"))
		return s.render(w, http.StatusBadRequest, "totp_setup", v)
	}
	if err := s.st.EnableTOTP(r.Context(), p.Actor(), p.UserID, d.Secret, step); err != nil {
		return err
	}
	if p.Pending != "" {
		return s.startSession(w, r, p.UserID, p.Login, "", d.Next)
	}
	return s.redirect(w, r, "/profile", "flash.totp_enabled")
}

// totpDisable removes the second factor, with a current code (wrong ones
// limited like logins), unless the user's role requires it.
func (s *Server) totpDisable(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r)
	required, err := s.st.Setting(r.Context(), auth.SettingTOTPRoles)
	if err != nil {
		return err
	}
	secret, err := s.st.TOTPSecret(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	if auth.RequiresTOTP(required, p.Grants) {
		err = apperr.Field("code", "err.totp_required")
	} else {
		err = s.checkOwnCredential(w, r, "code", func() error {
			return s.spendTOTP(r, p.UserID, secret, r.PostForm.Get("code"))
		})
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.RateLimited) {
		return s.renderProfile(w, r, apperr.Status(err), "", err)
	}
	if err != nil {
		return err
	}
	if err := s.st.SetTOTP(r.Context(), p.Actor(), p.UserID, ""); err != nil {
		return err
	}
	return s.redirect(w, r, "/profile", "flash.totp_disabled")
}

type settingsData struct {
	RequireTOTP bool
	WarningDays string
	MinDays     int
	MaxDays     int
}

// settings shows the system-wide settings to admins of a whole tree.
func (s *Server) settings(w http.ResponseWriter, r *http.Request) error {
	if !action.CanChangeSettings(principal(r)) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	v, err := s.st.Setting(r.Context(), auth.SettingTOTPRoles)
	if err != nil {
		return err
	}
	return s.renderSettings(w, r, http.StatusOK, settingsData{RequireTOTP: v != "", WarningDays: strconv.Itoa(s.st.WarningDays())}, nil)
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, d settingsData, formErr error) error {
	d.MinDays, d.MaxDays = store.MinWarningDays, store.MaxWarningDays
	return s.render(w, status, "settings", s.newView(w, r, "title.settings", d).withError(formErr))
}

func (s *Server) settingsUpdate(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if !action.CanChangeSettings(p) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	if err := parseForm(r); err != nil {
		return err
	}
	d := settingsData{RequireTOTP: r.PostForm.Get("require_totp") == "on", WarningDays: strings.TrimSpace(r.PostForm.Get("warning_days"))}
	if !r.PostForm.Has("warning_days") {
		d.WarningDays = strconv.Itoa(s.st.WarningDays()) // left as it is
	}
	// Both settings are checked before either is changed.
	days, err := strconv.Atoi(d.WarningDays)
	if err != nil || days < store.MinWarningDays || days > store.MaxWarningDays {
		err := apperr.Field("warning_days", "err.warning_days_range", store.MinWarningDays, store.MaxWarningDays)
		return s.renderSettings(w, r, apperr.Status(err), d, err)
	}
	value := ""
	if d.RequireTOTP {
		var roles []string
		for _, role := range auth.TOTPRoles {
			roles = append(roles, string(role))
		}
		value = strings.Join(roles, ",")
	}
	if err := s.act.UpdateSettings(r.Context(), p, value, days); err != nil {
		return err
	}
	return s.redirect(w, r, "/settings", "flash.saved")
}
