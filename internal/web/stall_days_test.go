package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/user"
)

// stallFixture adds a city cycle (under root, with A taking part, so that
// A's people see it) and a supervisor of the whole city.
func stallFixture(t *testing.T) *fixture {
	f := newFixture(t)
	ctx := context.Background()
	c, err := f.st.CreateCycle(ctx, audit.System, f.units["root"].ID, cycle.Draft{Year: 2020, Title: "市委2020年度述职评议"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.SetParticipants(ctx, audit.System, c.ID, c.Version, []cycle.Participant{{UnitID: f.units["A"].ID, Mode: cycle.Written}}); err != nil {
		t.Fatal(err)
	}
	f.cycles["city"] = mustCycle(t, f.st, c.ID)
	u, err := f.st.CreateUser(ctx, audit.System, user.Draft{Login: "citysup", Name: "市纪委", Locale: "zh-CN"}, testHash(),
		[]auth.Grant{{Role: auth.Supervisor, UnitID: f.units["root"].ID}})
	if err != nil {
		t.Fatal(err)
	}
	f.users["citysup"] = u
	if f.cookie["citysup"], err = f.st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: u.Login}, ""); err != nil {
		t.Fatal(err)
	}
	if f.token["citysup"], err = f.st.CreateAPIToken(ctx, audit.System, u.ID, "test"); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestStallDaysWho checks who may set a cycle's stall days: an admin or a
// supervisor at the cycle's unit or above; not a county supervisor on the
// city's cycle, not an organizer, not a unit's leader.
func TestStallDaysWho(t *testing.T) {
	f := stallFixture(t)
	for _, c := range []struct {
		who, cycle string
		status     int
	}{
		{"role-supervisor", "A", 303},
		{"role-admin", "A", 303},
		{"admin", "A", 303},   // above
		{"citysup", "A", 303}, // above
		{"admin", "city", 303},
		{"citysup", "city", 303},
		// A county's supervisor and admin see the city's cycle their unit
		// takes part in, but not the city's unit: refused as every decision
		// on that cycle is (action.refused), as not found.
		{"role-supervisor", "city", 404},
		{"admina", "city", 404},
		{"role-organizer", "A", 403},
		{"leadera", "A", 403},
		{"observer", "A", 403},
		{"role-supervisor", "B", 404},
		{"role-admin", "B", 404},
	} {
		id := f.cycles[c.cycle].ID
		resp, body := f.do(c.who, "POST", "/cycles/"+strconv.FormatInt(id, 10)+"/stall-days", "stall_days=9")
		got := mustCycle(t, f.st, id).StallDays
		if resp.StatusCode != c.status {
			t.Errorf("%s on %s: %d, want %d\n%s", c.who, c.cycle, resp.StatusCode, c.status, excerpt(body))
		}
		if (c.status == 303) != (got == 9) {
			t.Errorf("%s on %s: stall days %d", c.who, c.cycle, got)
		}
		if err := f.st.SetStallDays(context.Background(), audit.System, id, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStallDaysForm checks the form on the cycle page and its bad values.
func TestStallDaysForm(t *testing.T) {
	f := stallFixture(t)
	path := "/cycles/" + strconv.FormatInt(f.cycles["A"].ID, 10)
	if _, body := f.do("role-supervisor", "GET", path, ""); !strings.Contains(body, `action="`+path+`/stall-days"`) || !strings.Contains(body, "填 0 表示关闭") {
		t.Errorf("supervisor: no form\n%s", excerpt(body))
	}
	for _, who := range []string{"role-organizer", "leadera"} {
		if _, body := f.do(who, "GET", path, ""); strings.Contains(body, "/stall-days") {
			t.Errorf("%s sees the form", who)
		}
	}
	if resp, _ := f.do("role-supervisor", "POST", path+"/stall-days", "stall_days=14"); resp.StatusCode != 303 {
		t.Fatalf("set: %d", resp.StatusCode)
	}
	for _, bad := range []string{"-1", "91", "abc", "", "1e3", "7.5"} {
		resp, body := f.do("role-supervisor", "POST", path+"/stall-days", "stall_days="+bad)
		if resp.StatusCode != 400 || !strings.Contains(body, "无进展天数: ") || !strings.Contains(body, `name="stall_days" value="14"`) {
			t.Errorf("%q: %d\n%s", bad, resp.StatusCode, excerpt(body))
		}
		if got := mustCycle(t, f.st, f.cycles["A"].ID).StallDays; got != 14 {
			t.Errorf("%q changed the stall days to %d", bad, got)
		}
	}
	if resp, _ := f.do("role-supervisor", "POST", path+"/stall-days", "stall_days=0"); resp.StatusCode != 303 || mustCycle(t, f.st, f.cycles["A"].ID).StallDays != 0 {
		t.Fatalf("off: %d", resp.StatusCode)
	}
}

// TestStallDaysAPI patches stall_days through the API: decided like the
// page; alone it needs no version; with organizer fields the organizer's
// right is needed too; bad values name the field and change nothing.
func TestStallDaysAPI(t *testing.T) {
	f := stallFixture(t)
	id := strconv.FormatInt(f.cycles["A"].ID, 10)
	path := "/api/v1/cycles/" + id
	resp, body := f.do("role-supervisor", "PATCH", path, `{"stall_days": 21}`)
	if resp.StatusCode != 200 || !strings.Contains(body, `"stall_days":21`) {
		t.Fatalf("set: %d %s", resp.StatusCode, body)
	}
	if _, body := f.do("leadera", "GET", path, ""); !strings.Contains(body, `"stall_days":21`) {
		t.Errorf("read: %s", body)
	}
	v := strconv.FormatInt(mustCycle(t, f.st, f.cycles["A"].ID).Version, 10)
	for _, c := range []struct {
		who, body string
		status    int
		has       string
	}{
		{"role-organizer", `{"stall_days": 3}`, 403, `"forbidden"`},
		{"role-supervisor", `{"stall_days": 3, "title": "x"}`, 403, `"forbidden"`},
		{"role-supervisor", `{"title": "x", "version": ` + v + `}`, 403, `"forbidden"`},
		{"citysup", `{"stall_days": 3, "version": 1}`, 409, ""},
		{"role-supervisor", `{"stall_days": -1}`, 400, `"field":"stall_days"`},
		{"role-supervisor", `{"stall_days": 91}`, 400, `"field":"stall_days"`},
		{"role-supervisor", `{"stall_days": "7"}`, 400, `"field":"stall_days"`},
		{"role-supervisor", `{"stall_days": 1.5}`, 400, `"field":"stall_days"`},
		{"leadera", `{"stall_days": 3}`, 403, ""},
		{"role-supervisor", `{"stall_days": 3}`, 404, ""}, // B's cycle, below
	} {
		p := path
		if c.status == 404 {
			p = "/api/v1/cycles/" + strconv.FormatInt(f.cycles["B"].ID, 10)
		}
		resp, body := f.do(c.who, "PATCH", p, c.body)
		if resp.StatusCode != c.status || !strings.Contains(body, c.has) {
			t.Errorf("%s %s: %d %s", c.who, c.body, resp.StatusCode, body)
		}
	}
	if got := mustCycle(t, f.st, f.cycles["A"].ID); got.StallDays != 21 || got.Title != f.cycles["A"].Title {
		t.Fatalf("refused patches changed the cycle: %d %q", got.StallDays, got.Title)
	}
	// An admin changes the title and the stall days together, with the version.
	resp, body = f.do("role-admin", "PATCH", path, `{"stall_days": 5, "title": "新标题", "version": `+v+`}`)
	if resp.StatusCode != 200 || !strings.Contains(body, `"stall_days":5`) || !strings.Contains(body, "新标题") {
		t.Fatalf("both: %d %s", resp.StatusCode, body)
	}
}
