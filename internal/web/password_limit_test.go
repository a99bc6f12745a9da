package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"zeren/internal/auth"
	"zeren/internal/store"
)

// TestCurrentPasswordRateLimit: wrong current passwords on the password form
// are limited like logins, so a stolen session cannot guess the password.
func TestCurrentPasswordRateLimit(t *testing.T) {
	f := newFixture(t)
	change := "&password=brand-new-pass-1&confirm=brand-new-pass-1"
	for i := 0; i < auth.MaxLoginFailures; i++ {
		if resp, _ := f.do("leadera", "POST", "/profile/password", "current=wrong-password"+change); resp.StatusCode != 400 {
			t.Fatalf("wrong password %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := f.do("leadera", "POST", "/profile/password", "current="+testPassword+change)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "错误次数过多") {
		t.Fatalf("right password past the limit: %d %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), excerpt(body))
	}
	if resp, _ := f.do("", "POST", "/login", "login=leadera&password=brand-new-pass-1"); resp.StatusCode != 401 {
		t.Fatalf("the password was changed past the limit: %d", resp.StatusCode)
	}
	// The limit is the user's own: another user, and leadera's login, go on.
	if resp, _ := f.do("admina", "POST", "/profile/password", "current="+testPassword+change); resp.StatusCode != 303 {
		t.Fatalf("another user: %d", resp.StatusCode)
	}
	events, _ := f.st.AuditEvents(context.Background(), store.AuditFilter{Unscoped: true, Action: "password."})
	if len(events) != auth.MaxLoginFailures+1 {
		t.Fatalf("%d audit events, want %d failures and the lockout", len(events), auth.MaxLoginFailures)
	}
	f.clock.Advance(auth.LoginFailureWindow + time.Second)
	if resp, _ := f.do("leadera", "POST", "/profile/password", "current="+testPassword+change); resp.StatusCode != 303 {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
}

// TestTOTPDisableRateLimit: the code asked to turn the second factor off is
// limited the same way.
func TestTOTPDisableRateLimit(t *testing.T) {
	f := newFixture(t)
	secret := "JBSWY3DPEHPK3PXP"
	if err := f.st.SetTOTP(context.Background(), f.users["observer"].Actor(), f.users["observer"].ID, secret); err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if auth.TOTPCode(secret, f.clock.T) == wrong {
		wrong = "111111"
	}
	for i := 0; i < auth.MaxLoginFailures; i++ {
		if resp, _ := f.do("observer", "POST", "/profile/totp/disable", "code="+wrong); resp.StatusCode != 400 {
			t.Fatalf("wrong code %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := f.do("observer", "POST", "/profile/totp/disable", "code="+auth.TOTPCode(secret, f.clock.T))
	if resp.StatusCode != 429 || !strings.Contains(body, "验证码错误次数过多") {
		t.Fatalf("right code past the limit: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if has, _ := f.st.HasTOTP(context.Background(), f.users["observer"].ID); !has {
		t.Fatal("the second factor was turned off past the limit")
	}
}
