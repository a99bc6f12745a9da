package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
	"zeren/internal/audit"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
	"zeren/internal/user"
)

func TestUsersAndGrants(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	fc := mustUnit(t, st, city.ID, "涪城区委")
	yx := mustUnit(t, st, city.ID, "游仙区委")

	u, err := st.CreateUser(ctx, audit.System, user.Draft{Login: "Zhang.San", Name: "张三"}, "h", []auth.Grant{{Role: auth.UnitLeader, UnitID: fc.ID}})
	if err != nil || u.Login != "zhang.san" {
		t.Fatalf("create: %+v %v", u, err)
	}
	_, err = st.CreateUser(ctx, audit.System, user.Draft{Login: "zhang.san", Name: "另一个张三"}, "h", nil)
	wantField(t, err, "login")
	_, err = st.CreateUser(ctx, audit.System, user.Draft{Login: "lisi", Name: "李四"}, "h", []auth.Grant{{Role: auth.Admin, UnitID: 999999}})
	wantField(t, err, "unit_id")
	if _, _, err := st.UserByLogin(ctx, "lisi"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("refused user was stored: %v", err)
	}
	_, err = st.CreateUser(ctx, audit.System, user.Draft{Login: "lisi", Name: "李四"}, "h", []auth.Grant{{Role: "boss", UnitID: fc.ID}})
	wantField(t, err, "role")

	if err := st.AddGrant(ctx, audit.System, u.ID, auth.UnitLeader, fc.ID); err == nil {
		t.Fatal("duplicate grant accepted")
	}
	if err := st.AddGrant(ctx, audit.System, u.ID, auth.Observer, city.ID); err != nil {
		t.Fatal(err)
	}
	p, err := st.Principal(ctx, u.ID)
	if err != nil || len(p.Grants) != 2 {
		t.Fatalf("principal %+v %v", p, err)
	}
	if !p.Can(auth.ReadUnit, yx.Path) || p.Can(auth.ManageUnits, fc.Path) {
		t.Fatal("policy over stored grants is wrong")
	}

	other, _ := st.CreateUser(ctx, audit.System, user.Draft{Login: "wangwu", Name: "王五"}, "h", []auth.Grant{{Role: auth.UnitStaff, UnitID: yx.ID}})
	local, _ := st.CreateUser(ctx, audit.System, user.Draft{Login: "zhaoliu", Name: "赵六"}, "h", []auth.Grant{{Role: auth.UnitStaff, UnitID: fc.ID}})
	// u also holds a grant on the city: Fucheng's admin does not manage them.
	list, err := st.Users(ctx, store.UserFilter{Scopes: []string{fc.Path}})
	if err != nil || len(list) != 1 || list[0].ID != local.ID {
		t.Fatalf("users in Fucheng: %+v %v", list, err)
	}
	list, _ = st.Users(ctx, store.UserFilter{Scopes: []string{city.Path}, Query: "王"})
	if len(list) != 1 || list[0].ID != other.ID {
		t.Fatalf("search: %+v", list)
	}
	list, _ = st.Users(ctx, store.UserFilter{Scopes: []string{city.Path}, Limit: 1})
	next, _ := st.Users(ctx, store.UserFilter{Scopes: []string{city.Path}, Limit: 1, AfterID: list[0].ID})
	if len(list) != 1 || len(next) != 1 || next[0].ID == list[0].ID {
		t.Fatalf("keyset pages: %+v %+v", list, next)
	}

	// Filters narrow the scope, never widen it: a unit outside the scope
	// lists no one; the role and the unit hold on the same grant.
	ids := func(us []user.User) []int64 {
		var out []int64
		for _, x := range us {
			out = append(out, x.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    store.UserFilter
		want []int64
	}{
		{"unit", store.UserFilter{Scopes: []string{city.Path}, Unit: fc.Path}, []int64{u.ID, local.ID}},
		{"unit and role", store.UserFilter{Scopes: []string{city.Path}, Unit: fc.Path, Role: auth.UnitStaff}, []int64{local.ID}},
		{"role of another unit's grant", store.UserFilter{Scopes: []string{city.Path}, Unit: fc.Path, Role: auth.Observer}, nil},
		{"role", store.UserFilter{Scopes: []string{city.Path}, Role: auth.UnitStaff}, []int64{other.ID, local.ID}},
		{"unit outside the scope", store.UserFilter{Scopes: []string{fc.Path}, Unit: yx.Path}, nil},
		{"unit above the scope", store.UserFilter{Scopes: []string{fc.Path}, Unit: city.Path}, []int64{local.ID}},
		{"unit after the cursor", store.UserFilter{Scopes: []string{city.Path}, Unit: fc.Path, AfterID: u.ID}, []int64{local.ID}},
	} {
		if got, err := st.Users(ctx, tc.f); err != nil || fmt.Sprint(ids(got)) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, ids(got), err, tc.want)
		}
	}
	grants, err := st.GrantsOf(ctx, []int64{u.ID, other.ID, 999999})
	if err != nil || len(grants[u.ID]) != 2 || len(grants[other.ID]) != 1 || len(grants[999999]) != 0 {
		t.Fatalf("grants of users: %+v %v", grants, err)
	}
	if g := grants[other.ID][0]; g.Role != auth.UnitStaff || g.UnitID != yx.ID || g.UnitName != "游仙区委" || g.UnitPath != yx.Path {
		t.Fatalf("grant: %+v", g)
	}
	if g := grants[u.ID][0]; g.UnitID != city.ID { // by path: the city first
		t.Fatalf("grants in path order: %+v", grants[u.ID])
	}

	ed, err := st.UpdateUser(ctx, audit.System, u.ID, u.Version, user.Draft{Login: u.Login, Name: "张三丰", Locale: "en"})
	if err != nil || ed.Name != "张三丰" || ed.Locale != "en" {
		t.Fatalf("update %+v %v", ed, err)
	}
	if _, err := st.UpdateUser(ctx, audit.System, u.ID, u.Version, user.Draft{Login: u.Login, Name: "x"}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("stale update: %v", err)
	}
}

func TestSessions(t *testing.T) {
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	u, _ := st.CreateUser(ctx, audit.System, user.Draft{Login: "admin", Name: "管理员"}, "h", []auth.Grant{{Role: auth.Admin, UnitID: city.ID}})
	to := store.SessionTimeouts{Idle: 2 * time.Hour, Absolute: 12 * time.Hour}

	secret, err := st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: u.Login}, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.SessionPrincipal(ctx, secret, to)
	if err != nil || p.UserID != u.ID {
		t.Fatalf("fresh session: %+v %v", p, err)
	}
	if _, err := st.SessionPrincipal(ctx, secret+"x", to); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("forged session: %v", err)
	}
	// Kept alive by use every 90 minutes until the absolute timeout.
	for i := 0; i < 7; i++ {
		clock.Advance(90 * time.Minute)
		if _, err := st.SessionPrincipal(ctx, secret, to); err != nil {
			t.Fatalf("after %d uses: %v", i+1, err)
		}
	}
	clock.Advance(90 * time.Minute) // 12 h since login
	if _, err := st.SessionPrincipal(ctx, secret, to); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("absolute timeout not enforced: %v", err)
	}

	idle, _ := st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: u.Login}, "")
	clock.Advance(2*time.Hour + time.Second)
	if _, err := st.SessionPrincipal(ctx, idle, to); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("idle timeout not enforced: %v", err)
	}

	live, _ := st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: u.Login}, "")
	if _, err := st.UpdateUser(ctx, audit.System, u.ID, u.Version, user.Draft{Login: "admin", Name: "管理员", Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionPrincipal(ctx, live, to); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("disabled user kept a session: %v", err)
	}

	tok, err := st.CreateAPIToken(ctx, audit.System, u.ID, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.TokenPrincipal(ctx, tok); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("disabled user's token accepted: %v", err)
	}
	if _, err := st.TokenPrincipal(ctx, "zrn_nope"); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("bad token: %v", err)
	}
}

func TestMigrate(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	applied, err := st.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v: %v", applied, err)
	}
	ok, err := st.SchemaCurrent(ctx)
	if err != nil || !ok {
		t.Fatalf("schema current: %v %v", ok, err)
	}
}

func TestMigrateFresh(t *testing.T) {
	db, data := storetest.DSN(t)
	ctx := context.Background()
	st, err := store.Open(ctx, db, data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ok, _ := st.SchemaCurrent(ctx); ok {
		t.Fatal("empty database reported current")
	}
	applied, err := st.Migrate(ctx)
	if err != nil || len(applied) == 0 || applied[0] != 1 {
		t.Fatalf("applied %v: %v", applied, err)
	}
	if ok, _ := st.SchemaCurrent(ctx); !ok {
		t.Fatal("migrated database not current")
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, db := range []string{"mysql://x", "sqlite:", "postgres://", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"} {
		_, err := store.Open(ctx, db, t.TempDir(), store.Options{})
		if err == nil {
			t.Errorf("%q opened", db)
			continue
		}
		if msg := err.Error(); len(msg) > 300 || msg == "" {
			t.Errorf("%q: unclear error %q", db, msg)
		}
	}
}

// A data directory may hold characters that are special in a file: URI.
func TestSQLitePathWithURIChars(t *testing.T) {
	if storetest.Engine() != store.SQLite {
		t.Skip("SQLite only")
	}
	ctx := context.Background()
	dir := t.TempDir()
	for _, sub := range []string{"a#1", "a?b", "a%20b"} {
		st, err := store.Open(ctx, "", dir+"/"+sub, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatalf("%s: %v", sub, err)
		}
		if _, err := st.CreateUnit(ctx, audit.System, 0, unit.Draft{Name: sub, Kind: unit.Other}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if _, err := os.Stat(dir + "/" + sub + "/zeren.db"); err != nil {
			t.Fatalf("database not where asked: %v", err)
		}
	}
}
