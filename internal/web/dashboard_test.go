package web

import (
	"context"
	"fmt"
	"html"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// dashTableRows reads the table with the id from a page: one row of cell
// texts per <tr>, the header row first.
func dashTableRows(t *testing.T, page, id string) [][]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<table[^>]*id="` + regexp.QuoteMeta(id) + `".*?</table>`).FindString(page)
	if m == "" {
		t.Fatalf("no table %s in the page\n%s", id, excerpt(page))
	}
	cell := regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	tag := regexp.MustCompile(`<[^>]+>`)
	var rows [][]string
	for _, tr := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(m, -1) {
		var row []string
		for _, c := range cell.FindAllStringSubmatch(tr[1], -1) {
			row = append(row, html.UnescapeString(strings.TrimSpace(tag.ReplaceAllString(c[1], ""))))
		}
		rows = append(rows, row)
	}
	return rows
}

// dashRowOf returns the table's row whose label is the given one.
func dashRowOf(t *testing.T, rows [][]string, label string) []string {
	t.Helper()
	for _, r := range rows[1:] {
		if r[0] == label {
			return r[1:]
		}
	}
	t.Fatalf("no row %q in %v", label, rows)
	return nil
}

func ints(xs ...int) []string {
	var out []string
	for _, x := range xs {
		out = append(out, strconv.Itoa(x))
	}
	return out
}

func sameCells(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

// dashFixture adds, to the fixture's 2018 cycle under A ({cycle:vA}, with
// four items on A1 from rectFixture, two of them due 2021-02-26), three
// chair's-comment findings: one on A1 due 2021-06-01, one on A2 due
// 2021-01-13, one on A2 closed. A's appraisal is closed with one ballot.
// Then the clock moves on to 2021-07-20, where A1 has items overdue by 49
// and 144 days and A2 one by 188 days; the sessions are renewed.
func dashFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.ledgerItem("A1", "vA", "谈心谈话制度执行不严", rectification.InProgress, "2021-06-01")
	f.ledgerItem("A2", "vA", "党费收缴不及时", rectification.InProgress, "2021-01-13")
	f.ledgerItem("A2", "vA", "组织生活会质量不高", rectification.Closed, "2021-01-30")
	f.closeAppraisalA()
	f.clock.Advance(189 * 24 * time.Hour)
	for login, u := range f.users {
		var err error
		if f.cookie[login], err = f.st.CreateSession(context.Background(), audit.Actor{UserID: u.ID, Login: login}, ""); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) dashPage(who, path string, status int) string {
	f.t.Helper()
	resp, body := f.do(who, "GET", path, "")
	if resp.StatusCode != status {
		f.t.Fatalf("%s as %s: %d, want %d\n%s", path, who, resp.StatusCode, status, excerpt(body))
	}
	return body
}

// closeAppraisalA casts a ballot with A's one-time code and closes the
// appraisal of {cycle:vA}, so that its results exist.
func (f *fixture) closeAppraisalA() {
	f.t.Helper()
	ctx := context.Background()
	if resp, body := f.do("", "POST", "/vote", "code={code:A}&submission=x&grade_{report:vA}=1&grade_{report:v2A}=3"); resp.StatusCode != 303 {
		f.t.Fatalf("vote: %d\n%s", resp.StatusCode, excerpt(body))
	}
	a, _ := f.st.Appraisal(ctx, f.appraisals["A"].ID)
	if _, err := f.st.MoveAppraisal(ctx, audit.System, a.ID, a.Version, appraisal.Closed); err != nil {
		f.t.Fatal(err)
	}
}

// The organizer's overview of the cycle: every section's table holds the
// numbers of the store, for the cycle's unit A and its subtree.
func TestDashboardOverview(t *testing.T) {
	f := dashFixture(t)
	ctx := context.Background()
	c, a := f.cycles["vA"], f.units["A"]
	body := f.dashPage("role-organizer", "/cycles/{cycle:vA}/dashboard", 200)

	// The funnel is the focus unit's roll-up, by status.
	st, err := f.st.UnitStats(ctx, a.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 7 {
		t.Fatalf("A has %d items in the cycle, want 7", st.Total)
	}
	funnel := dashTableRows(t, body, "dash-funnel-table")
	sameCells(t, "planning", dashRowOf(t, funnel, "制定方案"), ints(st.Planning, st.Total))
	sameCells(t, "in progress", dashRowOf(t, funnel, "整改中"), ints(st.InProgress, st.Total-st.Planning))
	sameCells(t, "awaiting", dashRowOf(t, funnel, "待验收"), ints(st.Awaiting, st.Awaiting+st.Closed))
	sameCells(t, "closed", dashRowOf(t, funnel, "已销号"), ints(st.Closed, st.Closed))

	// Findings: the seven recorded, four by supervision and three from the
	// chair's comments, two of them closed.
	records, _, err := f.st.FindingRecords(ctx, store.FindingFilter{Scopes: []string{a.Path}, CycleID: c.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	sources := dashTableRows(t, body, "dash-sources-table")
	sameCells(t, "findings in all", dashRowOf(t, sources, "合计"), ints(len(records)-2, 2, len(records)))
	sameCells(t, "supervision", dashRowOf(t, sources, "督导检查"), ints(3, 1, 4))
	sameCells(t, "chair's comment", dashRowOf(t, sources, "主持人点评"), ints(2, 1, 3))
	sameCells(t, "the area", dashRowOf(t, dashTableRows(t, body, "dash-areas-table"), "基层组织建设"), ints(5, 2, 7))

	// Reports: both of the cycle's are handed in.
	reports := dashTableRows(t, body, "dash-reports-table")
	sameCells(t, "submitted", dashRowOf(t, reports, "已提交"), ints(2))
	sameCells(t, "reports in all", dashRowOf(t, reports, "合计"), ints(2))

	// The heat map: A's children by days overdue, each leading to its own
	// dashboard in this cycle.
	heat := dashTableRows(t, body, "dash-overdue-table")
	sameCells(t, "the buckets", heat[0], []string{"单位", "逾期≤30天", "逾期31–90天", "逾期91–180天", "逾期>180天", "已逾期"})
	sameCells(t, "A1 overdue", dashRowOf(t, heat, "城厢街道党工委"), ints(0, 1, 2, 0, 3))
	sameCells(t, "A2 overdue", dashRowOf(t, heat, "工区街道党工委"), ints(0, 0, 0, 1, 1))
	if want := f.expand(`<a href="/units/{A1}/dashboard?cycle={cycle:vA}">`); !strings.Contains(body, want) {
		t.Errorf("no drill-down link %s", want)
	}

	// The appraisal's scores, bucketed as the results page computes them.
	ap, _ := f.st.Appraisal(ctx, f.appraisals["A"].ID)
	results, _, err := f.st.Results(ctx, ap)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, r := range results {
		switch s := r.Score; {
		case s == nil:
			want["无得分"]++
		case *s < 60:
			want["<60"]++
		case *s < 70:
			want["60–70"]++
		case *s < 80:
			want["70–80"]++
		case *s < 90:
			want["80–90"]++
		default:
			want["≥90"]++
		}
	}
	scores := dashTableRows(t, body, "dash-scores-table")
	for _, label := range []string{"<60", "60–70", "70–80", "80–90", "≥90", "无得分"} {
		sameCells(t, "scores "+label, dashRowOf(t, scores, label), ints(want[label]))
	}
	if len(results) != 2 {
		t.Errorf("%d results", len(results))
	}

	// Every chart has its container, its data and its table.
	for _, id := range []string{"dash-reports", "dash-funnel", "dash-sources", "dash-areas", "dash-scores", "dash-overdue"} {
		for _, part := range []string{`<div class="chart dash-chart" id="` + id + `" role="img" aria-label="`, `<script type="application/json" id="` + id + `-data">{`, `id="` + id + `-table"`} {
			if !strings.Contains(body, part) {
				t.Errorf("%s lacks %s", id, part)
			}
		}
	}
	// Not assessed yet: no grades, said so.
	if !strings.Contains(body, "暂无考核等次。") {
		t.Error("the grades' note is missing")
	}
	// The cycle's page links the overview; the unit page its dashboard;
	// the menu the dashboards.
	if page := f.dashPage("role-organizer", "/cycles/{cycle:vA}", 200); !strings.Contains(page, f.expand(`href="/cycles/{cycle:vA}/dashboard"`)) {
		t.Error("the cycle page does not link the overview")
	}
	if page := f.dashPage("role-organizer", "/units/{A}", 200); !strings.Contains(page, f.expand(`href="/units/{A}/dashboard"`)) ||
		!strings.Contains(page, `href="/dashboard"`) {
		t.Error("the unit page or the menu does not link the dashboards")
	}
	for _, path := range []string{"/cycles/{cycle:vA}", "/units/{A}"} {
		if page := f.dashPage("role-leader", path, 200); strings.Contains(page, "dashboard") {
			t.Errorf("%s links a dashboard for a leader", path)
		}
	}
}

// A supervisor granted on the sub-unit A1 sees A1's figures only, may not
// ask for another unit's, and unit leaders and staff get nothing.
func TestDashboardWithinGrants(t *testing.T) {
	f := dashFixture(t)
	ctx := context.Background()
	c := f.cycles["vA"]
	f.webUser("sup-a1", auth.Grant{Role: auth.Supervisor, UnitID: f.units["A1"].ID})
	body := f.dashPage("sup-a1", "/cycles/{cycle:vA}/dashboard", 200)
	if !strings.Contains(body, "统计范围：城厢街道党工委及其全部下级单位") {
		t.Errorf("the focus is not A1\n%s", excerpt(body))
	}
	st, err := f.st.UnitStats(ctx, f.units["A1"].ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	funnel := dashTableRows(t, body, "dash-funnel-table")
	sameCells(t, "A1's planning", dashRowOf(t, funnel, "制定方案"), ints(st.Planning, st.Total))
	sameCells(t, "A1's findings", dashRowOf(t, dashTableRows(t, body, "dash-sources-table"), "合计"), ints(4, 1, 5))
	for _, other := range []string{"工区街道党工委", "党费收缴不及时"} {
		if strings.Contains(body, other) {
			t.Errorf("A1's supervisor sees %s", other)
		}
	}
	if !strings.Contains(body, "没有下级单位。") {
		t.Error("A1 has no children, and the page should say so")
	}
	// Another unit, inside the cycle or not, is refused.
	for _, u := range []string{"A", "A2", "B1"} {
		f.dashPage("sup-a1", "/cycles/{cycle:vA}/dashboard?unit={"+u+"}", 403)
	}
	f.dashPage("sup-a1", "/cycles/{cycle:vA}/dashboard?unit={A1}", 200)
	f.dashPage("sup-a1", "/units/{A1}/dashboard", 200)
	f.dashPage("sup-a1", "/units/{A}/dashboard", 404) // not even visible to A1's supervisor
	f.dashPage("sup-a1", "/cycles/{cycle:vB}/dashboard", 404)
	// The organizer on A may focus on A2 inside the cycle, not on B's units.
	body = f.dashPage("role-organizer", "/cycles/{cycle:vA}/dashboard?unit={A2}", 200)
	sameCells(t, "A2's findings", dashRowOf(t, dashTableRows(t, body, "dash-sources-table"), "合计"), ints(1, 1, 2))
	f.dashPage("role-organizer", "/cycles/{cycle:vA}/dashboard?unit={B1}", 403)
	// Leaders, staff and observers read no results.
	for _, who := range []string{"role-leader", "role-staff", "role-observer", "role-participant", "member-a"} {
		for _, path := range []string{"/dashboard", "/cycles/{cycle:vA}/dashboard", "/units/{A}/dashboard", "/dashboard/compare?unit={A1}"} {
			f.dashPage(who, path, 403)
		}
	}
}

// A unit's dashboard: its history over the cycles and its children's
// figures in the chosen one.
func TestUnitDashboard(t *testing.T) {
	f := dashFixture(t)
	ctx := context.Background()
	c := f.cycles["vA"]
	body := f.dashPage("role-supervisor", "/units/{A}/dashboard", 200)
	st, _ := f.st.UnitStats(ctx, f.units["A"].ID, c.ID)
	hist := dashTableRows(t, body, "dash-history-table")
	if len(hist) != 2 {
		t.Fatalf("history rows: %v", hist)
	}
	// Items, closed, closure rate, on-time rate, overdue, findings,
	// appraisal and final score (none yet), grade (none yet).
	sameCells(t, "2018", dashRowOf(t, hist, "2018年度述职评议"), []string{strconv.Itoa(st.Total), strconv.Itoa(st.Closed),
		fmt.Sprintf("%.1f%%", 100*float64(st.Closed)/float64(st.Total)), fmt.Sprintf("%.1f%%", deref(st.OnTimeRate)),
		strconv.Itoa(st.Overdue), "7", "—", "—", "—"})
	if st.Overdue != 4 {
		t.Errorf("A's overdue items: %d", st.Overdue)
	}
	kids := dashTableRows(t, body, "dash-children-table")
	for _, k := range []string{"A1", "A2"} {
		ks, _ := f.st.UnitStats(ctx, f.units[k].ID, c.ID)
		sameCells(t, k, dashRowOf(t, kids, f.units[k].Name)[:7], ints(ks.Total, ks.Planning, ks.InProgress, ks.Awaiting, ks.Closed, ks.Overdue, ks.DueSoon))
	}
	sameCells(t, "heat A2", dashRowOf(t, dashTableRows(t, body, "dash-overdue-table"), "工区街道党工委"), ints(0, 0, 0, 1, 1))
	// Another cycle of A's has no items: the children's rows are zero.
	body = f.dashPage("role-supervisor", "/units/{A}/dashboard?cycle={cycle:A}", 200)
	sameCells(t, "A1 in the 2020 cycle", dashRowOf(t, dashTableRows(t, body, "dash-children-table"), "城厢街道党工委")[:1], ints(0))
	// A child's dashboard has no children.
	body = f.dashPage("role-supervisor", "/units/{A1}/dashboard?cycle={cycle:vA}", 200)
	if !strings.Contains(body, "没有下级单位。") || strings.Contains(body, `id="dash-children-table"`) {
		t.Error("A1's dashboard shows children")
	}
	// The history shows a final score and grade once assessed; the
	// supervisor of A1 sees them only once published.
	for _, to := range []cycle.Status{cycle.Rectifying, cycle.Assessing} {
		cc, _ := f.st.Cycle(ctx, c.ID)
		if _, err := f.st.AdvanceCycle(ctx, audit.System, c.ID, cc.Version, to); err != nil {
			t.Fatal(err)
		}
	}
	base := "/cycles/{cycle:vA}/assessment"
	for _, step := range []string{"/manual|unit_id={A1}&manual_party_building=12", "/manual|unit_id={A2}&manual_party_building=9", "/compute|"} {
		path, form, _ := strings.Cut(step, "|")
		if resp, body := f.do("role-organizer", "POST", base+path, form); resp.StatusCode != 303 {
			t.Fatalf("%s: %d\n%s", step, resp.StatusCode, excerpt(body))
		}
	}
	scores, err := f.st.Scores(ctx, c.ID, f.units["A1"].ID)
	if err != nil || len(scores) != 1 {
		t.Fatalf("A1's score: %v %v", scores, err)
	}
	final := fmt.Sprintf("%.2f", scores[0].Final)
	row := dashRowOf(t, dashTableRows(t, f.dashPage("role-supervisor", "/units/{A1}/dashboard", 200), "dash-history-table"), "2018年度述职评议")
	sameCells(t, "A1's final score and grade", row[7:], []string{final, scores[0].Grade})
	f.webUser("sup-a1", auth.Grant{Role: auth.Supervisor, UnitID: f.units["A1"].ID})
	row = dashRowOf(t, dashTableRows(t, f.dashPage("sup-a1", "/units/{A1}/dashboard", 200), "dash-history-table"), "2018年度述职评议")
	sameCells(t, "unpublished, for A1's supervisor", row[6:], []string{"—", "—", "—"})
	if body := f.dashPage("sup-a1", "/cycles/{cycle:vA}/dashboard", 200); !strings.Contains(body, "考核结果公布后显示。") {
		t.Error("A1's supervisor sees unpublished grades")
	}
	// The overview counts the grades of A's subtree.
	grades := dashTableRows(t, f.dashPage("role-organizer", "/cycles/{cycle:vA}/dashboard", 200), "dash-grades-table")
	all, _ := f.st.Scores(ctx, c.ID, 0)
	n := 0
	for _, r := range grades[1:] {
		k, _ := strconv.Atoi(r[1])
		n += k
	}
	if n != len(all) || len(all) != 2 {
		t.Errorf("grades %v count %d units, want %d", grades, n, len(all))
	}
	same := 0
	for _, x := range all {
		if x.Grade == scores[0].Grade {
			same++
		}
	}
	sameCells(t, "A1's grade", dashRowOf(t, grades, scores[0].Grade), ints(same))
}

// The year-over-year comparison of chosen units, and a unit outside the
// grants refused by name.
func TestDashboardCompare(t *testing.T) {
	f := dashFixture(t)
	body := f.dashPage("role-organizer", "/dashboard/compare?unit={A1}&unit={A2}", 200)
	findings := dashTableRows(t, body, "dash-cmp-findings-table")
	sameCells(t, "years", findings[0], []string{"单位", "2018"})
	sameCells(t, "A1", dashRowOf(t, findings, "城厢街道党工委"), ints(5))
	sameCells(t, "A2", dashRowOf(t, findings, "工区街道党工委"), ints(2))
	for _, id := range []string{"dash-cmp-ontime", "dash-cmp-findings", "dash-cmp-final"} {
		if !strings.Contains(body, `id="`+id+`" role="img"`) {
			t.Errorf("no chart %s", id)
		}
	}
	// The unit picker's choice is added to the ones already chosen.
	body = f.dashPage("role-organizer", "/dashboard/compare?unit={A1}&unit_id={A2}", 200)
	if len(dashTableRows(t, body, "dash-cmp-findings-table")) != 3 {
		t.Error("the picked unit was not added")
	}
	// B1 lies outside the organizer's grant: refused, naming the field;
	// the other two are still compared.
	resp, body := f.do("role-organizer", "GET", "/dashboard/compare?unit={A1}&unit={A2}&unit={B1}", "")
	cat := mustCatalog(t)
	msg := cat.Error("zh-CN", apperr.Field("unit", "err.no_such_unit", f.units["B1"].ID))
	if resp.StatusCode != 400 || !strings.Contains(body, html.EscapeString(msg)) || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("a unit outside the grant: %d, want 400 with %q\n%s", resp.StatusCode, msg, excerpt(body))
	}
	if strings.Contains(body, "游仙街道党工委") || len(dashTableRows(t, body, "dash-cmp-findings-table")) != 3 {
		t.Error("the refused unit is shown, or the others are not")
	}
	// No unit yet: the form alone.
	if body := f.dashPage("role-organizer", "/dashboard/compare", 200); !strings.Contains(body, "请先添加要对比的单位。") {
		t.Error("the empty comparison says nothing")
	}
}

// /dashboard opens the newest cycle, preferring the one run highest in
// the tree; without a cycle it says so.
func TestDashboardHome(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	resp, _ := f.do("role-organizer", "GET", "/dashboard", "")
	if got, want := resp.Header.Get("Location"), f.expand("/cycles/{cycle:pA}/dashboard"); resp.StatusCode != 303 || got != want {
		t.Fatalf("/dashboard: %d %s, want %s", resp.StatusCode, got, want)
	}
	// A 2021 cycle run by the root beats A's own of the same year.
	top, err := f.st.CreateCycle(ctx, audit.System, f.units["root"].ID, cycle.Draft{Year: 2021, Title: "2021年度全市述职评议"})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.do("admin", "GET", "/dashboard", ""); resp.Header.Get("Location") != "/cycles/"+strconv.FormatInt(top.ID, 10)+"/dashboard" {
		t.Fatalf("the admin's newest cycle: %s", resp.Header.Get("Location"))
	}
	// The overview of a cycle in planning: nothing yet, no error.
	body := f.dashPage("admin", "/cycles/"+strconv.FormatInt(top.ID, 10)+"/dashboard", 200)
	for _, note := range []string{"暂无述职报告。", "暂无整改事项。", "暂无问题。", "本次述职评议没有民主测评。", "暂无考核等次。"} {
		if !strings.Contains(body, note) {
			t.Errorf("the empty overview lacks %q", note)
		}
	}
	c, err := f.st.CreateUnit(ctx, audit.System, f.units["root"].ID, unit.Draft{Name: "市直机关工委", Kind: unit.Committee})
	if err != nil {
		t.Fatal(err)
	}
	f.webUser("sup-c", auth.Grant{Role: auth.Supervisor, UnitID: c.ID})
	if body := f.dashPage("sup-c", "/dashboard", 200); !strings.Contains(body, "还没有您可以查看统计的述职评议。") {
		t.Errorf("no cycle: %s", excerpt(body))
	}
}

// Bad ids and parameters are refused with 400 or 404, never a 500.
func TestDashboardBadInput(t *testing.T) {
	f := dashFixture(t)
	cases := []struct {
		path   string
		status int
	}{
		{"/cycles/abc/dashboard", 404},
		{"/cycles/0/dashboard", 404},
		{"/cycles/99999999/dashboard", 404},
		{"/cycles/{cycle:vA}/dashboard?unit=abc", 400},
		{"/cycles/{cycle:vA}/dashboard?unit=-3", 400},
		{"/cycles/{cycle:vA}/dashboard?unit=99999999", 404},
		{"/cycles/{cycle:vA}/dashboard?unit=99999999999999999999", 400},
		{"/cycles/{cycle:vA}/dashboard?unit={A}", 200},
		{"/units/abc/dashboard", 404},
		{"/units/99999999/dashboard", 404},
		{"/units/{A}/dashboard?cycle=x", 400},
		{"/units/{A}/dashboard?cycle=99999999", 404},
		{"/units/{A}/dashboard?cycle={cycle:vB}", 404},
		{"/units/{A}/dashboard?cycle=", 200},
		{"/dashboard/compare?unit=x", 400},
		{"/dashboard/compare?unit=99999999", 400},
		{"/dashboard/compare?unit=0", 400},
		{"/dashboard/compare?unit=%00", 400},
		{"/dashboard/compare?unit={A1}&unit={A1}", 200},
	}
	for _, tc := range cases {
		f.dashPage("role-organizer", tc.path, tc.status)
	}
	// Eleven units are one too many.
	var q []string
	for i := 0; i < maxCompare+1; i++ {
		u, err := f.st.CreateUnit(context.Background(), audit.System, f.units["A"].ID, unit.Draft{Name: "第" + strconv.Itoa(i) + "党支部", Kind: unit.Grassroots})
		if err != nil {
			t.Fatal(err)
		}
		q = append(q, "unit="+strconv.FormatInt(u.ID, 10))
	}
	body := f.dashPage("role-organizer", "/dashboard/compare?"+strings.Join(q, "&"), 400)
	if msg := mustCatalog(t).Error("zh-CN", apperr.Field("unit", "err.too_many", maxCompare)); !strings.Contains(body, msg) {
		t.Errorf("too many units: %s", excerpt(body))
	}
	if strings.Contains(f.logs.String(), "request failed") {
		t.Errorf("a server error was logged:\n%s", f.logs.String())
	}
}

// TestDashboardKeys checks that every catalog key the dashboards build in
// Go exists in both languages (the catalog test scans templates, and only
// err, flash and title keys in Go).
func TestDashboardKeys(t *testing.T) {
	cat := mustCatalog(t)
	src, err := os.ReadFile("dashboard.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`"(dash\.[a-z_]*[a-z])"`).FindAllStringSubmatch(string(src), -1)
	if len(keys) < 30 {
		t.Fatalf("found only %d keys", len(keys))
	}
	var all []string
	for _, k := range keys {
		all = append(all, k[1])
	}
	for _, k := range []string{"planning", "in_progress", "awaiting", "closed"} {
		all = append(all, "dash.col_"+k)
	}
	for _, k := range all {
		for _, loc := range []string{"zh-CN", "en"} {
			if v := cat.T(loc, k); v == k || v == "" {
				t.Errorf("%s has no %s text", k, loc)
			}
		}
	}
}
