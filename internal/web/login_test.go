package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"zeren/internal/store"
)

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t)
	good := "login=admin&password=" + testPassword
	for i := 0; i < 5; i++ {
		if resp, _ := f.do("", "POST", "/login", "login=admin&password=wrong-password"); resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := f.do("", "POST", "/login", good)
	if resp.StatusCode != 429 || !strings.Contains(body, "登录失败次数过多") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth attempt: %d %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), excerpt(body))
	}
	// The same address is locked for every account.
	if resp, _ := f.do("", "POST", "/login", "login=observer&password="+testPassword); resp.StatusCode != 429 {
		t.Fatalf("other account from the same address: %d", resp.StatusCode)
	}
	events, _ := f.st.AuditEvents(context.Background(), store.AuditFilter{Unscoped: true, Action: "login."})
	fails, locks := 0, 0
	for _, e := range events {
		switch e.Action {
		case "login.failure":
			fails++
		case "login.lockout":
			locks++
		}
	}
	if fails != 5 || locks != 2 { // the account and the address each reached the limit
		t.Fatalf("audit: %d failures, %d lockouts", fails, locks)
	}
	f.clock.Advance(15*time.Minute + time.Second)
	if resp, _ := f.do("", "POST", "/login", good); resp.StatusCode != 303 {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
}

func TestLoginRotatesSession(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.do("admin", "POST", "/login", "login=admin&password="+testPassword)
	var fresh string
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			fresh = c.Value
			if !c.HttpOnly || c.SameSite != 2 {
				t.Errorf("cookie flags: %+v", c)
			}
		}
	}
	if fresh == "" || fresh == f.cookie["admin"] {
		t.Fatal("login kept the old session id")
	}
	if resp, _ := f.do("admin", "GET", "/units", ""); resp.StatusCode != 303 {
		t.Fatalf("the session from before login still works: %d", resp.StatusCode)
	}
	// Behind a TLS proxy the cookie is Secure.
	resp, _ = f.do("", "POST", "/login", "login=observer&password="+testPassword, "X-Forwarded-Proto", "https")
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && c.Secure {
			t.Fatal("Secure set from an untrusted header")
		}
	}
}

func TestSecureCookieBehindTrustedProxy(t *testing.T) {
	f := newFixture(t)
	srv, err := New(f.st, mustCatalog(t), discardLog(), Options{TrustProxy: true,
		Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: 2 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	for proto, secure := range map[string]bool{"https": true, "http": false} {
		req := httptest.NewRequest("POST", "/login", strings.NewReader("login=observer&password="+testPassword))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", proto)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		c := cookieOf(rec.Result())
		if c == "" {
			t.Fatalf("%s: no session cookie (%d)", proto, rec.Code)
		}
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == sessionCookie && ck.Secure != secure {
				t.Errorf("behind a proxy saying %s: Secure=%v", proto, ck.Secure)
			}
		}
	}
}
