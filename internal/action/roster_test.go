package action_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"zeren/internal/action"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/i18n"
	"zeren/internal/roster"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// rosterWorld is a province, a city with two counties, a township under
// the first, and an admin of the first county and of the city.
type rosterWorld struct {
	st                                  *store.Store
	act                                 *action.Actions
	cat                                 *i18n.Catalog
	province, city, county, other, town unit.Unit
	countyAdmin, cityAdmin              *auth.Principal
}

func newRosterWorld(t *testing.T) *rosterWorld {
	t.Helper()
	st := storetest.New(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	w := &rosterWorld{st: st, act: action.New(st), cat: cat}
	ctx := context.Background()
	mk := func(parent unit.Unit, name string) unit.Unit {
		u, err := st.CreateUnit(ctx, audit.System, parent.ID, unit.Draft{Name: name, Kind: unit.Committee})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.province = mk(unit.Unit{}, "四川省委")
	w.city = mk(w.province, "绵阳市委")
	w.county = mk(w.city, "涪城区委")
	w.other = mk(w.city, "游仙区委")
	w.town = mk(w.county, "城厢街道党工委")
	admin := func(login string, u unit.Unit) *auth.Principal {
		usr, err := st.CreateUser(ctx, audit.System, user.Draft{Login: login, Name: login}, auth.HashPassword("correct horse battery"),
			[]auth.Grant{{Role: auth.Admin, UnitID: u.ID}})
		if err != nil {
			t.Fatal(err)
		}
		return &auth.Principal{UserID: usr.ID, Login: login, Grants: []auth.Grant{{Role: auth.Admin, UnitID: u.ID, UnitPath: u.Path}}}
	}
	w.countyAdmin = admin("county-admin", w.county)
	w.cityAdmin = admin("city-admin", w.city)
	return w
}

func (w *rosterWorld) units(t *testing.T, csv string) roster.UnitSheet {
	t.Helper()
	sh, err := roster.ReadUnits(strings.NewReader("编号,名称,上级单位,类别,负责人\n"+csv), w.cat)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func (w *rosterWorld) users(t *testing.T, csv string) roster.UserSheet {
	t.Helper()
	sh, err := roster.ReadUsers(strings.NewReader("登录名,姓名,手机,邮箱,授权（角色@单位）,启用\n"+csv), w.cat)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

// state is everything an import may change, to show a refused one
// changed nothing.
func (w *rosterWorld) state(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	ctx := context.Background()
	sys := action.System(audit.System)
	if err := w.act.ExportUnits(ctx, sys, func(r roster.UnitRow) error { fmt.Fprintln(&b, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := w.act.ExportUsers(ctx, sys, func(r roster.UserRow) error { fmt.Fprintln(&b, r); return nil }); err != nil {
		t.Fatal(err)
	}
	n, problem, err := w.st.VerifyAudit(ctx)
	if err != nil || problem != nil {
		t.Fatalf("audit chain: %v %v", problem, err)
	}
	fmt.Fprintln(&b, "events", n)
	return b.String()
}

// errorOf is the one error of a result, as "line field key".
func errorOf(res roster.Result) string {
	var out []string
	for _, e := range res.Errors {
		out = append(out, fmt.Sprintf("%d %s %s", e.Line, e.Field, e.Err.Key))
	}
	return strings.Join(out, "; ")
}

// TestImportUnitsDecisions: every change an import makes to a unit, tried
// by a county admin on every relation of the unit to the county: allowed
// in the county's subtree, an error of the row elsewhere, and then nothing
// saved.
func TestImportUnitsDecisions(t *testing.T) {
	w := newRosterWorld(t)
	ctx := context.Background()
	// What each relation is called in a sheet: the unit and its parent.
	rel := map[string][2]string{
		"own":     {"四川省委/绵阳市委/涪城区委/城厢街道党工委", "四川省委/绵阳市委/涪城区委"},
		"self":    {"四川省委/绵阳市委/涪城区委", "四川省委/绵阳市委"},
		"sibling": {"四川省委/绵阳市委/游仙区委", "四川省委/绵阳市委"},
		"above":   {"四川省委/绵阳市委", "四川省委"},
	}
	allowed := map[string]map[string]bool{
		"create under": {"own": true, "self": true},
		"rename":       {"own": true, "self": true},
		"move into":    {"own": true, "self": false},
	}
	base := w.state(t)
	for op, ok := range allowed {
		for r, names := range rel {
			if op == "move into" && r == "self" {
				continue // the county under itself: the cycle test below
			}
			var sheet string
			short := names[0][strings.LastIndex(names[0], "/")+1:]
			switch op {
			case "create under":
				sheet = fmt.Sprintf(",新支部,%s,,\n", names[0])
			case "rename":
				sheet = fmt.Sprintf(",%s,%s,,\n", short, names[1]) + fmt.Sprintf(",%s,%s,,\n", "改名"+short, names[1])
				// rename: the first row names the unit, the second a new
				// one; a rename by number is below.
				sheet = fmt.Sprintf("N-%s,%s,%s,,\n", r, short, names[1])
			case "move into":
				// The township moves under the unit.
				sheet = fmt.Sprintf(",城厢街道党工委,%s,,\n", names[0])
			}
			res, err := w.act.ImportUnits(ctx, w.countyAdmin, w.units(t, sheet), action.ImportOptions{})
			if err != nil {
				t.Fatalf("%s %s: %v", op, r, err)
			}
			want := ok[r]
			if op == "move into" && r == "own" {
				want = true // the township stays where it is: nothing to decide
			}
			if res.OK() != want {
				t.Errorf("%s %s: allowed %v, want %v (%s)", op, r, res.OK(), want, errorOf(res))
			}
			if !want && w.state(t) != base {
				t.Errorf("%s %s: a refused import changed something", op, r)
			}
			if want {
				base = w.state(t)
			}
		}
	}
	// The city's admin may do all of it on the county and its siblings.
	res, err := w.act.ImportUnits(ctx, w.cityAdmin, w.units(t, ",新支部2,四川省委/绵阳市委/游仙区委,,\n"), action.ImportOptions{})
	if err != nil || !res.OK() {
		t.Errorf("the city's admin under a county: %v %s", err, errorOf(res))
	}
	// Nobody but the operator adds a root.
	res, _ = w.act.ImportUnits(ctx, w.cityAdmin, w.units(t, ",新省委,,,\n"), action.ImportOptions{})
	if res.OK() {
		t.Error("the city's admin added a root unit")
	}
	// A non-admin imports nothing at all.
	leader := &auth.Principal{UserID: 999, Grants: []auth.Grant{{Role: auth.UnitLeader, UnitID: w.county.ID, UnitPath: w.county.Path}}}
	if _, err := w.act.ImportUnits(ctx, leader, w.units(t, ",x,四川省委/绵阳市委/涪城区委,,\n"), action.ImportOptions{}); err == nil {
		t.Error("a leader imported units")
	}
}

// TestImportUnitsRowErrors: each bad row is reported with its line,
// column and reason, and nothing is saved.
func TestImportUnitsRowErrors(t *testing.T) {
	w := newRosterWorld(t)
	ctx := context.Background()
	// Numbers first: a move names its unit by number.
	if res, err := w.act.ImportUnits(ctx, action.System(audit.System),
		w.units(t, "P1,四川省委,,,\nC1,绵阳市委,P1,,\nF1,涪城区委,C1,,\nY1,游仙区委,C1,,\n"), action.ImportOptions{}); err != nil || !res.OK() {
		t.Fatalf("numbers: %v %s", err, errorOf(res))
	}
	for name, c := range map[string]struct{ sheet, want string }{
		"unknown parent":    {",a,四川省委/没有的市委,,\n", "2 parent err.roster_unknown_unit"},
		"parent later":      {",b,四川省委/绵阳市委/c,,\n,c,四川省委/绵阳市委,,\n", "2 parent err.roster_unknown_unit"},
		"cycle":             {"C1,绵阳市委,F1,,\n", "2 parent err.move_into_own_subtree"},
		"cycle two rows":    {"F1,涪城区委,Y1,,\nY1,游仙区委,F1,,\n", "3 parent err.move_into_own_subtree"},
		"under itself":      {"F1,涪城区委,F1,,\n", "2 parent err.move_into_own_subtree"},
		"number of another": {"F1,游仙区委,C1,,\n", "2 name err.roster_name_taken"},
		"duplicate number":  {"X1,a,四川省委,,\nX1,b,四川省委,,\n", "3 number err.roster_duplicate"},
		"duplicate row":     {",a,四川省委,,\n,a,四川省委,,\n", "3 name err.roster_duplicate"},
		"name taken":        {",绵阳市委,四川省委,,\n,游仙区委,四川省委/绵阳市委,,\n,涪城区委x,四川省委/绵阳市委,,\n", ""},
		"slash in name":     {",a/b,四川省委,,\n", ""},
		"escaped parent":    {",a/b,四川省委,,\n,c,四川省委/a\\/b,,\n", ""},
		"escape in name":    {",a\x1bb,四川省委,,\n", "2 name err.bad_text"},
		"control leader":    {",a,四川省委,,x\x07y\n", "2 leader err.bad_text"},
		"tab in parent":     {",a,四川省委\t,,\n", ""},
		"too long":          {"," + strings.Repeat("长", unit.MaxNameLen+1) + ",四川省委,,\n", "2 name err.too_long"},
		"unknown kind":      {",a,四川省委,神秘,\n", "2 kind err.unknown_kind"},
		"number slash":      {"a/b,a,四川省委,,\n", "2 number err.roster_number_slash"},
		"empty name":        {",,四川省委,,\n", "2 name err.required"},
	} {
		t.Run(name, func(t *testing.T) {
			before := w.state(t)
			res, err := w.act.ImportUnits(ctx, action.System(audit.System), w.units(t, c.sheet), action.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := errorOf(res); got != c.want {
				t.Errorf("errors %q, want %q", got, c.want)
			}
			if c.want != "" && w.state(t) != before {
				t.Error("a sheet with a bad row changed something")
			}
		})
	}
}

// TestImportUnitsApplies: creates, renames by number, moves, restores and
// archives, each with its audit event, plus one for the import; a dry run
// lists the same and saves nothing.
func TestImportUnitsApplies(t *testing.T) {
	w := newRosterWorld(t)
	ctx := context.Background()
	sys := action.System(audit.System)
	// The county adopts a number, then moves by it.
	if res, err := w.act.ImportUnits(ctx, sys, w.units(t, "F1,涪城区委,四川省委/绵阳市委,,\n"), action.ImportOptions{}); err != nil || res.Counts[roster.Update] != 1 {
		t.Fatalf("a number: %v %v %s", err, res.Counts, errorOf(res))
	}
	sheet := "P1,四川省委,,党委,\n" + // adopts a number
		"C1,绵阳市委,P1,,新书记\n" + // leader
		",游仙区委,C1,,\n" +
		"F1,涪城区委,C1/游仙区委,,\n" + // move under a sibling
		",新村党支部,C1/游仙区委/涪城区委/城厢街道党工委,基层党组织,\n" // create, deep
	before := w.state(t)
	dry, err := w.act.ImportUnits(ctx, sys, w.units(t, sheet), action.ImportOptions{DryRun: true})
	if err != nil || !dry.OK() {
		t.Fatalf("dry run: %v %s", err, errorOf(dry))
	}
	if w.state(t) != before {
		t.Fatal("a dry run changed something")
	}
	n0, _, _ := w.st.VerifyAudit(ctx)
	res, err := w.act.ImportUnits(ctx, sys, w.units(t, sheet), action.ImportOptions{})
	if err != nil || !res.OK() {
		t.Fatalf("import: %v %s", err, errorOf(res))
	}
	want := map[roster.Op]int{roster.Update: 2, roster.Move: 1, roster.Create: 1, roster.Keep: 1}
	if fmt.Sprint(res.Counts) != fmt.Sprint(want) || fmt.Sprint(dry.Counts) != fmt.Sprint(want) {
		t.Errorf("counts %v, dry run %v, want %v", res.Counts, dry.Counts, want)
	}
	n1, problem, _ := w.st.VerifyAudit(ctx)
	if problem != nil || n1-n0 != 5 { // 2 updates, a move, a create, the import
		t.Errorf("audit events %d (problem %v), want 5", n1-n0, problem)
	}
	town, _ := w.st.Unit(ctx, w.town.ID)
	other, _ := w.st.Unit(ctx, w.other.ID)
	if !unit.Contains(other.Path, town.Path) {
		t.Errorf("the township %s is not under 游仙区委 %s after the move", town.Path, other.Path)
	}
	city, _ := w.st.Unit(ctx, w.city.ID)
	if city.Code != "C1" || city.Leader != "新书记" {
		t.Errorf("city %+v", city)
	}
	// Again: nothing changes.
	res, _ = w.act.ImportUnits(ctx, sys, w.units(t, sheet), action.ImportOptions{})
	if res.Counts[roster.Keep] != 5 {
		t.Errorf("the same sheet again: %v", res.Counts)
	}
	// By number: a rename. Archive what is missing, deepest first.
	res, err = w.act.ImportUnits(ctx, w.cityAdmin, w.units(t, "C1,绵阳市委（新）,P1,,\n,城厢街道党工委,C1/游仙区委/涪城区委,,\n"), action.ImportOptions{ArchiveMissing: true})
	if err != nil || !strings.Contains(errorOf(res), "0 name err.roster_missing_has_children") {
		t.Fatalf("archive with units left under a missing one: %v %v", err, res.Counts)
	}
	res, err = w.act.ImportUnits(ctx, w.cityAdmin, w.units(t, "C1,绵阳市委（新）,P1,,\n"), action.ImportOptions{ArchiveMissing: true})
	if err != nil || !res.OK() || res.Counts[roster.Archive] != 4 || res.Counts[roster.Update] != 1 {
		t.Fatalf("rename and archive: %v %v %s", err, res.Counts, errorOf(res))
	}
	if u, _ := w.st.Unit(ctx, w.town.ID); !u.Archived {
		t.Error("the township was not archived")
	}
	// Named again, an archived unit is restored.
	res, err = w.act.ImportUnits(ctx, w.cityAdmin, w.units(t, ",游仙区委,C1,,\n"), action.ImportOptions{})
	if err != nil || res.Counts[roster.Restore] != 1 {
		t.Errorf("restore: %v %v %s", err, res.Counts, errorOf(res))
	}
	if _, problem, _ := w.st.VerifyAudit(ctx); problem != nil {
		t.Error(problem)
	}
}

// TestImportUsersDecisions: a county admin creates and changes users only
// with grants in the county, never a user of the city, never themselves
// out of their admin grant; each refusal is the row's error and nothing
// is saved.
func TestImportUsersDecisions(t *testing.T) {
	w := newRosterWorld(t)
	ctx := context.Background()
	// A user of the city, managed by the city's admin only.
	if _, err := w.act.ImportUsers(ctx, w.cityAdmin, w.users(t, "city-staff,市里,,,staff@四川省委/绵阳市委,是\n"), action.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ sheet, want string }{
		"grant in the county":   {"u1,甲,,,leader@四川省委/绵阳市委/涪城区委/城厢街道党工委,是\n", ""},
		"grant on the county":   {"u2,乙,,,staff@四川省委/绵阳市委/涪城区委,是\n", ""},
		"grant on the sibling":  {"u3,丙,,,staff@四川省委/绵阳市委/游仙区委,是\n", "2 grants err.roster_unknown_unit"},
		"grant on the city":     {"u4,丁,,,observer@四川省委/绵阳市委,是\n", "2 grants err.roster_unknown_unit"},
		"one grant outside":     {"u5,戊,,,staff@四川省委/绵阳市委/涪城区委; staff@四川省委/绵阳市委/游仙区委,是\n", "2 grants err.roster_unknown_unit"},
		"the city's user":       {"city-staff,市里,,,staff@四川省委/绵阳市委/涪城区委,是\n", "2 login err.login_taken"},
		"a peer admin":          {"city-admin,x,,,admin@四川省委/绵阳市委/涪城区委,是\n", "2 login err.login_taken"},
		"disable self":          {"county-admin,county-admin,,,admin@四川省委/绵阳市委/涪城区委,否\n", "2 active err.disable_self"},
		"drop own admin":        {"county-admin,county-admin,,,staff@四川省委/绵阳市委/涪城区委,是\n", "2 grants err.remove_own_admin"},
		"duplicate login":       {"u6,a,,,staff@四川省委/绵阳市委/涪城区委,是\nU6,b,,,staff@四川省委/绵阳市委/涪城区委,是\n", "3 login err.roster_duplicate"},
		"bad role":              {"u7,a,,,boss@四川省委/绵阳市委/涪城区委,是\n", "2 grants err.unknown_role"},
		"no grant":              {"u8,a,,,,是\n", "2 grants err.roster_grant_required"},
		"bad grant":             {"u9,a,,,staff,是\n", "2 grants err.roster_grant_format"},
		"bad login":             {"a b,a,,,staff@四川省委/绵阳市委/涪城区委,是\n", "2 login err.login_format"},
		"bad email":             {"u10,a,,a@,staff@四川省委/绵阳市委/涪城区委,是\n", "2 email err.email_format"},
		"bad phone":             {"u11,a,12,,staff@四川省委/绵阳市委/涪城区委,是\n", "2 phone err.phone_format"},
		"bad active":            {"u12,a,,,staff@四川省委/绵阳市委/涪城区委,也许\n", "2 active err.yes_no"},
		"escape in name":        {"u13,a\x1b,,,staff@四川省委/绵阳市委/涪城区委,是\n", "2 person err.bad_text"},
		"control in grants":     {"u14,a,,,staff@四川省委/绵阳市委/涪城区委\x01,是\n", "2 grants err.bad_text"},
		"unknown unit":          {"u15,a,,,staff@四川省委/没有,是\n", "2 grants err.roster_unknown_unit"},
		"role label in Chinese": {"u16,a,,,单位书记@四川省委/绵阳市委/涪城区委,是\n", ""},
	} {
		t.Run(name, func(t *testing.T) {
			before := w.state(t)
			res, err := w.act.ImportUsers(ctx, w.countyAdmin, w.users(t, c.sheet), action.ImportOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Replace(c.want, "err.yes_no", "err.roster_yes_no", 1)
			if got := errorOf(res); got != want {
				t.Errorf("errors %q, want %q", got, want)
			}
			if w.state(t) != before {
				t.Error("a dry run or a bad sheet changed something")
			}
		})
	}
}

// TestImportUsersApplies: new users get their grants, no password and a
// link; a second sheet changes them and replaces their grants; missing
// users are disabled, the importer never.
func TestImportUsersApplies(t *testing.T) {
	w := newRosterWorld(t)
	ctx := context.Background()
	sheet := "a1,甲,13800000000,a1@example.org,leader@四川省委/绵阳市委/涪城区委/城厢街道党工委; staff@四川省委/绵阳市委/涪城区委/城厢街道党工委,是\n" +
		"a2,乙,,,staff@四川省委/绵阳市委/涪城区委/城厢街道党工委,否\n"
	n0, _, _ := w.st.VerifyAudit(ctx)
	res, err := w.act.ImportUsers(ctx, w.countyAdmin, w.users(t, sheet), action.ImportOptions{})
	if err != nil || !res.OK() || res.Counts[roster.Create] != 2 {
		t.Fatalf("import: %v %v %s", err, res.Counts, errorOf(res))
	}
	if n1, _, _ := w.st.VerifyAudit(ctx); n1-n0 != 3 {
		t.Errorf("%d audit events, want 3", n1-n0)
	}
	links := 0
	for _, c := range res.Changes {
		if c.Link != "" {
			links++
			if c.Name != "a1" {
				t.Errorf("a link for %s, who is disabled", c.Name)
			}
		}
	}
	if links != 1 {
		t.Errorf("%d links, want 1", links)
	}
	u, hash, err := w.st.UserByLogin(ctx, "a1")
	if err != nil || hash != "" || u.Disabled {
		t.Errorf("a1: %+v hash %q %v", u, hash, err)
	}
	if auth.VerifyPassword(hash, "") {
		t.Error("an imported user logs in without a password")
	}
	grants, _ := w.st.Grants(ctx, u.ID)
	if len(grants) != 2 {
		t.Errorf("grants %+v", grants)
	}
	// Change: a new name, one grant instead of two, active.
	res, err = w.act.ImportUsers(ctx, w.countyAdmin, w.users(t, "a1,甲二,,,staff@四川省委/绵阳市委/涪城区委/城厢街道党工委,是\n"), action.ImportOptions{ArchiveMissing: true})
	if err != nil || !res.OK() || res.Counts[roster.Update] != 1 || res.Counts[roster.Disable] != 0 {
		t.Fatalf("update: %v %v %s", err, res.Counts, errorOf(res))
	}
	if grants, _ := w.st.Grants(ctx, u.ID); len(grants) != 1 || grants[0].Role != auth.UnitStaff {
		t.Errorf("grants after: %+v", grants)
	}
	if u, _ := w.st.User(ctx, u.ID); u.Name != "甲二" {
		t.Errorf("name %q", u.Name)
	}
	// a2 was already disabled; now leave a1 out too.
	res, err = w.act.ImportUsers(ctx, w.countyAdmin, w.users(t, "county-admin,county-admin,,,admin@四川省委/绵阳市委/涪城区委,是\n"), action.ImportOptions{ArchiveMissing: true})
	if err != nil || !res.OK() || res.Counts[roster.Disable] != 1 {
		t.Fatalf("archive missing: %v %v %s", err, res.Counts, errorOf(res))
	}
	if u, _ := w.st.User(ctx, u.ID); !u.Disabled {
		t.Error("a1 not disabled")
	}
	if _, problem, _ := w.st.VerifyAudit(ctx); problem != nil {
		t.Error(problem)
	}
}

// TestRosterRoundTrip: export both sheets, import them into an empty
// database, export again: the same bytes, in CSV and in Excel.
func TestRosterRoundTrip(t *testing.T) {
	w := newRosterWorld(t)
	ctx := context.Background()
	sys := action.System(audit.System)
	if _, err := w.act.ImportUnits(ctx, sys, w.units(t, "P1,四川省委,,,\n,=1+1 公式,P1,其他,@leader\n,纪委/监委,P1,,\n,派驻\\组,P1/纪委\\/监委,,\n"), action.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.act.ImportUsers(ctx, sys, w.users(t, "zz,'=x,,z@example.org,observer@P1/=1+1 公式; admin@P1,是\n"), action.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	export := func(a *action.Actions, s roster.Sheet, f roster.Format) []byte {
		var b bytes.Buffer
		wr, err := roster.NewWriter(&b, f, s, w.cat, "zh-CN")
		if err != nil {
			t.Fatal(err)
		}
		if s == roster.Units {
			err = a.ExportUnits(ctx, sys, wr.Unit)
		} else {
			err = a.ExportUsers(ctx, sys, wr.User)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := wr.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, f := range []roster.Format{roster.CSV, roster.XLSX} {
		units, users := export(w.act, roster.Units, f), export(w.act, roster.Users, f)
		fresh := action.New(storetest.New(t))
		ush, err := roster.ReadUnits(bytes.NewReader(units), w.cat)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := fresh.ImportUnits(ctx, sys, ush, action.ImportOptions{}); err != nil || !res.OK() {
			t.Fatalf("%s units: %v %s", f, err, errorOf(res))
		}
		psh, err := roster.ReadUsers(bytes.NewReader(users), w.cat)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := fresh.ImportUsers(ctx, sys, psh, action.ImportOptions{}); err != nil || !res.OK() {
			t.Fatalf("%s users: %v %s", f, err, errorOf(res))
		}
		if f == roster.CSV {
			if again := export(fresh, roster.Units, f); !bytes.Equal(again, units) {
				t.Errorf("units differ:\n%s\n---\n%s", units, again)
			}
			if again := export(fresh, roster.Users, f); !bytes.Equal(again, users) {
				t.Errorf("users differ:\n%s\n---\n%s", users, again)
			}
			if !strings.Contains(string(units), "'=1+1 公式") {
				t.Errorf("a formula-like name is not escaped:\n%s", units)
			}
			continue
		}
		// A workbook holds a time stamp: compare what it reads as.
		for _, s := range []roster.Sheet{roster.Units, roster.Users} {
			a, b := export(w.act, s, roster.CSV), export(fresh, s, roster.CSV)
			if !bytes.Equal(a, b) {
				t.Errorf("%s after an Excel round trip:\n%s\n---\n%s", s, a, b)
			}
		}
	}
}
