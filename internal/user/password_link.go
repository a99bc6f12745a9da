package user

import (
	"net/url"
	"strings"
)

// PasswordLinkPath is the page where a set-password token is used.
func PasswordLinkPath(token string) string { return "/password/" + url.PathEscape(token) }

// PasswordLinkURL is the full address of a set-password link, under the
// address people open zeren at (--base-url).
func PasswordLinkURL(baseURL, token string) string {
	return strings.TrimSuffix(baseURL, "/") + PasswordLinkPath(token)
}
