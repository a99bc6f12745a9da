package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/user"
)

// link makes a set-password link for a fixture user, as an import would.
func (f *fixture) link(login string) string {
	f.t.Helper()
	token, _, err := f.st.CreatePasswordLink(context.Background(), audit.System, f.users[login].ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return token
}

// passwordIs reports whether login's stored password is pw.
func (f *fixture) passwordIs(login, pw string) bool {
	f.t.Helper()
	_, hash, err := f.st.UserByLogin(context.Background(), login)
	if err != nil {
		f.t.Fatal(err)
	}
	return auth.VerifyPassword(hash, pw)
}

func passwordForm(pw, confirm string) string {
	return url.Values{"password": {pw}, "confirm": {confirm}}.Encode()
}

// A link shows whose account it is, refuses bad passwords naming the field
// and changing nothing, then sets the password once: the user's sessions
// and other links end, the new password logs in, and the token is in no
// log line and no Referer.
func TestPasswordLinkSetsPasswordOnce(t *testing.T) {
	f := newFixture(t)
	token, other := f.link("below-a"), f.link("below-a")
	path := "/password/" + token
	resp, body := f.do("", "GET", path, "")
	if resp.StatusCode != 200 || !strings.Contains(body, "below-a") || !strings.Contains(body, "用户below-a") || !strings.Contains(body, `name="confirm"`) {
		t.Fatalf("page: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q", got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	for _, c := range []struct {
		name, form, field, msg string
	}{
		{"short", passwordForm("short-pw", "short-pw"), "password", "至少 10 个字符"},
		{"login inside", passwordForm("my-below-a-secret", "my-below-a-secret"), "password", "不能包含登录名"},
		{"repeat differs", passwordForm("brand-new-secret-1", "brand-new-secret-2"), "confirm", "确认新密码: 两次输入的新密码不一致"},
		{"empty", passwordForm("", ""), "password", "密码"},
	} {
		resp, body := f.do("", "POST", path, c.form)
		if resp.StatusCode != 400 || !strings.Contains(body, c.msg) || !strings.Contains(body, `name="`+c.field+`" required minlength="10" autocomplete="new-password"`) {
			t.Errorf("%s: %d\n%s", c.name, resp.StatusCode, excerpt(body))
		}
		if !regexp.MustCompile(`name="` + c.field + `"[^>]*aria-invalid="true"`).MatchString(body) {
			t.Errorf("%s: field %s not marked", c.name, c.field)
		}
		if !f.passwordIs("below-a", testPassword) {
			t.Fatalf("%s changed the password", c.name)
		}
	}
	if resp, _ := f.do("below-a", "GET", "/todo", ""); resp.StatusCode != 200 {
		t.Fatalf("a refused attempt ended the session: %d", resp.StatusCode)
	}

	resp, _ = f.do("", "POST", path, passwordForm("brand-new-secret-1", "brand-new-secret-1"))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login" {
		t.Fatalf("set: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var flash *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == flashCookie {
			flash = c
		}
	}
	if flash == nil || flash.Value != "flash.password_set" {
		t.Fatalf("flash: %+v", flash)
	}
	req, _ := http.NewRequest("GET", f.ts.URL+"/login", nil)
	req.AddCookie(flash)
	lresp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	lbody := readAll(t, lresp)
	if !strings.Contains(lbody, "密码已设置") {
		t.Errorf("login page lacks the message\n%s", excerpt(lbody))
	}
	if !f.passwordIs("below-a", "brand-new-secret-1") {
		t.Fatal("password not set")
	}
	if resp, _ := f.do("below-a", "GET", "/todo", ""); resp.StatusCode != 303 {
		t.Fatalf("the session survived: %d", resp.StatusCode)
	}
	if resp, _ := f.do("", "POST", "/login", "login=below-a&password=brand-new-secret-1"); resp.StatusCode != 303 {
		t.Fatalf("login with the new password: %d", resp.StatusCode)
	}
	if resp, _ := f.do("", "POST", "/login", "login=below-a&password="+testPassword); resp.StatusCode != 401 {
		t.Fatalf("login with the old password: %d", resp.StatusCode)
	}
	// Spent, and so is the user's other link.
	for _, p := range []string{path, "/password/" + other} {
		resp, body := f.do("", "POST", p, passwordForm("another-secret-22", "another-secret-22"))
		if resp.StatusCode != 404 || !strings.Contains(body, "链接无效") || strings.Contains(body, `name="confirm"`) {
			t.Errorf("reuse %s: %d\n%s", p, resp.StatusCode, excerpt(body))
		}
	}
	if !f.passwordIs("below-a", "brand-new-secret-1") {
		t.Fatal("a spent link changed the password")
	}
	events, err := f.st.AuditEvents(context.Background(), store.AuditFilter{Unscoped: true, Action: "user.password_set_by_link"})
	if err != nil || len(events) != 1 || events[0].UserID != f.users["below-a"].ID || events[0].Login != "below-a" {
		t.Fatalf("audit: %+v %v", events, err)
	}
	if strings.Contains(f.logs.String(), token) || strings.Contains(f.logs.String(), other) {
		t.Error("a token is in the log")
	}
}

// Expired, unknown, malformed links and a disabled user's link get a page
// saying why (404, never a 500 or a redirect), and change nothing.
func TestPasswordLinkRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	expired := f.link("below-a")
	f.clock.Advance(store.PasswordLinkTTL + time.Second)
	disabled := f.link("below-b")
	u := f.users["below-b"]
	if _, err := f.st.UpdateUser(ctx, audit.System, u.ID, u.Version, user.Draft{Login: u.Login, Name: u.Name, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path, msg string
	}{
		{"expired", "/password/" + expired, "链接已过期"},
		{"unknown", "/password/" + store.PasswordLinkPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "链接无效"},
		{"malformed", "/password/not-a-token", "链接无效"},
		{"too long", "/password/" + store.PasswordLinkPrefix + strings.Repeat("A", 500), "链接无效"},
		{"disabled user", "/password/" + disabled, "该账号已停用"},
	} {
		for _, method := range []string{"GET", "POST"} {
			resp, body := f.do("", method, c.path, passwordForm("brand-new-secret-1", "brand-new-secret-1"))
			if resp.StatusCode != 404 || !strings.Contains(body, c.msg) || !strings.Contains(body, `href="/login"`) || strings.Contains(body, `name="confirm"`) {
				t.Errorf("%s %s: %d\n%s", method, c.name, resp.StatusCode, excerpt(body))
			}
			if resp.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s %s: Referrer-Policy %q", method, c.name, resp.Header.Get("Referrer-Policy"))
			}
		}
	}
	if !f.passwordIs("below-a", testPassword) || !f.passwordIs("below-b", testPassword) {
		t.Fatal("a refused link changed a password")
	}
	// English, for a browser asking for it.
	resp, body := f.do("", "GET", "/password/"+expired, "", "Accept-Language", "en")
	if resp.StatusCode != 404 || !strings.Contains(body, "This link has expired") {
		t.Errorf("en: %d\n%s", resp.StatusCode, excerpt(body))
	}
}

var linkRE = regexp.MustCompile(`https?://[^<"\s]+/password/zpl_[A-Za-z0-9_-]+`)

// An admin makes a link for a user they may change, on the user's page
// (shown once) and through the API; a user outside their subtree is not
// found, one at their own level forbidden, a disabled one refused.
func TestPasswordLinkIssue(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do("admina", "GET", "/users/{user:below-a}", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `action="/users/`+f.expand("{user:below-a}")+`/password-link"`) {
		t.Fatalf("button: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if _, body := f.do("admina", "GET", "/users/{user:leadera}", ""); strings.Contains(body, "/password-link") {
		t.Error("a button for a user admina may not change")
	}
	resp, body = f.do("admina", "POST", "/users/{user:below-a}/password-link", "")
	link := linkRE.FindString(body)
	if resp.StatusCode != 200 || link == "" || !strings.HasPrefix(link, f.ts.URL+"/password/zpl_") || !strings.Contains(body, "只显示这一次") {
		t.Fatalf("issue: %d %q\n%s", resp.StatusCode, link, excerpt(body))
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("the page with the link may be cached")
	}
	if _, again := f.do("admina", "GET", "/users/{user:below-a}", ""); strings.Contains(again, "/password/zpl_") {
		t.Error("the link is shown again")
	}
	if resp, body := f.do("", "GET", strings.TrimPrefix(link, f.ts.URL), ""); resp.StatusCode != 200 || !strings.Contains(body, "below-a") {
		t.Fatalf("the link: %d", resp.StatusCode)
	}
	for _, c := range []struct {
		who, target string
		page, api   int
	}{
		{"admina", "observer", 404, 404}, // a county admin, a city user
		{"admina", "below-b", 404, 404},  // another county's
		{"admina", "leadera", 403, 403},  // at admina's own level
		{"leadera", "below-a", 403, 403}, // not an admin
	} {
		if resp, _ := f.do(c.who, "POST", "/users/{user:"+c.target+"}/password-link", ""); resp.StatusCode != c.page {
			t.Errorf("page %s for %s: %d, want %d", c.who, c.target, resp.StatusCode, c.page)
		}
		if resp, _ := f.do(c.who, "POST", "/api/v1/users/{user:"+c.target+"}/password-link", ""); resp.StatusCode != c.api {
			t.Errorf("API %s for %s: %d, want %d", c.who, c.target, resp.StatusCode, c.api)
		}
	}
	if resp, _ := f.do("", "POST", "/api/v1/users/{user:below-a}/password-link", ""); resp.StatusCode != 401 {
		t.Errorf("API anonymous: %d", resp.StatusCode)
	}

	// The API, with the configured base URL.
	srv, err := New(f.st, mustCatalog(t), discardLog(), Options{BaseURL: "https://zeren.example.org/",
		Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: 2 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", f.expand("/api/v1/users/{user:below-a}/password-link"), nil)
	req.Header.Set("Authorization", "Bearer "+f.token["admin"])
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	var out struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != 201 {
		t.Fatalf("API: %d %s %v", rec.Code, rec.Body, err)
	}
	if !strings.HasPrefix(out.URL, "https://zeren.example.org/password/zpl_") || !out.ExpiresAt.Equal(f.st.Now().Truncate(time.Second).Add(store.PasswordLinkTTL)) {
		t.Errorf("API: %+v", out)
	}
	if resp, _ := f.do("", "GET", strings.TrimPrefix(out.URL, "https://zeren.example.org"), ""); resp.StatusCode != 200 {
		t.Errorf("the API's link: %d", resp.StatusCode)
	}
	events, _ := f.st.AuditEvents(context.Background(), store.AuditFilter{Unscoped: true, Action: "user.password_link"})
	if len(events) != 2 || events[0].Login != "admin" || events[1].Login != "admina" {
		t.Fatalf("audit: %+v", events)
	}
	for _, e := range events {
		if strings.Contains(string(e.After), "zpl_") {
			t.Errorf("the audit trail holds a token: %s", e.After)
		}
	}

	// A disabled user gets no link.
	u := f.users["below-a"]
	cur, _ := f.st.User(context.Background(), u.ID)
	if _, err := f.st.UpdateUser(context.Background(), audit.System, u.ID, cur.Version, user.Draft{Login: u.Login, Name: u.Name, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if resp, body := f.do("admina", "POST", "/users/{user:below-a}/password-link", ""); resp.StatusCode != 409 || !strings.Contains(body, "请先启用") {
		t.Errorf("disabled, page: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if resp, body := f.do("admina", "POST", "/api/v1/users/{user:below-a}/password-link", ""); resp.StatusCode != 409 || !strings.Contains(body, `"conflict"`) {
		t.Errorf("disabled, API: %d %s", resp.StatusCode, body)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
