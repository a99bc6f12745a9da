package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"zeren/internal/auth"
)

// TestTokenRefusedUntilEnrolled: once the settings require a second factor
// for a role, the API tokens of its users who have not set one up are
// refused with a clear message, and work again once they have.
func TestTokenRefusedUntilEnrolled(t *testing.T) {
	f := newFixture(t)
	if resp, _ := f.do("admina", "GET", "/api/v1/units", ""); resp.StatusCode != 200 {
		t.Fatalf("before the requirement: %d", resp.StatusCode)
	}
	if resp, _ := f.do("admin", "POST", "/settings", "require_totp=on"); resp.StatusCode != 303 {
		t.Fatalf("settings: %d", resp.StatusCode)
	}
	resp, body := f.do("admina", "GET", "/api/v1/units", "")
	if resp.StatusCode != 403 || !strings.Contains(body, `"code":"forbidden"`) || !strings.Contains(body, "两步验证") {
		t.Fatalf("token of an admin without a second factor: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do("admina", "GET", "/api/v1/units", "", "Accept-Language", "en")
	if resp.StatusCode != 403 || !strings.Contains(body, "two-step verification") {
		t.Fatalf("in English: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do("leadera", "GET", "/api/v1/units", ""); resp.StatusCode != 200 {
		t.Fatalf("a role not required: %d", resp.StatusCode)
	}
	// A new token is refused the same way, for a session from before.
	if resp, body := f.do("admina", "POST", "/profile/tokens", "name=脚本"); resp.StatusCode != 403 || strings.Contains(body, "zrn_") {
		t.Fatalf("token created: %d", resp.StatusCode)
	}
	// Setting the factor up (at the login that requires it) lets the token in.
	resp, _ = f.do("", "POST", "/login", "login=admina&password="+testPassword)
	f.cookie["enrolling"] = cookieOf(resp)
	_, body = f.do("enrolling", "GET", "/profile/totp", "")
	m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret offered:\n%s", excerpt(body))
	}
	if resp, _ := f.do("enrolling", "POST", "/profile/totp", "secret="+m[1]+"&code="+auth.TOTPCode(m[1], f.clock.T)); resp.StatusCode != 303 {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	f.clock.Advance(time.Minute)
	if resp, body := f.do("admina", "GET", "/api/v1/units", ""); resp.StatusCode != 200 {
		t.Fatalf("token after enrolling: %d %s", resp.StatusCode, body)
	}
}
