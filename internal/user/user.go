// Package user holds the rules for accounts: logins, names and locales.
package user

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/i18n"
)

// User is an account. The password hash never leaves the store.
type User struct {
	ID        int64     `json:"id"`
	Login     string    `json:"login"`
	Name      string    `json:"name"`
	Locale    string    `json:"locale"` // "" follows the browser
	Disabled  bool      `json:"disabled"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var loginRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// MaxNameLen bounds a person's display name.
const MaxNameLen = 100

// Draft is what an admin supplies to create or edit a user.
type Draft struct {
	Login    string
	Name     string
	Locale   string
	Disabled bool
}

// Normalize trims and lower-cases the login and checks every field.
func (d *Draft) Normalize() error {
	d.Login = strings.ToLower(strings.TrimSpace(d.Login))
	d.Name = strings.TrimSpace(d.Name)
	if d.Login == "" {
		return apperr.Field("login", "err.required")
	}
	if !loginRE.MatchString(d.Login) {
		return apperr.Field("login", "err.login_format")
	}
	switch n := utf8.RuneCountInString(d.Name); {
	case n == 0:
		return apperr.Field("name", "err.required")
	case n > MaxNameLen:
		return apperr.Field("name", "err.too_long", MaxNameLen)
	}
	return CheckLocale(d.Locale)
}

// CheckLocale accepts "" (follow the browser) or a known locale.
func CheckLocale(l string) error {
	if l == "" || i18n.Supported(l) == l {
		return nil
	}
	return apperr.Field("locale", "err.unknown_locale")
}

// Actor is the user as the audit trail records them.
func (u User) Actor() audit.Actor { return audit.Actor{UserID: u.ID, Login: u.Login} }
