package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"zeren/internal/store"
	"zeren/internal/store/storetest"
)

// zeren runs the command line with the test database and returns the exit
// status and the output.
func zeren(t *testing.T, db, data, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"zeren"}, args...)
	if db != "" {
		full = append(full, "--db", db)
	}
	if data != "" {
		full = append(full, "--data", data)
	}
	code := Run(full, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"bogus"},
		{"serve", "--nope"},
		{"serve", "extra"},
		{"user"},
		{"user", "add"},
		{"user", "add", "a", "b"},
		{"migrate", "--session-idle", "1h"},
		{"serve", "--session-idle", "banana"},
	} {
		code, _, stderr := zeren(t, "", "", "", args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if len(args) > 0 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: want one line, got %q", args, stderr)
		}
	}
	code, out, _ := zeren(t, "", "", "", "serve", "--help")
	if code != 0 || !strings.Contains(out, "ZEREN_SESSION_IDLE") {
		t.Fatalf("serve --help: %d %q", code, out)
	}
	for _, c := range commands() {
		code, out, _ := zeren(t, "", "", "", append(strings.Fields(c.name), "--help")...)
		if code != 0 || !strings.Contains(out, "Usage: zeren "+c.name) {
			t.Errorf("%s --help: %d %q", c.name, code, out)
		}
	}
}

func TestBadDatabase(t *testing.T) {
	for _, db := range []string{"mysql://x", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2", "sqlite:"} {
		code, _, stderr := zeren(t, db, "", "", "migrate")
		if code != 1 {
			t.Errorf("%s: exit %d, want 1", db, code)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || strings.Contains(stderr, "goroutine") {
			t.Errorf("%s: want one line, got %q", db, stderr)
		}
	}
}

// TestSQLiteSyncFlag: every command that opens the database takes
// --sqlite-sync (ZEREN_SQLITE_SYNC), full by default; a bad value is a
// usage error on one line naming the flag or its variable.
func TestSQLiteSyncFlag(t *testing.T) {
	for _, c := range commands() {
		_, out, _ := zeren(t, "", "", "", append(strings.Fields(c.name), "--help")...)
		if strings.Contains(out, "--db ") && !strings.Contains(out, "--sqlite-sync  (ZEREN_SQLITE_SYNC)") {
			t.Errorf("%s takes --db but not --sqlite-sync:\n%s", c.name, out)
		}
		if strings.Contains(out, "--sqlite-sync") && !strings.Contains(out, "(default full)") {
			t.Errorf("%s: --sqlite-sync is not full by default:\n%s", c.name, out)
		}
	}
	for _, args := range [][]string{{"migrate", "--sqlite-sync", "off"}, {"serve", "--sqlite-sync="}, {"bench", "run", "--sqlite-sync", "fast"}} {
		code, _, stderr := zeren(t, "", t.TempDir(), "", args...)
		if code != 2 || !strings.Contains(stderr, "sqlite-sync") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d %q, want 2 and one line naming the flag", args, code, stderr)
		}
	}
	t.Setenv("ZEREN_SQLITE_SYNC", "fast")
	code, _, stderr := zeren(t, "", t.TempDir(), "", "migrate")
	if code != 2 || !strings.Contains(stderr, "ZEREN_SQLITE_SYNC") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("ZEREN_SQLITE_SYNC=fast: exit %d %q", code, stderr)
	}
	for _, v := range []string{"normal", "FULL"} {
		t.Setenv("ZEREN_SQLITE_SYNC", v)
		if code, out, stderr := zeren(t, "", t.TempDir(), "", "migrate"); code != 0 {
			t.Errorf("ZEREN_SQLITE_SYNC=%s: exit %d %q %q", v, code, out, stderr)
		}
	}
}

func TestEnvironmentVariables(t *testing.T) {
	t.Setenv("ZEREN_SESSION_IDLE", "not-a-duration")
	code, _, stderr := zeren(t, "", "", "", "serve")
	if code != 2 || !strings.Contains(stderr, "ZEREN_SESSION_IDLE") {
		t.Fatalf("bad env: %d %q", code, stderr)
	}
}

func TestUnitAndUserCommands(t *testing.T) {
	db, data := storetest.DSN(t)
	code, out, stderr := zeren(t, db, data, "", "unit", "add", "中共绵阳市委")
	if code != 0 || !strings.Contains(out, "unit 1 added") {
		t.Fatalf("unit add: %d %q %q", code, out, stderr)
	}
	code, _, stderr = zeren(t, db, data, "", "unit", "add", "  ")
	if code != 1 || !strings.Contains(stderr, "Name: is required") {
		t.Fatalf("empty unit name: %d %q", code, stderr)
	}
	code, _, stderr = zeren(t, db, data, "", "unit", "add", "x", "--kind", "club")
	if code != 1 || !strings.Contains(stderr, "Kind: is not a known unit kind") {
		t.Fatalf("bad kind: %d %q", code, stderr)
	}

	code, out, stderr = zeren(t, db, data, "a-long-password-1\n", "user", "add", "admin", "--name", "管理员", "--grant", "admin@1")
	if code != 0 || !strings.Contains(out, "user admin added") {
		t.Fatalf("user add: %d %q %q", code, out, stderr)
	}
	for _, tc := range []struct {
		args  []string
		stdin string
		field string
	}{
		{[]string{"admin", "--name", "x", "--grant", "admin@1"}, "a-long-password-1\n", "Login"},
		{[]string{"other", "--name", "x", "--grant", "boss@1"}, "a-long-password-1\n", "Grant"},
		{[]string{"other", "--name", "x", "--grant", "admin@99"}, "a-long-password-1\n", "Unit"},
		{[]string{"other", "--name", "x", "--grant", "admin"}, "a-long-password-1\n", "Grant"},
		{[]string{"other", "--name", "", "--grant", "admin@1"}, "a-long-password-1\n", "Name"},
		{[]string{"other", "--name", "x", "--grant", "admin@1"}, "short\n", "Password"},
		{[]string{"other", "--name", "x", "--grant", "admin@1"}, "", "Password"},
	} {
		code, _, stderr := zeren(t, db, data, tc.stdin, append([]string{"user", "add"}, tc.args...)...)
		if code != 1 || !strings.Contains(stderr, tc.field) {
			t.Errorf("user add %v: exit %d, stderr %q, want the field %s named", tc.args, code, stderr, tc.field)
		}
	}

	code, out, _ = zeren(t, db, data, "", "user", "token", "admin")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, "zrn_") {
		t.Fatalf("user token: %d %q", code, out)
	}
	code, _, stderr = zeren(t, db, data, "", "user", "token", "ghost")
	if code != 1 || !strings.Contains(stderr, "Login") {
		t.Fatalf("token for unknown user: %d %q", code, stderr)
	}

	st, err := store.Open(context.Background(), db, data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.TokenPrincipal(context.Background(), token)
	if err != nil || p.Login != "admin" || len(p.Grants) != 1 {
		t.Fatalf("token principal: %+v %v", p, err)
	}
	if code, out, _ := zeren(t, db, data, "", "migrate"); code != 0 || !strings.Contains(out, "current") {
		t.Fatalf("migrate: %d %q", code, out)
	}
}

func TestAuditVerify(t *testing.T) {
	db, data := storetest.DSN(t)
	zeren(t, db, data, "", "unit", "add", "中共绵阳市委")
	zeren(t, db, data, "", "unit", "add", "中共涪城区委", "--parent", "1")
	zeren(t, db, data, "a-long-password-1\n", "user", "add", "admin", "--name", "管理员", "--grant", "admin@1")
	code, out, stderr := zeren(t, db, data, "", "audit", "verify")
	if code != 0 || !strings.Contains(out, "intact: 4 events") {
		t.Fatalf("intact: %d %q %q", code, out, stderr)
	}
	storetest.Exec(t, db, data, `UPDATE audit_events SET after_json = '{}' WHERE seq = 2`)
	code, _, stderr = zeren(t, db, data, "", "audit", "verify")
	if code != 1 || !strings.Contains(stderr, "event 2 altered") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("altered: %d %q", code, stderr)
	}
}
