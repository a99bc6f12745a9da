package web

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"zeren/internal/auth"
)

// cookieOf returns the session cookie a response sets, or "".
func cookieOf(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	return ""
}

func TestTOTPLogin(t *testing.T) {
	f := newFixture(t)
	// Set up: the page offers a secret, a code from it turns the factor on.
	_, body := f.do("observer", "GET", "/profile/totp", "")
	m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret offered:\n%s", excerpt(body))
	}
	secret := m[1]
	if resp, _ := f.do("observer", "POST", "/profile/totp", "secret="+secret+"&code=000000"); resp.StatusCode != 400 {
		t.Fatalf("wrong code accepted: %d", resp.StatusCode)
	}
	code := auth.TOTPCode(secret, f.clock.T)
	if resp, body := f.do("observer", "POST", "/profile/totp", "secret="+secret+"&code="+code); resp.StatusCode != 303 {
		t.Fatalf("enable: %d\n%s", resp.StatusCode, excerpt(body))
	}

	// Log in again: the password alone gives a session that can do nothing.
	resp, _ := f.do("", "POST", "/login", "login=observer&password="+testPassword+"&next=/units")
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login/totp") {
		t.Fatalf("after password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	half := cookieOf(resp)
	f.cookie["half"] = half
	if resp, _ := f.do("half", "GET", "/units", ""); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login/totp") {
		t.Fatalf("half-logged-in session reached a page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := f.do("half", "POST", "/login/totp", "code=000000"); resp.StatusCode != 401 {
		t.Fatalf("wrong code: %d", resp.StatusCode)
	}
	f.clock.Advance(30 * time.Second) // the code that turned the factor on is spent
	resp, _ = f.do("half", "POST", "/login/totp", "code="+auth.TOTPCode(secret, f.clock.T)+"&next=/units")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/units" {
		t.Fatalf("right code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	full := cookieOf(resp)
	if full == "" || full == half {
		t.Fatal("the session id did not change after the second factor")
	}
	f.cookie["full"] = full
	if resp, _ := f.do("full", "GET", "/units", ""); resp.StatusCode != 200 {
		t.Fatalf("full session: %d", resp.StatusCode)
	}
}

func TestTOTPRequiredByRole(t *testing.T) {
	f := newFixture(t)
	if resp, _ := f.do("admina", "POST", "/settings", "require_totp=on"); resp.StatusCode != 403 {
		t.Fatalf("an admin of a subtree changed a system setting: %d", resp.StatusCode)
	}
	if resp, _ := f.do("admin", "POST", "/settings", "require_totp=on"); resp.StatusCode != 303 {
		t.Fatalf("settings: %d", resp.StatusCode)
	}
	resp, _ := f.do("", "POST", "/login", "login=admina&password="+testPassword)
	if !strings.HasPrefix(resp.Header.Get("Location"), "/profile/totp") {
		t.Fatalf("admin without a second factor: %s", resp.Header.Get("Location"))
	}
	f.cookie["enrolling"] = cookieOf(resp)
	if resp, _ := f.do("enrolling", "GET", "/users", ""); resp.StatusCode != 303 {
		t.Fatalf("enrolling admin reached the users page: %d", resp.StatusCode)
	}
	// A unit leader is not concerned.
	resp, _ = f.do("", "POST", "/login", "login=leadera&password="+testPassword)
	if resp.Header.Get("Location") != "/" {
		t.Fatalf("leader sent to %s", resp.Header.Get("Location"))
	}
}

func TestPasswordChangeAndTokens(t *testing.T) {
	f := newFixture(t)
	for body, msg := range map[string]string{
		"current=wrong-password&password=brand-new-pass-1&confirm=brand-new-pass-1":     "当前密码不正确",
		"current=" + testPassword + "&password=brand-new-pass-1&confirm=other-pass-123": "两次输入的新密码不一致",
		"current=" + testPassword + "&password=short&confirm=short":                     "密码至少 10 个字符",
		"current=" + testPassword + "&password=xx-leadera-xx&confirm=xx-leadera-xx":     "密码不能包含登录名",
	} {
		resp, page := f.do("leadera", "POST", "/profile/password", body)
		if resp.StatusCode != 400 || !strings.Contains(page, msg) {
			t.Errorf("%s: %d, want 400 with %q", body, resp.StatusCode, msg)
		}
	}
	other, _ := f.st.CreateSession(context.Background(), f.users["leadera"].Actor(), "")
	f.cookie["other"] = other
	if resp, _ := f.do("leadera", "POST", "/profile/password", "current="+testPassword+"&password=brand-new-pass-1&confirm=brand-new-pass-1"); resp.StatusCode != 303 {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if resp, _ := f.do("leadera", "GET", "/profile", ""); resp.StatusCode != 200 {
		t.Fatal("the session that changed the password was ended")
	}
	if resp, _ := f.do("other", "GET", "/profile", ""); resp.StatusCode != 303 {
		t.Fatal("another session survived the password change")
	}
	if resp, _ := f.do("", "POST", "/login", "login=leadera&password=brand-new-pass-1"); resp.StatusCode != 303 {
		t.Fatal("the new password does not work")
	}

	// A token is shown once, works on the API, and stops working when revoked.
	resp, page := f.do("leadera", "POST", "/profile/tokens", "name=台账脚本")
	m := regexp.MustCompile(`id="new-token">(zrn_[A-Za-z0-9_-]+)<`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("token not shown: %d\n%s", resp.StatusCode, excerpt(page))
	}
	f.token["script"] = m[1]
	if resp, _ := f.do("script", "GET", "/api/v1/units", ""); resp.StatusCode != 200 {
		t.Fatalf("new token refused: %d", resp.StatusCode)
	}
	_, page = f.do("leadera", "GET", "/profile", "")
	if strings.Contains(page, m[1]) || !strings.Contains(page, "台账脚本") {
		t.Fatal("the token is shown again, or not listed")
	}
	toks, _ := f.st.APITokens(context.Background(), f.users["leadera"].ID)
	if toks[0].LastUsedAt == nil {
		t.Fatal("last use not recorded")
	}
	if resp, _ := f.do("admin", "POST", "/profile/tokens/"+strconv.FormatInt(toks[0].ID, 10)+"/revoke", ""); resp.StatusCode != 404 {
		t.Fatalf("another user revoked the token: %d", resp.StatusCode)
	}
	if resp, _ := f.do("leadera", "POST", "/profile/tokens/"+strconv.FormatInt(toks[0].ID, 10)+"/revoke", ""); resp.StatusCode != 303 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := f.do("script", "GET", "/api/v1/units", ""); resp.StatusCode != 401 {
		t.Fatalf("revoked token accepted: %d", resp.StatusCode)
	}
	if resp, _ := f.do("leadera", "POST", "/profile/tokens", "name=+"); resp.StatusCode != 400 {
		t.Fatalf("empty token name: %d", resp.StatusCode)
	}
}

func TestHtmxSameOriginPost(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.do("admin", "POST", "/units/{A}", "version={v:A}&name=涪城&kind=committee",
		"HX-Request", "true", "Origin", f.ts.URL, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != 303 {
		t.Fatalf("same-origin htmx post: %d", resp.StatusCode)
	}
	resp, _ = f.do("admin", "POST", "/units/{A}", "version={v:A}&name=涪城2&kind=committee",
		"HX-Request", "true", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != 403 {
		t.Fatalf("cross-origin htmx post: %d", resp.StatusCode)
	}
}

func TestAuditPage(t *testing.T) {
	f := newFixture(t)
	f.do("admin", "POST", "/units/{A1}", "version={v:A1}&name=城厢街道&kind=grassroots")
	f.do("admin", "POST", "/units/{B1}", "version={v:B1}&name=游仙街道&kind=grassroots")
	_, body := f.do("admin", "GET", "/audit?action=unit.update", "")
	if !strings.Contains(body, "城厢街道") || !strings.Contains(body, "游仙街道") {
		t.Fatalf("admin's audit page:\n%s", excerpt(body))
	}
	// A supervisor of A sees A's events only, and no logins.
	_, body = f.do("role-supervisor", "GET", "/audit", "")
	if !strings.Contains(body, "城厢街道") || strings.Contains(body, "游仙街道") || strings.Contains(body, "session.login") {
		t.Fatalf("supervisor's audit page leaks:\n%s", excerpt(body))
	}
	for q, field := range map[string]string{"from=2021-13-01": "起始日期", "unit=abc": "单位", "object=planet": "对象", "user=ghost": "用户"} {
		resp, body := f.do("admin", "GET", "/audit?"+q, "")
		if resp.StatusCode != 400 || !strings.Contains(body, field) {
			t.Errorf("%s: %d", q, resp.StatusCode)
		}
	}
	// Keyset pages: the next link continues below the last event shown.
	for i := 0; i < 60; i++ {
		f.st.Audit(context.Background(), f.users["admin"].Actor(), "test.event", "unit", 1, nil)
	}
	_, body = f.do("admin", "GET", "/audit?action=test.", "")
	m := regexp.MustCompile(`href="(/audit\?[^"]*before=\d+[^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no next page link")
	}
	_, page2 := f.do("admin", "GET", strings.ReplaceAll(m[1], "&amp;", "&"), "")
	if n := strings.Count(page2, "<code>test.event</code>"); n != 10 {
		t.Fatalf("second page has %d events, want 10", n)
	}
}
