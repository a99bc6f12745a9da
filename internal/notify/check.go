package notify

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// MaxURL is the longest robot or webhook URL accepted, in bytes.
const MaxURL = 1000

// MaxSecret is the longest DingTalk secret accepted (theirs have 67 bytes).
const MaxSecret = 200

// Field names the form and JSON field of a channel's URL.
func Field(kind string) string { return kind + "_url" }

// CheckRobotURL checks the URL of a robot or webhook of the given kind
// (ChannelDingTalk, ChannelWeCom, ChannelWebhook) before it is saved: https
// only, with a host, without a user or password, of bounded length and
// plain text. An empty URL means no robot and passes. The error is bad
// input naming the field, with a catalog key.
func CheckRobotURL(kind, raw string) error {
	field := Field(kind)
	switch {
	case raw == "":
		return nil
	case len(raw) > MaxURL:
		return apperr.Field(field, "channels.err_url_too_long", MaxURL)
	case !plainText(raw):
		return apperr.Field(field, "channels.err_url_text")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return apperr.Field(field, "channels.err_url_invalid")
	case !strings.EqualFold(u.Scheme, "https"):
		return apperr.Field(field, "channels.err_url_https")
	case u.User != nil:
		return apperr.Field(field, "channels.err_url_userinfo")
	case u.Hostname() == "":
		return apperr.Field(field, "channels.err_url_host")
	}
	return nil
}

// CheckSecret checks a DingTalk robot's secret: printable ASCII without
// spaces, of bounded length. Empty passes (a robot secured otherwise).
func CheckSecret(secret string) error {
	const field = "dingtalk_secret"
	if len(secret) > MaxSecret {
		return apperr.Field(field, "channels.err_secret_too_long", MaxSecret)
	}
	for i := 0; i < len(secret); i++ {
		if secret[i] <= ' ' || secret[i] > '~' {
			return apperr.Field(field, "channels.err_secret_text")
		}
	}
	return nil
}

// plainText reports whether s is valid UTF-8 without control characters
// or spaces, which no URL of a robot holds.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}
