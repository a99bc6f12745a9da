package web

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"zeren/internal/auth"
)

// TestTOTPCodeOnce: a code that logged in once does not log in again, nor
// does the code that turned the factor on.
func TestTOTPCodeOnce(t *testing.T) {
	f := newFixture(t)
	// Turning the factor on spends the confirming code.
	_, body := f.do("observer", "GET", "/profile/totp", "")
	m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret offered:\n%s", excerpt(body))
	}
	secret := m[1]
	code := auth.TOTPCode(secret, f.clock.T)
	if resp, _ := f.do("observer", "POST", "/profile/totp", "secret="+secret+"&code="+code); resp.StatusCode != 303 {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	codeStep := func(code string) (int, string) {
		t.Helper()
		resp, _ := f.do("", "POST", "/login", "login=observer&password="+testPassword)
		if !strings.HasPrefix(resp.Header.Get("Location"), "/login/totp") {
			t.Fatalf("after password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		f.cookie["half"] = cookieOf(resp)
		resp, body := f.do("half", "POST", "/login/totp", "code="+code)
		return resp.StatusCode, body
	}
	if status, body := codeStep(code); status != 401 || !strings.Contains(body, "已使用过") {
		t.Fatalf("the enabling code logged in: %d\n%s", status, excerpt(body))
	}
	// Thirty seconds on, the next code works once; the previous one, still
	// within the drift allowed, does not come back.
	f.clock.Advance(30 * time.Second)
	next := auth.TOTPCode(secret, f.clock.T)
	if status, body := codeStep(next); status != 303 {
		t.Fatalf("fresh code: %d\n%s", status, excerpt(body))
	}
	if status, _ := codeStep(next); status != 401 {
		t.Fatalf("the same code twice: %d", status)
	}
	if next != code {
		if status, _ := codeStep(code); status != 401 {
			t.Fatalf("an older code after a newer one: %d", status)
		}
	}
	// A used code cannot turn the factor off either.
	if resp, body := f.do("observer", "POST", "/profile/totp/disable", "code="+next); resp.StatusCode != 400 || !strings.Contains(body, "已使用过") {
		t.Fatalf("disable with a used code: %d", resp.StatusCode)
	}
	f.clock.Advance(30 * time.Second)
	if resp, _ := f.do("observer", "POST", "/profile/totp/disable", "code="+auth.TOTPCode(secret, f.clock.T)); resp.StatusCode != 303 {
		t.Fatalf("disable with a fresh code: %d", resp.StatusCode)
	}
	if has, _ := f.st.HasTOTP(context.Background(), f.users["observer"].ID); has {
		t.Fatal("still on")
	}
}

