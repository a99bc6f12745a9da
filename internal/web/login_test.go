package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"zeren/internal/auth"
	"zeren/internal/store"
)

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t)
	good := "login=admin&password=" + testPassword
	for i := 0; i < auth.MaxLoginFailures; i++ {
		if resp, _ := f.do("", "POST", "/login", "login=admin&password=wrong-password"); resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := f.do("", "POST", "/login", good)
	if resp.StatusCode != 429 || !strings.Contains(body, "登录失败次数过多") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth attempt: %d %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), excerpt(body))
	}
	// Another account at the same address (one office behind a NAT) is not locked.
	if resp, _ := f.do("", "POST", "/login", "login=observer&password="+testPassword); resp.StatusCode != 303 {
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
	if fails != 5 || locks != 1 { // the account at the address reached its limit
		t.Fatalf("audit: %d failures, %d lockouts", fails, locks)
	}
	f.clock.Advance(15*time.Minute + time.Second)
	if resp, _ := f.do("", "POST", "/login", good); resp.StatusCode != 303 {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
}

// TestLoginLimitsAcrossAddresses: behind a trusted proxy, an account is
// locked from every address after its own limit, and an address only after
// many failures across accounts.
func TestLoginLimitsAcrossAddresses(t *testing.T) {
	f := newFixture(t)
	srv, err := New(f.st, mustCatalog(t), discardLog(), Options{TrustProxy: true,
		Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: 2 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	login := func(addr, login, password string) int {
		t.Helper()
		form := url.Values{"login": {login}, "password": {password}}.Encode()
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", addr)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	// Account admin: four failures from each of three addresses (under the
	// limit of one address) reach the account's limit.
	for i := 0; i < auth.MaxAccountFailures; i++ {
		addr := fmt.Sprintf("192.0.2.%d", 10+i/(auth.MaxLoginFailures-1))
		if code := login(addr, "admin", "wrong-password"); code != 401 {
			t.Fatalf("failure %d from %s: %d", i+1, addr, code)
		}
	}
	if code := login("198.51.100.1", "admin", testPassword); code != 429 {
		t.Fatalf("admin from a fresh address after the account's limit: %d", code)
	}
	if code := login("192.0.2.10", "observer", testPassword); code != 303 {
		t.Fatalf("another account at an address that tried admin: %d", code)
	}
	// One address guessing across accounts: blocked only at the high count.
	const office = "203.0.113.5"
	ctx := context.Background()
	for i := 0; i < auth.MaxAddressFailures-2; i++ { // through the same counting as the handler
		ghost := fmt.Sprintf("ghost%d", i)
		if err := f.st.LoginFailure(ctx, 0, ghost, office, auth.LoginKeys(ghost, office)...); err != nil {
			t.Fatal(err)
		}
	}
	if code := login(office, "leadera", testPassword); code != 303 {
		t.Fatalf("the office before its limit: %d", code)
	}
	if code := login(office, "nobody", "wrong-password"); code != 401 {
		t.Fatalf("last failure: %d", code)
	}
	if code := login(office, "observer", "wrong-password"); code != 401 {
		t.Fatalf("failure reaching the address's limit: %d", code)
	}
	if code := login(office, "leadera", testPassword); code != 429 {
		t.Fatalf("the office after %d failures across accounts: %d", auth.MaxAddressFailures, code)
	}
	if code := login("198.51.100.1", "leadera", testPassword); code != 303 {
		t.Fatalf("the same account from elsewhere: %d", code)
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
