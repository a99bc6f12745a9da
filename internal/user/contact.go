package user

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/remind"
)

// Contact is how a person is reached outside the app, and which outside
// channels they chose; the in-app inbox always works.
type Contact struct {
	Email    string           `json:"email"`
	Phone    string           `json:"phone"`
	Channels []remind.Channel `json:"channels"`
}

// MaxEmailLen is RFC 5321's limit of an address.
const MaxEmailLen = 254

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 -]{4,19}$`)

// Normalize trims and checks a contact: a plain address, a phone of digits
// (a leading + and spaces or dashes allowed), known channels once each,
// and email chosen only with an address.
func (c *Contact) Normalize() error {
	c.Email, c.Phone = strings.TrimSpace(c.Email), strings.TrimSpace(c.Phone)
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		if err != nil || a.Address != c.Email || a.Name != "" {
			return apperr.Field("email", "err.email_format")
		}
		if utf8.RuneCountInString(c.Email) > MaxEmailLen {
			return apperr.Field("email", "err.too_long", MaxEmailLen)
		}
	}
	if c.Phone != "" && !phoneRE.MatchString(c.Phone) {
		return apperr.Field("phone", "err.phone_format")
	}
	seen := map[remind.Channel]bool{}
	out := c.Channels[:0:0]
	for _, ch := range c.Channels {
		if !ch.Valid() {
			return apperr.Field("channels", "err.unknown_channel")
		}
		if !seen[ch] {
			seen[ch] = true
			out = append(out, ch)
		}
	}
	c.Channels = out
	if seen[remind.Email] && c.Email == "" {
		return apperr.Field("email", "err.email_needed")
	}
	return nil
}
