package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/user"
)

// wantLinkRefused checks that err refuses a link, as not found, with key.
func wantLinkRefused(t *testing.T, err error, key string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.NotFound || e.Key != key {
		t.Fatalf("got %v, want not found %s", err, key)
	}
}

func TestPasswordLinks(t *testing.T) {
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, audit.System, user.Draft{Login: "zhangsan", Name: "张三"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	session, err := st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: u.Login}, "")
	if err != nil {
		t.Fatal(err)
	}
	a, expires, err := st.CreatePasswordLink(ctx, audit.System, u.ID)
	if err != nil || !expires.Equal(clock.Now().Add(store.PasswordLinkTTL)) {
		t.Fatalf("create: %v %v", expires, err)
	}
	b, _, _ := st.CreatePasswordLink(ctx, audit.System, u.ID)
	if _, _, err := st.CreatePasswordLink(ctx, audit.System, 999999); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("link for no user: %v", err)
	}
	if got, err := st.PasswordLinkUser(ctx, a); err != nil || got.ID != u.ID {
		t.Fatalf("find: %+v %v", got, err)
	}
	for _, bad := range []string{"", "zpl_nope", "zrn_" + a[4:], a + "x"} {
		_, err := st.PasswordLinkUser(ctx, bad)
		wantLinkRefused(t, err, "err.password_link_invalid")
	}

	clock.Advance(store.PasswordLinkTTL - time.Second)
	if _, err := st.SetPasswordByLink(ctx, a, auth.HashPassword("brand-new-secret-1")); err != nil {
		t.Fatalf("use: %v", err)
	}
	_, hash, _ := st.UserByLogin(ctx, "zhangsan")
	if !auth.VerifyPassword(hash, "brand-new-secret-1") {
		t.Fatal("password not set")
	}
	if _, err := st.SessionPrincipal(ctx, session, store.SessionTimeouts{Idle: 30 * 24 * time.Hour, Absolute: 30 * 24 * time.Hour}); err == nil {
		t.Fatal("the session survived")
	}
	for _, spent := range []string{a, b} {
		_, err := st.SetPasswordByLink(ctx, spent, auth.HashPassword("another-secret-22"))
		wantLinkRefused(t, err, "err.password_link_invalid")
	}

	// Expired, at the second it ends; and a disabled user's.
	c, _, _ := st.CreatePasswordLink(ctx, audit.System, u.ID)
	clock.Advance(store.PasswordLinkTTL)
	_, err = st.SetPasswordByLink(ctx, c, auth.HashPassword("another-secret-22"))
	wantLinkRefused(t, err, "err.password_link_expired")
	d, _, _ := st.CreatePasswordLink(ctx, audit.System, u.ID)
	cur, _ := st.User(ctx, u.ID)
	if _, err := st.UpdateUser(ctx, audit.System, u.ID, cur.Version, user.Draft{Login: u.Login, Name: u.Name, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	_, err = st.PasswordLinkUser(ctx, d)
	wantLinkRefused(t, err, "err.password_link_disabled")
	_, err = st.SetPasswordByLink(ctx, d, auth.HashPassword("another-secret-22"))
	wantLinkRefused(t, err, "err.password_link_disabled")
	_, hash, _ = st.UserByLogin(ctx, "zhangsan")
	if !auth.VerifyPassword(hash, "brand-new-secret-1") {
		t.Fatal("a refused link changed the password")
	}
	if n, err := st.DeleteExpiredPasswordLinks(ctx); err != nil || n != 1 {
		t.Fatalf("delete expired: %d %v", n, err)
	}
	if _, bad, err := st.VerifyAudit(ctx); err != nil || bad != nil {
		t.Fatalf("audit chain: %v %v", bad, err)
	}
}

// Two uses of one link at once: exactly one sets the password.
func TestPasswordLinkUsedOnce(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, audit.System, user.Draft{Login: "lisi", Name: "李四"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := st.CreatePasswordLink(ctx, audit.System, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	hash := auth.HashPassword("brand-new-secret-1")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.SetPasswordByLink(ctx, token, hash)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !apperr.Is(err, apperr.NotFound):
			t.Errorf("unexpected: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d uses succeeded", ok)
	}
}
