package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"zeren/internal/audit"

	"zeren/internal/auth"
	"zeren/internal/i18n"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// fixture is a running server on a fresh database with a small tree
// (root → A → A1, root → B) and one user per kind of access.
type fixture struct {
	t       testing.TB
	st      *store.Store
	clock   *storetest.Clock
	ts      *httptest.Server
	units   map[string]unit.Unit
	users   map[string]user.User
	cookie  map[string]string // login → session secret
	token   map[string]string // login → API token
	grants  map[string]int64  // login → id of their first grant
	tokenID map[string]int64  // login → id of their API token
}

const testPassword = "a-long-test-password"

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	f := &fixture{t: t, st: st, clock: clock, units: map[string]unit.Unit{}, users: map[string]user.User{},
		cookie: map[string]string{}, token: map[string]string{}, grants: map[string]int64{}, tokenID: map[string]int64{}}
	mk := func(key, parent, name string) {
		var pid int64
		if parent != "" {
			pid = f.units[parent].ID
		}
		u, err := st.CreateUnit(ctx, audit.System, pid, unit.Draft{Name: name, Kind: unit.Committee})
		if err != nil {
			t.Fatal(err)
		}
		f.units[key] = u
	}
	mk("root", "", "中共绵阳市委")
	mk("A", "root", "中共涪城区委")
	mk("A1", "A", "城厢街道党工委")
	mk("A2", "A", "工区街道党工委")
	mk("B", "root", "中共游仙区委")
	mk("B1", "B", "游仙街道党工委")
	mk("B2", "B", "魏城镇党委")
	hash := testHash()
	type account struct {
		login string
		role  auth.Role
		unit  string
	}
	accounts := []account{
		{"admin", auth.Admin, "root"},
		{"admina", auth.Admin, "A"},
		{"leadera", auth.UnitLeader, "A"},
		{"observer", auth.Observer, "root"},
		{"nogrant", "", ""},
		{"member-a", auth.UnitStaff, "A"},
		{"member-b", auth.UnitStaff, "B"},
	}
	// One user per role, granted that role on A, for the role matrix.
	for _, r := range auth.Roles {
		accounts = append(accounts, account{"role-" + string(r), r, "A"})
	}
	for _, u := range accounts {
		var gs []auth.Grant
		if u.role != "" {
			gs = []auth.Grant{{Role: u.role, UnitID: f.units[u.unit].ID}}
		}
		created, err := st.CreateUser(ctx, audit.System, user.Draft{Login: u.login, Name: "用户" + u.login, Locale: "zh-CN"}, hash, gs)
		if err != nil {
			t.Fatal(err)
		}
		f.users[u.login] = created
		if f.cookie[u.login], err = st.CreateSession(ctx, audit.Actor{UserID: created.ID, Login: created.Login}, ""); err != nil {
			t.Fatal(err)
		}
		if f.token[u.login], err = st.CreateAPIToken(ctx, audit.System, created.ID, "test"); err != nil {
			t.Fatal(err)
		}
		if toks, _ := st.APITokens(ctx, created.ID); len(toks) > 0 {
			f.tokenID[u.login] = toks[0].ID
		}
		if g, _ := st.Grants(ctx, created.ID); len(g) > 0 {
			f.grants[u.login] = g[0].ID
		}
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(st, cat, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: 2 * time.Hour}, MaxBody: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(f.ts.Close)
	return f
}

// expand replaces {A} by unit A's id, {v:A} by its version, {user:x} by
// user x's id, {grant:x} by x's first grant's id.
func (f *fixture) expand(s string) string {
	for k, u := range f.units {
		s = strings.ReplaceAll(s, "{"+k+"}", strconv.FormatInt(u.ID, 10))
		s = strings.ReplaceAll(s, "{v:"+k+"}", strconv.FormatInt(u.Version, 10))
	}
	for k, u := range f.users {
		s = strings.ReplaceAll(s, "{user:"+k+"}", strconv.FormatInt(u.ID, 10))
		s = strings.ReplaceAll(s, "{uv:"+k+"}", strconv.FormatInt(u.Version, 10))
		s = strings.ReplaceAll(s, "{grant:"+k+"}", strconv.FormatInt(f.grants[k], 10))
		s = strings.ReplaceAll(s, "{token:"+k+"}", strconv.FormatInt(f.tokenID[k], 10))
	}
	return s
}

// do sends a request as who ("" for anonymous): pages with the session
// cookie, /api/ with the bearer token. Redirects are not followed.
func (f *fixture) do(who, method, path, body string, header ...string) (*http.Response, string) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+f.expand(path), strings.NewReader(f.expand(body)))
	if err != nil {
		f.t.Fatal(err)
	}
	api := strings.HasPrefix(path, "/api/")
	switch {
	case api:
		req.Header.Set("Content-Type", "application/json")
	case body != "":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != "" {
		if api {
			req.Header.Set("Authorization", "Bearer "+f.token[who])
		} else {
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.cookie[who]})
		}
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// testHash hashes the test password once: argon2id is slow by design, and
// every fixture needs it.
var testHash = sync.OnceValue(func() string { return auth.HashPassword(testPassword) })

func mustCatalog(t testing.TB) *i18n.Catalog {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
