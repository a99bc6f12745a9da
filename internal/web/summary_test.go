package web

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/user"
)

// summaryBook fetches the {id} cycle's workbook as who and opens it.
func (f *fixture) summaryBook(who string, c cycle.Cycle) *excelize.File {
	f.t.Helper()
	resp, body := f.do(who, "GET", "/cycles/"+strconv.FormatInt(c.ID, 10)+"/summary.xlsx", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		f.t.Fatalf("workbook for %s: %d %s", who, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		f.t.Fatalf("workbook for %s does not open: %v", who, err)
	}
	f.t.Cleanup(func() { x.Close() })
	return x
}

// sheetRows reads a sheet's rows, failing when it is missing.
func sheetRowsOf(t *testing.T, x *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v (sheets %v)", sheet, err, x.GetSheetList())
	}
	return rows
}

// The summary of the 2018 cycle of A, first under review with voting still
// open, then with a vote, a published comment, the appraisal closed and
// the assessment computed and published. The organizer sees every part;
// a leader of A1 sees A1's parts only: no appraisal results, A1's
// assessment row once published and not A2's. The workbook has the five
// sheets, titled in the reader's language.
func TestSummary(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.cycles["vA"]
	page := "/cycles/" + strconv.FormatInt(c.ID, 10) + "/summary"
	org := "role-organizer"
	u := f.raUser("leader-a1", auth.Grant{Role: auth.UnitLeader, UnitID: f.units["A1"].ID})
	var err error
	if f.cookie["leader-a1"], err = f.st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: u.Login}, ""); err != nil {
		t.Fatal(err)
	}
	get := func(who string) string {
		t.Helper()
		resp, body := f.do(who, "GET", page, "")
		if resp.StatusCode != 200 {
			t.Fatalf("summary for %s: %d %s", who, resp.StatusCode, excerpt(body))
		}
		return body
	}
	expect := func(who, body string, has, hasNot []string) {
		t.Helper()
		for _, s := range has {
			if !strings.Contains(body, s) {
				t.Errorf("%s's summary lacks %q", who, s)
			}
		}
		for _, s := range hasNot {
			if strings.Contains(body, s) {
				t.Errorf("%s's summary shows %q", who, s)
			}
		}
	}

	// Under review, voting open: the reason instead of results, no comment
	// yet, the fixture's four supervision findings, no assessment.
	body := get(org)
	expect(org, body, []string{"2018年度述职评议", "情况汇总", "中共涪城区委", "评议", `class="summary"`, "城厢街道党工委", "工区街道党工委",
		`id="results"`, "民主测评尚未结束投票", "尚无已发布的点评", "督导检查", "基层组织建设", "整改统计", `id="assessment"`, "尚未计算得分",
		`data-print`, "/summary.xlsx", "print.js"}, nil)
	x := f.summaryBook(org, c)
	want := []string{"民主测评结果", "点评", "问题", "整改台账", "考核"}
	if got := x.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	if rows := sheetRowsOf(t, x, "民主测评结果"); len(rows) != 1 || !strings.Contains(rows[0][0], "尚未结束投票") {
		t.Errorf("results sheet while voting: %v", rows)
	}
	if rows := sheetRowsOf(t, x, "考核"); len(rows) != 1 || rows[0][0] != "尚未计算得分。" {
		t.Errorf("assessment sheet before computing: %v", rows)
	}

	// A vote, the chair's comment on A1 published (its problem becomes a
	// finding), voting closed, then the assessment computed and published.
	if resp, body := f.do("role-participant", "POST", "/appraisals/{appraisal:A}/ballot",
		"submission=s1&grade_{report:vA}=1&grade_{report:v2A}=3"); resp.StatusCode != 303 {
		t.Fatalf("vote: %d %s", resp.StatusCode, excerpt(body))
	}
	if resp, body := f.do(org, "POST", "/reports/{report:vA}/comment/publish",
		"version=0&affirmations=工作扎实有成效&problem_text_0=基层党建有短板&problem_severity_0=major&requirements=限期整改到位"); resp.StatusCode != 303 {
		t.Fatalf("publish the comment: %d %s", resp.StatusCode, excerpt(body))
	}
	a := f.appraisals["A"]
	cur, _ := f.st.Appraisal(ctx, a.ID)
	if _, err := f.st.MoveAppraisal(ctx, audit.System, a.ID, cur.Version, appraisal.Closed); err != nil {
		t.Fatal(err)
	}
	body = get(org)
	expect(org, body, []string{"工作扎实有成效", "基层党建有短板", "限期整改到位", "主持人点评", "100.00", "60.00"},
		[]string{"民主测评尚未结束投票", "尚无已发布的点评"})

	if body := get("leader-a1"); true {
		expect("leader-a1", body, []string{"城厢街道党工委", "工作扎实有成效", "督导检查", "整改统计"},
			[]string{`id="results"`, "民主测评结果", "工区街道党工委", "100.00", `id="assessment"`})
	}
	for _, to := range []cycle.Status{cycle.Rectifying, cycle.Assessing} {
		cc, _ := f.st.Cycle(ctx, c.ID)
		if _, err := f.st.AdvanceCycle(ctx, audit.System, c.ID, cc.Version, to); err != nil {
			t.Fatal(err)
		}
	}
	base := "/cycles/" + strconv.FormatInt(c.ID, 10) + "/assessment"
	if resp, body := f.do(org, "POST", base+"/manual", "unit_id={A1}&manual_party_building=12"); resp.StatusCode != 303 {
		t.Fatalf("manual score: %d %s", resp.StatusCode, excerpt(body))
	}
	if resp, body := f.do(org, "POST", base+"/compute", ""); resp.StatusCode != 303 {
		t.Fatalf("compute: %d %s", resp.StatusCode, excerpt(body))
	}
	// Computed, not published: the organizer sees both units' scores, the
	// leader nothing of the assessment yet.
	expect(org, get(org), []string{`id="assessment"`, "已计算", "summary-assessment"}, []string{"尚未计算得分"})
	expect("leader-a1", get("leader-a1"), nil, []string{`id="assessment"`})
	if rows := sheetRowsOf(t, f.summaryBook("leader-a1", c), "考核"); len(rows) != 1 || rows[0][0] != "暂无，或您无权查看。" {
		t.Errorf("the leader's assessment sheet before publication: %v", rows)
	}
	as, _ := f.st.Assessment(ctx, c.ID)
	if resp, body := f.do(org, "POST", base+"/publish", "version="+strconv.FormatInt(as.Version, 10)); resp.StatusCode != 303 {
		t.Fatalf("publish: %d %s", resp.StatusCode, excerpt(body))
	}
	body = get("leader-a1")
	expect("leader-a1", body, []string{`id="assessment"`, "summary-assessment", "城厢街道党工委"},
		[]string{"工区街道党工委", `id="results"`})

	// The organizer's workbook: a title row and a row per report, comment,
	// finding (four of the fixture and the comment's), item and unit.
	x = f.summaryBook(org, c)
	for _, s := range []struct {
		sheet string
		rows  int
		head  string
	}{
		{"民主测评结果", 3, "得分"},
		{"点评", 2, "指出问题"},
		{"问题", 6, "来源"},
		{"整改台账", 6, "整改措施"},
		{"考核", 3, "最终得分"},
	} {
		rows := sheetRowsOf(t, x, s.sheet)
		if len(rows) != s.rows || !slices.Contains(rows[0], s.head) {
			t.Errorf("sheet %s: %d rows, title row %v; want %d rows and %q", s.sheet, len(rows), rows[0], s.rows, s.head)
		}
	}
	if rows := sheetRowsOf(t, x, "点评"); len(rows) > 1 && (rows[1][1] != "城厢街道党工委" || !strings.Contains(rows[1][4], "基层党建有短板")) {
		t.Errorf("comment row: %v", rows[1])
	}
	// The leader's: no results, A1's items and assessment only.
	x = f.summaryBook("leader-a1", c)
	if rows := sheetRowsOf(t, x, "民主测评结果"); len(rows) != 1 || rows[0][0] != "暂无，或您无权查看。" {
		t.Errorf("the leader's results sheet: %v", rows)
	}
	if rows := sheetRowsOf(t, x, "考核"); len(rows) != 2 || rows[1][0] != "城厢街道党工委" {
		t.Errorf("the leader's assessment sheet: %v", rows)
	}
	if rows := sheetRowsOf(t, x, "问题"); len(rows) != 6 {
		t.Errorf("the leader's findings sheet (all on A1): %d rows", len(rows))
	}

	// Sheets titled in English for a reader who reads English.
	en, err := f.st.CreateUser(ctx, audit.System, user.Draft{Login: "org-en", Name: "Organizer", Locale: "en"}, testHash(),
		[]auth.Grant{{Role: auth.Organizer, UnitID: f.units["A"].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if f.cookie["org-en"], err = f.st.CreateSession(ctx, audit.Actor{UserID: en.ID, Login: en.Login}, ""); err != nil {
		t.Fatal(err)
	}
	want = []string{"Appraisal results", "Comments", "Findings", "Ledger", "Assessment"}
	if got := f.summaryBook("org-en", c).GetSheetList(); !slices.Equal(got, want) {
		t.Errorf("English sheets %v, want %v", got, want)
	}
	expect("org-en", get("org-en"), []string{"Print / save as PDF", "Appraisal results", "Rectification figures"}, nil)
}

// A bad or invisible cycle gets a clear answer, never a 500.
func TestSummaryBadInput(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		who, path string
		status    int
	}{
		{"role-organizer", "/cycles/abc/summary", 404},
		{"role-organizer", "/cycles/abc/summary.xlsx", 404},
		{"role-organizer", "/cycles/999999/summary", 404},
		{"role-organizer", "/cycles/999999/summary.xlsx", 404},
		{"role-organizer", "/cycles/{cycle:vB}/summary", 404},
		{"member-a", "/cycles/{cycle:vB}/summary.xlsx", 404},
		{"", "/cycles/{cycle:vA}/summary", 303},
	} {
		if resp, body := f.do(tc.who, "GET", tc.path, ""); resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d %s", tc.who, tc.path, resp.StatusCode, tc.status, excerpt(body))
		}
	}
}
