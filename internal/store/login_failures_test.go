package store_test

import (
	"context"
	"testing"
	"time"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
)

// TestLoginFailureLimits: each key blocks at its own limit, the address
// alone only at the high one; clearing an account leaves the address.
func TestLoginFailureLimits(t *testing.T) {
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	const office, home = "192.0.2.1", "198.51.100.7"
	blocked := func(keys ...string) bool {
		t.Helper()
		retry, err := st.LoginRetryAt(ctx, keys...)
		if err != nil {
			t.Fatal(err)
		}
		return !retry.IsZero()
	}
	fail := func(login, addr string) {
		t.Helper()
		if err := st.LoginFailure(ctx, 0, login, addr, auth.LoginKeys(login, addr)...); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < auth.MaxLoginFailures; i++ {
		fail("zhang", office)
	}
	if !blocked(auth.LoginKeys("zhang", office)...) {
		t.Fatal("zhang not blocked at the office after the limit")
	}
	if blocked(auth.LoginKeys("li", office)...) || blocked(auth.LoginKeys("zhang", home)...) {
		t.Fatal("five failures of one account blocked another account at the address, or the account elsewhere")
	}
	for i := auth.MaxLoginFailures; i < auth.MaxAccountFailures; i++ {
		fail("zhang", "203.0.113."+string(rune('0'+i)))
	}
	if !blocked(auth.LoginKeys("zhang", home)...) {
		t.Fatal("zhang not blocked from anywhere after the account limit")
	}
	// The address: guesses across many accounts (unknown logins too).
	for i := auth.MaxLoginFailures; i < auth.MaxAddressFailures-1; i++ { // the office has 5 already
		fail("ghost"+string(rune('a'+i%26))+string(rune('a'+i/26)), office)
	}
	if blocked(auth.LoginKeys("li", office)...) {
		t.Fatal("the address blocked before its limit")
	}
	fail("ghost", office)
	if !blocked(auth.LoginKeys("li", office)...) || blocked(auth.LoginKeys("li", home)...) {
		t.Fatal("the address limit: not blocked there, or blocked elsewhere")
	}
	// A success clears the account's keys, not the address's.
	if err := st.ClearLoginFailures(ctx, auth.AccountKey("zhang"), auth.AccountAddressKey("zhang", office)); err != nil {
		t.Fatal(err)
	}
	if blocked(auth.LoginKeys("zhang", home)...) || !blocked(auth.AddressKey(office)) {
		t.Fatal("clearing the account: wrong keys cleared")
	}
	lockouts, _ := st.AuditEvents(ctx, store.AuditFilter{Unscoped: true, Action: "login.lockout"})
	if len(lockouts) != 3 { // zhang at the office, zhang anywhere, the office
		t.Fatalf("%d lockout events, want 3", len(lockouts))
	}
	clock.Advance(auth.LoginFailureWindow + time.Second)
	if blocked(auth.LoginKeys("li", office)...) {
		t.Fatal("still blocked after the window")
	}
}

// TestPasswordFailure: wrong current passwords count against the user's
// own key, with their own audit events.
func TestPasswordFailure(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	by := audit.Actor{UserID: 42, Login: "zhang"}
	for i := 0; i < auth.MaxLoginFailures; i++ {
		if retry, _ := st.LoginRetryAt(ctx, auth.PasswordKey(42)); !retry.IsZero() {
			t.Fatalf("blocked after %d failures", i)
		}
		if err := st.PasswordFailure(ctx, by, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	if retry, _ := st.LoginRetryAt(ctx, auth.PasswordKey(42)); retry.IsZero() {
		t.Fatal("not blocked at the limit")
	}
	if retry, _ := st.LoginRetryAt(ctx, auth.PasswordKey(43), auth.AccountKey("zhang")); !retry.IsZero() {
		t.Fatal("another user's key, or the login, blocked too")
	}
	events, _ := st.AuditEvents(ctx, store.AuditFilter{Unscoped: true, Action: "password."})
	if len(events) != auth.MaxLoginFailures+1 {
		t.Fatalf("%d audit events, want %d failures and a lockout", len(events), auth.MaxLoginFailures)
	}
}
