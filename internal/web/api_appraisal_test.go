package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/comment"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/report"
	"zeren/internal/store"
)

// aprCall sends an API request, checks the status and decodes the answer
// into out (if not nil).
func (f *fixture) aprCall(who, method, path, body string, status int, out any) string {
	f.t.Helper()
	resp, b := f.do(who, method, path, body)
	if resp.StatusCode != status {
		f.t.Fatalf("%s %s as %q: status %d, want %d\n%s", method, path, who, resp.StatusCode, status, b)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(b), out); err != nil {
			f.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return b
}

// aprError is an API error body.
type aprError struct {
	Error struct {
		Code, Message, Field string
	}
}

// aprReviewingCycle makes a cycle of the side, for the year, under review
// with its two reports (the side's sub-units 1 and 2, in that order)
// handed in, and no appraisal yet.
func (f *fixture) aprReviewingCycle(side string, year int) (cycle.Cycle, []report.Report) {
	t, st, ctx, by := f.t, f.st, context.Background(), audit.System
	c, err := st.CreateCycle(ctx, by, f.units[side].ID, cycle.Draft{Year: year, Title: fmt.Sprintf("%d年度述职评议", year)})
	if err != nil {
		t.Fatal(err)
	}
	parts := []cycle.Participant{{UnitID: f.units[side+"1"].ID, Mode: cycle.OnTheSpot}, {UnitID: f.units[side+"2"].ID, Mode: cycle.Written}}
	if err := st.SetParticipants(ctx, by, c.ID, c.Version, parts); err != nil {
		t.Fatal(err)
	}
	c = mustCycle(t, st, c.ID)
	if c, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	reports, _ := st.CycleReports(ctx, c.ID, []string{f.units[side].Path})
	for _, r := range reports {
		if _, err := st.MoveReport(ctx, by, r.ID, r.Version, report.Submit, ""); err != nil {
			t.Fatal(err)
		}
	}
	if c, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reviewing); err != nil {
		t.Fatal(err)
	}
	reports, _ = st.CycleReports(ctx, c.ID, []string{f.units[side].Path})
	if len(reports) != 2 {
		t.Fatalf("%d reports", len(reports))
	}
	return c, reports
}

// aprReports returns the reports of the side's cycle under review (the
// fixture's open appraisal), in agenda order.
func (f *fixture) aprReports(side string) []report.Report {
	reports, err := f.st.CycleReports(context.Background(), f.cycles["v"+side].ID, []string{f.units[side].Path})
	if err != nil || len(reports) != 2 {
		f.t.Fatalf("reports of v%s: %v %d", side, err, len(reports))
	}
	return reports
}

// aprVotes counts the voter marks of an appraisal, group by group: what a
// refused vote must leave as it was.
func (f *fixture) aprVotes(id int64) string {
	ctx := context.Background()
	a, err := f.st.Appraisal(ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	ts, err := f.st.Turnout(ctx, a)
	if err != nil {
		f.t.Fatal(err)
	}
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%s:%d/%d;", t.Group.Name, t.Voted, t.Eligible)
	}
	return b.String() + string(a.Status)
}

type aprAppraisal struct {
	appraisal.Appraisal
	Turnout []appraisal.Turnout `json:"turnout"`
	Voters  []appraisal.Voter   `json:"voters"`
}

type aprBallot struct {
	Status     appraisal.Status  `json:"status"`
	Scale      []appraisal.Grade `json:"scale"`
	AreaGrades bool              `json:"area_grades"`
	Areas      []cycle.Area      `json:"areas"`
	Reports    []struct {
		ID       int64  `json:"id"`
		UnitName string `json:"unit_name"`
	} `json:"reports"`
	Voted bool `json:"voted"`
}

type aprResults struct {
	Appraisal appraisal.Appraisal `json:"appraisal"`
	Areas     []cycle.Area        `json:"areas"`
	Results   []struct {
		appraisal.Result
		UnitName string `json:"unit_name"`
	} `json:"results"`
}

// The whole appraisal through the API: set up, invite, make codes, open,
// vote by account and by code (a retry counts once), close, read results.
func TestAPIAppraisalScenario(t *testing.T) {
	f := newFixture(t)
	c, reports := f.aprReviewingCycle("A", 2017)
	r1, r2 := reports[0].ID, reports[1].ID
	cyclePath := fmt.Sprintf("/api/v1/cycles/%d/appraisal", c.ID)

	// Set up: only an organizer of the cycle's unit may.
	setup := `{"scale": [{"label": "好", "value": 100}, {"label": "较好", "value": 80}, {"label": "一般", "value": 60}, {"label": "差", "value": 0}],
		"area_grades": false, "min_ballots": 2, "groups": [{"name": "市领导", "weight": 60}, {"name": "基层代表", "weight": 40}]}`
	f.aprCall("role-supervisor", "POST", cyclePath, setup, 403, nil)
	f.aprCall("member-b", "POST", cyclePath, setup, 404, nil)
	var a aprAppraisal
	f.aprCall("role-organizer", "POST", cyclePath, setup, 201, &a)
	if a.Status != appraisal.Setup || len(a.Scale) != 4 || a.Scale[1].Label != "较好" || a.MinBallots != 2 || len(a.Groups) != 2 || a.Version != 1 {
		t.Fatalf("created %+v", a)
	}
	f.aprCall("role-organizer", "POST", cyclePath, setup, 409, nil) // one per cycle
	id := a.ID
	base := fmt.Sprintf("/api/v1/appraisals/%d", id)
	g1, g2 := a.Groups[0].ID, a.Groups[1].ID

	// Area grades on, groups renamed and kept by id.
	patch := fmt.Sprintf(`{"version": 1, "area_grades": true, "groups": [{"id": %d, "name": "市级领导", "weight": 60}, {"id": %d, "name": "基层代表", "weight": 40}]}`, g1, g2)
	f.aprCall("role-leader", "PATCH", base, patch, 403, nil)
	f.aprCall("role-organizer", "PATCH", base, patch, 200, &a)
	if !a.AreaGrades || a.Groups[0].ID != g1 || a.Groups[0].Name != "市级领导" || a.Groups[1].ID != g2 || a.Version != 2 || a.MinBallots != 2 {
		t.Fatalf("patched %+v", a)
	}
	f.aprCall("role-organizer", "PATCH", base, patch, 409, nil) // stale version

	// Voters: by login, and by role in a subtree.
	var added struct{ Added int }
	f.aprCall("role-organizer", "POST", base+"/voters", fmt.Sprintf(`{"group_id": %d, "logins": ["role-participant", "role-observer"]}`, g1), 200, &added)
	if added.Added != 2 {
		t.Fatalf("added %d by login", added.Added)
	}
	f.aprCall("role-organizer", "POST", base+"/voters", fmt.Sprintf(`{"group_id": %d, "role": "leader", "unit_id": {A}}`, g1), 200, &added)
	if added.Added != 2 { // leadera, role-leader
		t.Fatalf("added %d by role", added.Added)
	}
	// Codes for the grassroots delegates, shown once.
	var codes struct{ Codes []appraisal.Code }
	f.aprCall("role-organizer", "POST", base+"/codes", fmt.Sprintf(`{"group_id": %d, "count": 3}`, g2), 201, &codes)
	if len(codes.Codes) != 3 || appraisal.NormalizeCode(codes.Codes[0].Code) != codes.Codes[0].Code || codes.Codes[0].GroupID != g2 {
		t.Fatalf("codes %+v", codes)
	}

	// The turnout is for result readers; the voters for organizers.
	f.aprCall("role-supervisor", "GET", base, "", 200, &a)
	if len(a.Turnout) != 2 || a.Turnout[0].Eligible != 4 || a.Turnout[1].Eligible != 3 || a.Voters != nil {
		t.Fatalf("supervisor sees %+v", a)
	}
	a = aprAppraisal{}
	f.aprCall("role-leader", "GET", base, "", 200, &a)
	if a.Turnout != nil || a.Voters != nil || a.ID != id {
		t.Fatalf("leader sees %+v", a)
	}
	f.aprCall("role-organizer", "GET", base, "", 200, &a)
	if len(a.Voters) != 4 {
		t.Fatalf("organizer sees voters %+v", a.Voters)
	}
	f.aprCall("member-b", "GET", base, "", 404, nil)

	ballot := func(g1, g2 int) string {
		return fmt.Sprintf(`[{"report_id": %d, "grade": %d, "comment": "  好  "}, {"report_id": %d, "grade": %d}]`, r1, g1, r2, g2)
	}
	// Not yet open.
	f.aprCall("role-participant", "POST", base+"/ballots", `{"ballots": `+ballot(1, 1)+`}`, 409, nil)
	f.aprCall("", "POST", "/api/v1/vote", `{"code": "`+codes.Codes[0].Code+`", "ballots": `+ballot(1, 1)+`}`, 409, nil)

	var moved aprAppraisal
	f.aprCall("role-supervisor", "POST", base+"/open", `{"version": 2}`, 403, nil)
	f.aprCall("role-organizer", "POST", base+"/open", `{"version": 2}`, 200, &moved)
	if moved.Status != appraisal.Open || moved.OpenedAt == nil || moved.Version != 3 {
		t.Fatalf("opened %+v", moved)
	}
	f.aprCall("role-organizer", "PATCH", base, `{"version": 3, "min_ballots": 1}`, 409, nil) // the setup is fixed once open

	// The ballot of an invited user, whatever their grants.
	var b aprBallot
	f.aprCall("role-participant", "GET", base+"/ballot", "", 200, &b)
	if b.Status != appraisal.Open || b.Voted || len(b.Reports) != 2 || b.Reports[0].ID != r1 || b.Reports[0].UnitName != "城厢街道党工委" ||
		b.Reports[1].ID != r2 || !b.AreaGrades || len(b.Areas) == 0 || len(b.Scale) != 4 {
		t.Fatalf("ballot %+v", b)
	}
	area := b.Areas[0].ID
	f.aprCall("admin", "GET", base+"/ballot", "", 403, nil)    // sees the cycle, not invited
	f.aprCall("member-b", "GET", base+"/ballot", "", 404, nil) // neither
	f.aprCall("admin", "POST", base+"/ballots", `{"ballots": `+ballot(1, 1)+`}`, 403, nil)

	// Votes by account; a retry of the same submission counts once.
	vote := `{"submission": "s-1", "ballots": [{"report_id": ` + fmt.Sprint(r1) + `, "grade": 1, "area_grades": {"` + fmt.Sprint(area) + `": 2}}, {"report_id": ` + fmt.Sprint(r2) + `, "grade": 2}]}`
	if got := f.aprCall("role-participant", "POST", base+"/ballots", vote, 201, nil); strings.TrimSpace(got) != `{"recorded":true}` {
		t.Fatalf("vote answered %s", got)
	}
	if got := f.aprCall("role-participant", "POST", base+"/ballots", vote, 200, nil); strings.TrimSpace(got) != `{"recorded":false}` {
		t.Fatalf("retry answered %s", got)
	}
	f.aprCall("role-participant", "POST", base+"/ballots", strings.Replace(vote, "s-1", "s-2", 1), 409, nil)
	f.aprCall("role-participant", "GET", base+"/ballot", "", 200, &b)
	if !b.Voted {
		t.Fatal("ballot does not say the vote was cast")
	}
	f.aprCall("role-observer", "POST", base+"/ballots", `{"ballots": `+ballot(1, 1)+`}`, 201, nil)

	// Votes by code, without a token; a spent code is refused.
	f.aprCall("", "POST", "/api/v1/vote", `{"code": "`+strings.ToLower(codes.Codes[0].Code)+`", "submission": "k-1", "ballots": `+ballot(2, 3)+`}`, 201, nil)
	f.aprCall("", "POST", "/api/v1/vote", `{"code": "`+codes.Codes[0].Code+`", "submission": "k-1", "ballots": `+ballot(2, 3)+`}`, 200, nil)
	var e aprError
	f.aprCall("", "POST", "/api/v1/vote", `{"code": "`+codes.Codes[0].Code+`", "submission": "k-2", "ballots": `+ballot(1, 1)+`}`, 400, &e)
	if e.Error.Field != "code" {
		t.Fatalf("spent code: %+v", e)
	}
	f.aprCall("", "POST", "/api/v1/vote", `{"code": "`+codes.Codes[1].Code+`", "ballots": `+ballot(0, 0)+`}`, 201, nil)

	f.aprCall("role-organizer", "GET", base+"/results", "", 409, nil) // not before closing
	f.aprCall("role-organizer", "GET", base, "", 200, &a)
	if a.Turnout[0].Voted != 2 || a.Turnout[1].Voted != 2 {
		t.Fatalf("turnout %+v", a.Turnout)
	}
	f.aprCall("role-organizer", "POST", base+"/close", fmt.Sprintf(`{"version": %d}`, a.Version), 200, &moved)
	if moved.Status != appraisal.Closed || moved.ClosedAt == nil {
		t.Fatalf("closed %+v", moved)
	}
	f.aprCall("", "POST", "/api/v1/vote", `{"code": "`+codes.Codes[2].Code+`", "ballots": `+ballot(1, 1)+`}`, 409, nil)
	f.aprCall("leadera", "POST", base+"/ballots", `{"ballots": `+ballot(1, 1)+`}`, 409, nil)

	// Results: report 1 has 好, 好 from the city leaders, 较好 and "don't
	// know" from the delegates; report 2 较好, 好 and 一般, "don't know".
	f.aprCall("role-leader", "GET", base+"/results", "", 403, nil)
	f.aprCall("member-b", "GET", base+"/results", "", 404, nil)
	var res aprResults
	f.aprCall("role-supervisor", "GET", base+"/results", "", 200, &res)
	if res.Appraisal.ID != id || len(res.Results) != 2 || len(res.Areas) == 0 {
		t.Fatalf("results %+v", res)
	}
	x, y := res.Results[0], res.Results[1]
	if x.ReportID != r1 || x.UnitName != "城厢街道党工委" || y.ReportID != r2 || y.UnitName != "工区街道党工委" {
		t.Fatalf("results not in agenda order: %+v", res.Results)
	}
	if fmt.Sprint(x.Counts) != "[1 2 1 0 0]" || x.Ballots != 4 || x.Valid != 3 || x.Score == nil || *x.Score != 92 || x.Rank != 1 {
		t.Fatalf("report 1: %+v", x.Result)
	}
	if fmt.Sprint(y.Counts) != "[1 1 1 1 0]" || y.Ballots != 4 || y.Valid != 3 || y.Score == nil || *y.Score != 78 || y.Rank != 2 {
		t.Fatalf("report 2: %+v", y.Result)
	}
	if len(x.Comments) != 3 || x.Comments[0] != "好" {
		t.Fatalf("comments %q", x.Comments)
	}
	if len(x.Areas) == 0 || x.Areas[0].AreaID != area || x.Areas[0].Score == nil || *x.Areas[0].Score != 80 {
		t.Fatalf("area results %+v", x.Areas)
	}

	// The audit trail says who voted, never how.
	events, err := f.st.AuditEvents(context.Background(), store.AuditFilter{Scopes: []string{f.units["root"].Path}, Unscoped: true, Action: "appraisal.vote", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	votes := 0
	for _, ev := range events {
		if ev.Action != "appraisal.vote" { // the prefix also selects appraisal.voters_add
			continue
		}
		votes++
		if s := string(ev.Before) + string(ev.After); strings.Contains(s, "grade") || strings.Contains(s, "report") {
			t.Fatalf("vote event tells how: %s", s)
		}
	}
	if votes != 4 {
		t.Fatalf("%d vote events", votes)
	}
}

// An appraisal created with groups only gets the default scale and minimum.
func TestAPIAppraisalDefaults(t *testing.T) {
	f := newFixture(t)
	c, _ := f.aprReviewingCycle("B", 2017)
	var a aprAppraisal
	f.aprCall("admin", "POST", fmt.Sprintf("/api/v1/cycles/%d/appraisal", c.ID), `{"groups": [{"name": "全体", "weight": 100}]}`, 201, &a)
	if len(a.Scale) != 4 || a.Scale[0].Key != "good" || a.Scale[0].Value != 100 || a.Scale[3].Value != 0 || a.MinBallots != 8 || a.AreaGrades {
		t.Fatalf("defaults %+v", a)
	}
}

// Bad input is refused with the right status and field, and records nothing.
func TestAPIAppraisalBadInput(t *testing.T) {
	// Each case runs on a fresh fixture against A's open appraisal.
	type tc struct {
		name, who    string
		method, path string
		status       int
		field        string
		prepare      func(f *fixture) // before the snapshot
	}
	ballots := func(f *fixture, g1, g2 int) string {
		rs := f.aprReports("A")
		return fmt.Sprintf(`[{"report_id": %d, "grade": %d}, {"report_id": %d, "grade": %d}]`, rs[0].ID, g1, rs[1].ID, g2)
	}
	code := func(c string, f *fixture, g1, g2 int) string {
		return `{"code": "` + c + `", "ballots": ` + ballots(f, g1, g2) + `}`
	}
	closeA := func(f *fixture) {
		a := f.appraisals["A"]
		if _, err := f.st.MoveAppraisal(context.Background(), audit.System, a.ID, a.Version, appraisal.Closed); err != nil {
			f.t.Fatal(err)
		}
	}
	cases := []struct {
		tc
		body func(f *fixture) string
	}{
		{tc: tc{name: "unknown code", method: "POST", path: "/api/v1/vote", status: 400, field: "code"},
			body: func(f *fixture) string { return code("ABCD-EFGH-JKLM", f, 1, 1) }},
		{tc: tc{name: "malformed code", method: "POST", path: "/api/v1/vote", status: 400, field: "code"},
			body: func(f *fixture) string { return code("ABC-1", f, 1, 1) }},
		{tc: tc{name: "no code", method: "POST", path: "/api/v1/vote", status: 400, field: "code"},
			body: func(f *fixture) string { return `{"ballots": ` + ballots(f, 1, 1) + `}` }},
		{tc: tc{name: "spent code", method: "POST", path: "/api/v1/vote", status: 400, field: "code",
			prepare: func(f *fixture) { f.aprCall("", "POST", "/api/v1/vote", code("{code:A}", f, 1, 2), 201, nil) }},
			body: func(f *fixture) string { return code("{code:A}", f, 2, 2) }},
		{tc: tc{name: "vote by code after close", method: "POST", path: "/api/v1/vote", status: 409, prepare: closeA},
			body: func(f *fixture) string { return code("{code:A}", f, 1, 1) }},
		{tc: tc{name: "vote by account after close", who: "role-observer", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/ballots", status: 409, prepare: closeA},
			body: func(f *fixture) string { return `{"ballots": ` + ballots(f, 1, 1) + `}` }},
		{tc: tc{name: "grade above the scale", method: "POST", path: "/api/v1/vote", status: 400, field: "ballots"},
			body: func(f *fixture) string { return code("{code:A}", f, 1, 5) }},
		{tc: tc{name: "grade below the scale", who: "role-observer", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/ballots", status: 400, field: "ballots"},
			body: func(f *fixture) string { return `{"ballots": ` + ballots(f, -1, 1) + `}` }},
		{tc: tc{name: "report of another cycle", method: "POST", path: "/api/v1/vote", status: 400, field: "ballots"},
			body: func(f *fixture) string {
				return strings.Replace(code("{code:A}", f, 1, 1), fmt.Sprint(f.aprReports("A")[1].ID), "{report:vB}", 1)
			}},
		{tc: tc{name: "report of another cycle of the unit", who: "role-participant", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/ballots", status: 400, field: "ballots"},
			body: func(f *fixture) string {
				return strings.Replace(`{"ballots": `+ballots(f, 1, 1)+`}`, fmt.Sprint(f.aprReports("A")[1].ID), "{report:sA}", 1)
			}},
		{tc: tc{name: "a report missing", method: "POST", path: "/api/v1/vote", status: 400, field: "ballots"},
			body: func(f *fixture) string {
				return `{"code": "{code:A}", "ballots": [{"report_id": {report:vA}, "grade": 1}]}`
			}},
		{tc: tc{name: "a report twice", method: "POST", path: "/api/v1/vote", status: 400, field: "ballots"},
			body: func(f *fixture) string {
				return `{"code": "{code:A}", "ballots": [{"report_id": {report:vA}, "grade": 1}, {"report_id": {report:vA}, "grade": 2}]}`
			}},
		{tc: tc{name: "no ballots", method: "POST", path: "/api/v1/vote", status: 400, field: "ballots"},
			body: func(f *fixture) string { return `{"code": "{code:A}", "ballots": []}` }},
		{tc: tc{name: "area grades while off", method: "POST", path: "/api/v1/vote", status: 400, field: "ballots"},
			body: func(f *fixture) string {
				return strings.Replace(code("{code:A}", f, 1, 1), `"grade": 1}`, `"grade": 1, "area_grades": {"{area:vA}": 1}}`, 1)
			}},
		{tc: tc{name: "area key not a number", method: "POST", path: "/api/v1/vote", status: 400, field: "ballots.area_grades"},
			body: func(f *fixture) string {
				return strings.Replace(code("{code:A}", f, 1, 1), `"grade": 1}`, `"grade": 1, "area_grades": {"x": 1}}`, 1)
			}},
		{tc: tc{name: "grade not a number", method: "POST", path: "/api/v1/vote", status: 400, field: "ballots.grade"},
			body: func(f *fixture) string {
				return strings.Replace(code("{code:A}", f, 1, 1), `"grade": 1}`, `"grade": "好"}`, 1)
			}},
		{tc: tc{name: "unknown field", method: "POST", path: "/api/v1/vote", status: 400, field: "voter"},
			body: func(f *fixture) string {
				return strings.Replace(code("{code:A}", f, 1, 1), `{"code"`, `{"voter": 1, "code"`, 1)
			}},
		{tc: tc{name: "code sent with a token", who: "role-observer", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/ballots", status: 400, field: "code"},
			body: func(f *fixture) string { return code("{code:A}", f, 1, 1) }},
		{tc: tc{name: "not invited", who: "observer", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/ballots", status: 403},
			body: func(f *fixture) string { return `{"ballots": ` + ballots(f, 1, 1) + `}` }},
		{tc: tc{name: "not invited nor reader", who: "member-b", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/ballots", status: 404},
			body: func(f *fixture) string { return `{"ballots": ` + ballots(f, 1, 1) + `}` }},
		{tc: tc{name: "vote twice", who: "role-observer", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/ballots", status: 409,
			prepare: func(f *fixture) {
				f.aprCall("role-observer", "POST", "/api/v1/appraisals/{appraisal:A}/ballots", `{"submission": "x", "ballots": `+ballots(f, 1, 1)+`}`, 201, nil)
			}},
			body: func(f *fixture) string { return `{"submission": "y", "ballots": ` + ballots(f, 2, 2) + `}` }},
		{tc: tc{name: "stale version on close", who: "role-organizer", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/close", status: 409},
			body: func(f *fixture) string { return `{"version": 1}` }},
		{tc: tc{name: "close without version", who: "role-organizer", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/close", status: 400, field: "version"},
			body: func(f *fixture) string { return `{}` }},
		{tc: tc{name: "codes: none", who: "role-organizer", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/codes", status: 400, field: "count"},
			body: func(f *fixture) string { return `{"group_id": {group:A}, "count": 0}` }},
		{tc: tc{name: "codes: too many", who: "role-organizer", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/codes", status: 400, field: "count"},
			body: func(f *fixture) string { return `{"group_id": {group:A}, "count": 1001}` }},
		{tc: tc{name: "codes: group of another appraisal", who: "admin", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/codes", status: 400, field: "group_id"},
			body: func(f *fixture) string { return `{"group_id": {group:B}, "count": 1}` }},
		{tc: tc{name: "codes: unit outside the cycle", who: "admin", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/codes", status: 400, field: "unit_id"},
			body: func(f *fixture) string { return `{"group_id": {group:A}, "count": 1, "unit_id": {B1}}` }},
		{tc: tc{name: "voters: unit outside the cycle", who: "admin", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/voters", status: 400, field: "unit_id"},
			body: func(f *fixture) string { return `{"group_id": {group:A}, "role": "staff", "unit_id": {B}}` }},
		{tc: tc{name: "voters: unit that does not exist", who: "admin", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/voters", status: 400, field: "unit_id"},
			body: func(f *fixture) string { return `{"group_id": {group:A}, "role": "staff", "unit_id": 999999}` }},
		{tc: tc{name: "voters: unknown role", who: "admin", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/voters", status: 400, field: "role"},
			body: func(f *fixture) string { return `{"group_id": {group:A}, "role": "boss"}` }},
		{tc: tc{name: "voters: unknown login", who: "admin", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/voters", status: 400, field: "logins"},
			body: func(f *fixture) string { return `{"group_id": {group:A}, "logins": ["member-a", "ghost"]}` }},
		{tc: tc{name: "voters: nobody", who: "admin", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/voters", status: 400, field: "logins"},
			body: func(f *fixture) string { return `{"group_id": {group:A}}` }},
		{tc: tc{name: "voters: no group", who: "admin", method: "POST", path: "/api/v1/appraisals/{appraisal:A}/voters", status: 400, field: "group_id"},
			body: func(f *fixture) string { return `{"logins": ["member-a"]}` }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if c.prepare != nil {
				c.prepare(f)
			}
			before := f.aprVotes(f.appraisals["A"].ID)
			voters, _ := f.st.Voters(context.Background(), f.appraisals["A"].ID)
			var e aprError
			resp, body := f.do(c.who, c.method, c.path, c.body(f))
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, c.status, body)
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Field != c.field || e.Error.Message == "" {
				t.Fatalf("want field %q: %s", c.field, body)
			}
			if after := f.aprVotes(f.appraisals["A"].ID); after != before {
				t.Fatalf("refused input changed the votes: %s → %s", before, after)
			}
			if after, _ := f.st.Voters(context.Background(), f.appraisals["A"].ID); len(after) != len(voters) {
				t.Fatalf("refused input changed the voters: %d → %d", len(voters), len(after))
			}
		})
	}
}

// A bad setup is refused, naming the field, and creates or changes nothing.
func TestAPIAppraisalBadSetup(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"weights not summing to 100", `{"groups": [{"name": "市领导", "weight": 60}, {"name": "基层代表", "weight": 30}]}`, 400, "groups"},
		{"no groups", `{"scale": [{"label": "好", "value": 100}, {"label": "差", "value": 0}]}`, 400, "groups"},
		{"group twice", `{"groups": [{"name": "代表", "weight": 50}, {"name": "代表", "weight": 50}]}`, 400, "groups"},
		{"negative weight", `{"groups": [{"name": "甲", "weight": 120}, {"name": "乙", "weight": -20}]}`, 400, "groups"},
		{"one grade", `{"scale": [{"label": "好", "value": 100}], "groups": [{"name": "全体", "weight": 100}]}`, 400, "scale"},
		{"grade without label", `{"scale": [{"value": 100}, {"label": "差", "value": 0}], "groups": [{"name": "全体", "weight": 100}]}`, 400, "scale"},
		{"grade value above 100", `{"scale": [{"label": "好", "value": 101}, {"label": "差", "value": 0}], "groups": [{"name": "全体", "weight": 100}]}`, 400, "scale"},
		{"minimum of ballots 0", `{"min_ballots": 0, "groups": [{"name": "全体", "weight": 100}]}`, 400, "min_ballots"},
		{"minimum not a number", `{"min_ballots": "八", "groups": [{"name": "全体", "weight": 100}]}`, 400, "min_ballots"},
		{"unknown field", `{"window": 3, "groups": [{"name": "全体", "weight": 100}]}`, 400, "window"},
		{"not JSON", `{"groups": [`, 400, "body"},
		{"empty body", ``, 400, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var e aprError
			f.aprCall("admin", "POST", "/api/v1/cycles/{cycle:pA}/appraisal", tc.body, tc.status, &e)
			if e.Error.Field != tc.field {
				t.Fatalf("field %q, want %q", e.Error.Field, tc.field)
			}
			if _, err := f.st.CycleAppraisal(context.Background(), f.cycles["pA"].ID); err == nil {
				t.Fatal("a refused setup created an appraisal")
			}
		})
	}
	// The same checks on a change, which leaves the setup as it was.
	f := newFixture(t)
	c, _ := f.aprReviewingCycle("A", 2017)
	var a aprAppraisal
	f.aprCall("admin", "POST", fmt.Sprintf("/api/v1/cycles/%d/appraisal", c.ID), `{"groups": [{"name": "全体", "weight": 100}]}`, 201, &a)
	path := fmt.Sprintf("/api/v1/appraisals/%d", a.ID)
	var e aprError
	f.aprCall("admin", "PATCH", path, fmt.Sprintf(`{"version": 1, "groups": [{"id": %d, "name": "全体", "weight": 90}]}`, a.Groups[0].ID), 400, &e)
	if e.Error.Field != "groups" {
		t.Fatalf("field %q", e.Error.Field)
	}
	f.aprCall("admin", "PATCH", path, `{"groups": [{"name": "全体", "weight": 100}]}`, 400, &e)
	if e.Error.Field != "version" {
		t.Fatalf("field %q", e.Error.Field)
	}
	f.aprCall("admin", "PATCH", path, `{"version": 1, "groups": [{"id": 999999, "name": "全体", "weight": 100}]}`, 400, &e)
	if e.Error.Field != "groups" {
		t.Fatalf("field %q", e.Error.Field)
	}
	// A group that voters belong to stays.
	f.aprCall("admin", "POST", path+"/voters", fmt.Sprintf(`{"group_id": %d, "logins": ["member-a"]}`, a.Groups[0].ID), 200, nil)
	f.aprCall("admin", "PATCH", path, `{"version": 1, "groups": [{"name": "新组", "weight": 100}]}`, 400, &e)
	if e.Error.Field != "groups" {
		t.Fatalf("field %q", e.Error.Field)
	}
	var after aprAppraisal
	f.aprCall("admin", "GET", path, "", 200, &after)
	if after.Version != 1 || len(after.Groups) != 1 || after.Groups[0].Weight != 100 || after.Groups[0].ID != a.Groups[0].ID {
		t.Fatalf("refused changes changed the setup: %+v", after)
	}
	// A cycle has one appraisal.
	f.aprCall("admin", "POST", fmt.Sprintf("/api/v1/cycles/%d/appraisal", c.ID), `{"groups": [{"name": "全体", "weight": 100}]}`, 409, nil)
	// Opening a cycle's appraisal needs the cycle under review.
	var pa aprAppraisal
	f.aprCall("admin", "POST", "/api/v1/cycles/{cycle:pA}/appraisal", `{"groups": [{"name": "全体", "weight": 100}]}`, 201, &pa)
	f.aprCall("admin", "POST", fmt.Sprintf("/api/v1/appraisals/%d/codes", pa.ID), fmt.Sprintf(`{"group_id": %d, "count": 1}`, pa.Groups[0].ID), 201, nil)
	f.aprCall("admin", "POST", fmt.Sprintf("/api/v1/appraisals/%d/open", pa.ID), `{"version": 1}`, 409, nil)
}

// The chair's comment: a draft seen only by its authors; publishing makes
// each problem a finding of the unit, with the source "chair comment".
func TestAPIComment(t *testing.T) {
	f := newFixture(t)
	path := "/api/v1/reports/{report:vA}/comment"
	areas, err := f.st.Areas(context.Background(), f.cycles["vA"].ID)
	if err != nil || len(areas) == 0 {
		t.Fatal(err)
	}
	var c struct {
		comment.Comment
		Findings []finding.Finding `json:"findings"`
	}
	f.aprCall("role-organizer", "GET", path, "", 200, &c)
	if c.Version != 0 || c.Problems == nil {
		t.Fatalf("empty comment %+v", c)
	}
	f.aprCall("role-leader", "GET", path, "", 404, nil)

	body := `{"version": 0, "affirmations": "  肯定成绩  ", "problems": [
		{"area": "` + areas[0].Name + `", "severity": "major", "text": "压力传导不够"},
		{"severity": "minor", "text": "台账不全"}], "requirements": "立行立改", "direction": "建章立制"}`
	f.aprCall("role-leader", "PUT", path, body, 403, nil)
	f.aprCall("member-b", "PUT", path, body, 404, nil)
	f.aprCall("role-organizer", "PUT", path, body, 200, &c)
	if c.Version != 1 || c.Affirmations != "肯定成绩" || len(c.Problems) != 2 || c.PublishedAt != nil {
		t.Fatalf("saved %+v", c)
	}
	f.aprCall("role-organizer", "PUT", path, body, 409, nil) // stale version
	f.aprCall("role-leader", "GET", path, "", 404, nil)      // a draft
	f.aprCall("role-supervisor", "GET", path, "", 404, nil)
	f.aprCall("role-leader", "POST", path+"/publish", `{"version": 1}`, 403, nil)

	for _, bad := range []struct{ name, body, field string }{
		{"severity", `{"version": 1, "problems": [{"severity": "fatal", "text": "x"}]}`, "problems"},
		{"area", `{"version": 1, "problems": [{"area": "不存在的领域", "severity": "major", "text": "x"}]}`, "problems"},
		{"empty problem", `{"version": 1, "problems": [{"severity": "major", "text": "  "}]}`, "problems"},
		{"finding id", `{"version": 1, "problems": [{"severity": "major", "text": "x", "finding_id": 1}]}`, "finding_id"},
		{"version", `{"affirmations": "x"}`, "version"},
	} {
		var e aprError
		f.aprCall("role-organizer", "PUT", path, bad.body, 400, &e)
		if e.Error.Field != bad.field {
			t.Errorf("%s: field %q, want %q", bad.name, e.Error.Field, bad.field)
		}
	}
	f.aprCall("role-organizer", "POST", path+"/publish", `{"version": 9}`, 409, nil)
	if fs, _ := f.st.ReportFindings(context.Background(), f.reports["vA"].ID); len(fs) != 0 {
		t.Fatalf("findings before publishing: %+v", fs)
	}

	f.aprCall("role-organizer", "POST", path+"/publish", `{"version": 1}`, 200, &c)
	if c.PublishedAt == nil || c.Version != 2 || len(c.Findings) != 2 {
		t.Fatalf("published %+v", c)
	}
	for i, fd := range c.Findings {
		if fd.Source != finding.ChairComment || fd.UnitID != f.units["A1"].ID || fd.ReportID != f.reports["vA"].ID ||
			fd.CycleID != f.cycles["vA"].ID || fd.Text != c.Problems[i].Text || c.Problems[i].FindingID != fd.ID || fd.Status != finding.Open {
			t.Fatalf("finding %d: %+v of %+v", i, fd, c.Problems[i])
		}
	}
	if c.Findings[0].Area != areas[0].Name || c.Findings[0].Severity != finding.Major {
		t.Fatalf("finding area and severity %+v", c.Findings[0])
	}
	// Published: every reader of the report sees it, with its findings.
	var seen struct {
		comment.Comment
		Findings []finding.Finding `json:"findings"`
	}
	f.aprCall("role-leader", "GET", path, "", 200, &seen)
	if seen.PublishedAt == nil || len(seen.Findings) != 2 || seen.Requirements != "立行立改" {
		t.Fatalf("leader sees %+v", seen)
	}
	f.aprCall("member-b", "GET", path, "", 404, nil)
	f.aprCall("role-organizer", "PUT", path, strings.Replace(body, `"version": 0`, `"version": 2`, 1), 409, nil)
	f.aprCall("role-organizer", "POST", path+"/publish", `{"version": 2}`, 409, nil)
	if fs, _ := f.st.ReportFindings(context.Background(), f.reports["vA"].ID); len(fs) != 2 {
		t.Fatalf("%d findings after publishing twice", len(fs))
	}

	// Nothing to publish: an empty comment is refused.
	var e aprError
	f.aprCall("admin", "POST", "/api/v1/reports/{report:vB}/comment/publish", `{"version": 0}`, 400, &e)
	if e.Error.Field != "affirmations" {
		t.Fatalf("field %q", e.Error.Field)
	}
	// A report outside the review cannot be commented on.
	f.aprCall("admin", "PUT", "/api/v1/reports/{report:A}/comment", `{"version": 0, "affirmations": "x"}`, 409, nil)
}
