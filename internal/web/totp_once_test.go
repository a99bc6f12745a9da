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

// TestTOTPSetupNeedsNoFactorYet: a session that has only the password of a
// user with a second factor cannot set up a new one in its place (that
// skipped the code), nor can a signed-in user replace theirs without
// turning it off first.
func TestTOTPSetupNeedsNoFactorYet(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const secret, attacker = "JBSWY3DPEHPK3PXP", "KRSXG5CTMVRXEZLU"
	if err := f.st.SetTOTP(ctx, f.users["observer"].Actor(), f.users["observer"].ID, secret); err != nil {
		t.Fatal(err)
	}
	resp, _ := f.do("", "POST", "/login", "login=observer&password="+testPassword)
	f.cookie["half"] = cookieOf(resp)
	if resp, body := f.do("half", "GET", "/profile/totp", ""); resp.StatusCode != 303 || strings.Contains(body, `name="secret"`) {
		t.Fatalf("set-up page offered to a password-only session: %d", resp.StatusCode)
	}
	resp, _ = f.do("half", "POST", "/profile/totp", "secret="+attacker+"&code="+auth.TOTPCode(attacker, f.clock.T))
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login/totp") {
		t.Fatalf("password-only session set up a factor: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if c := cookieOf(resp); c != "" {
		f.cookie["after"] = c
		if resp, _ := f.do("after", "GET", "/units", ""); resp.StatusCode == 200 {
			t.Fatal("the second factor was skipped")
		}
	}
	if got, _ := f.st.TOTPSecret(ctx, f.users["observer"].ID); got != secret {
		t.Fatal("the secret was replaced")
	}
	// Fully signed in: replacing needs turning off first (with a code).
	resp, _ = f.do("observer", "POST", "/profile/totp", "secret="+attacker+"&code="+auth.TOTPCode(attacker, f.clock.T))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/profile" {
		t.Fatalf("a signed-in user replaced the factor: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, _ := f.st.TOTPSecret(ctx, f.users["observer"].ID); got != secret {
		t.Fatal("the secret was replaced")
	}
}

// TestTOTPEnrolledInAnotherSession: a session waiting for the set-up whose
// user set the factor up elsewhere is asked for the code, not sent round
// in circles.
func TestTOTPEnrolledInAnotherSession(t *testing.T) {
	f := newFixture(t)
	if resp, _ := f.do("admin", "POST", "/settings", "require_totp=on"); resp.StatusCode != 303 {
		t.Fatalf("settings: %d", resp.StatusCode)
	}
	resp, _ := f.do("", "POST", "/login", "login=admina&password="+testPassword)
	f.cookie["tab"] = cookieOf(resp)
	const secret = "JBSWY3DPEHPK3PXP"
	if err := f.st.EnableTOTP(context.Background(), f.users["admina"].Actor(), f.users["admina"].ID, secret, 0); err != nil {
		t.Fatal(err)
	}
	resp, _ = f.do("tab", "GET", "/profile/totp", "")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/login/totp") {
		t.Fatalf("set-up page: %d %s", resp.StatusCode, loc)
	}
	if resp, _ := f.do("tab", "GET", loc, ""); resp.StatusCode != 200 {
		t.Fatalf("code page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = f.do("tab", "POST", "/login/totp", "code="+auth.TOTPCode(secret, f.clock.T))
	if resp.StatusCode != 303 || cookieOf(resp) == "" {
		t.Fatalf("code: %d", resp.StatusCode)
	}
}
