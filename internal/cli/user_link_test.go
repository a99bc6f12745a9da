package cli

import (
	"context"
	"strings"
	"testing"

	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
)

// zeren user link prints a link under --base-url that sets the password
// once; an unknown login is named, a bad base URL is a usage error.
func TestUserLink(t *testing.T) {
	db, data := storetest.DSN(t)
	if code, _, stderr := zeren(t, db, data, "", "unit", "add", "中共绵阳市委"); code != 0 {
		t.Fatalf("unit add: %d %q", code, stderr)
	}
	if code, _, stderr := zeren(t, db, data, "a-long-password-1\n", "user", "add", "zhangwei", "--name", "张伟", "--grant", "staff@1"); code != 0 {
		t.Fatalf("user add: %d %q", code, stderr)
	}
	code, out, stderr := zeren(t, db, data, "", "user", "link", "zhangwei", "--base-url", "https://zeren.example.org/")
	url := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(url, "https://zeren.example.org/password/zpl_") || strings.Count(out, "\n") != 1 ||
		!strings.Contains(stderr, "zhangwei") {
		t.Fatalf("user link: %d %q %q", code, out, stderr)
	}
	code, _, stderr = zeren(t, db, data, "", "user", "link", "ghost")
	if code != 1 || !strings.Contains(stderr, "Login") {
		t.Fatalf("unknown login: %d %q", code, stderr)
	}
	code, _, stderr = zeren(t, db, data, "", "user", "link", "zhangwei", "--base-url", "ftp://x")
	if code != 2 || !strings.Contains(stderr, "--base-url") {
		t.Fatalf("bad base URL: %d %q", code, stderr)
	}
	code, _, _ = zeren(t, db, data, "", "user", "link")
	if code != 2 {
		t.Fatalf("no login: %d", code)
	}

	st, err := store.Open(context.Background(), db, data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	token := url[strings.LastIndex(url, "/")+1:]
	if _, err := st.SetPasswordByLink(context.Background(), token, auth.HashPassword("brand-new-secret-1")); err != nil {
		t.Fatalf("use the link: %v", err)
	}
	_, hash, _ := st.UserByLogin(context.Background(), "zhangwei")
	if !auth.VerifyPassword(hash, "brand-new-secret-1") {
		t.Fatal("the link did not set the password")
	}
}
