package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/user"
)

// webUser adds a user with the grants and a session, for the pages.
func (f *fixture) webUser(login string, grants ...auth.Grant) {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.st.CreateUser(ctx, audit.System, user.Draft{Login: login, Name: "用户" + login, Locale: "zh-CN"}, testHash(), grants)
	if err != nil {
		f.t.Fatal(err)
	}
	f.users[login] = u
	if f.cookie[login], err = f.st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: login}, ""); err != nil {
		f.t.Fatal(err)
	}
}

// findingCount counts every finding recorded.
func (f *fixture) findingCount() int {
	f.t.Helper()
	xs, _, err := f.st.FindingRecords(context.Background(), store.FindingFilter{Scopes: []string{"/"}, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(xs)
}

// post sends a form and expects the status; on 303 it returns the item
// the browser is sent to, and checks the flash that goes with it.
func (f *fixture) post(who, path string, form url.Values, status int, flash ...string) (int64, string) {
	f.t.Helper()
	resp, body := f.do(who, "POST", path, form.Encode())
	if resp.StatusCode != status {
		f.t.Fatalf("POST %s %v as %s: status %d, want %d\n%s", path, form, who, resp.StatusCode, status, excerpt(body))
	}
	if status != http.StatusSeeOther {
		return 0, body
	}
	for _, key := range flash {
		if !strings.Contains(resp.Header.Get("Set-Cookie"), flashCookie+"="+key) {
			f.t.Fatalf("POST %s: no flash %s in %q", path, key, resp.Header.Get("Set-Cookie"))
		}
	}
	loc := resp.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/rectifications/"), 10, 64)
	if err != nil {
		f.t.Fatalf("sent to %q", loc)
	}
	return id, body
}

// wantProblem checks that a page names the field and the reason, as
// withError puts it at the top of the form.
func wantProblem(t *testing.T, body, field, key string, args ...any) {
	t.Helper()
	msg := mustCatalog(t).Error("zh-CN", apperr.Field(field, key, args...))
	if !strings.Contains(body, template.HTMLEscapeString(msg)) {
		t.Fatalf("the page does not say %q\n%s", msg, excerpt(body))
	}
}

// findingForm is a form recording a finding on A1 in the 2018 cycle.
func (f *fixture) findingForm(source string) url.Values {
	return url.Values{"unit_id": {f.expand("{A1}")}, "cycle_id": {f.expand("{cycle:vA}")}, "source": {source},
		"area": {cycle.SeedAreas[2]}, "severity": {"major"}, "text": {"  " + source + "：党员教育管理不够规范  "}, "root_cause": {"制度执行不严"}}
}

// Each source the form offers, recorded by a supervisor: the finding, its
// item in planning, and the item's page with the flash.
func TestFindingFormRecordsEachSource(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	resp, page := f.do("role-supervisor", "GET", "/findings/new?cycle={cycle:vA}&unit={A1}", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("form: %d\n%s", resp.StatusCode, excerpt(page))
	}
	for _, want := range []string{`value="supervision"`, `value="inspection_feedback"`, `value="self_examination"`, cycle.SeedAreas[2],
		`name="unit_id" value="` + f.expand("{A1}") + `" checked`, `<option value="` + f.expand("{cycle:vA}") + `" selected>`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the form lacks %q\n%s", want, excerpt(page))
		}
	}
	if strings.Contains(page, `value="chair_comment"`) || strings.Contains(page, `value="carried_over"`) {
		t.Fatal("the form offers a source that arrives by itself")
	}
	for _, src := range formSources {
		id, _ := f.post("role-supervisor", "/findings", f.findingForm(string(src)), http.StatusSeeOther, "flash.finding_recorded")
		x, err := f.st.Rectification(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		fd := x.Finding
		if fd.Source != src || x.UnitID != f.units["A1"].ID || x.CycleID != f.cycles["vA"].ID || fd.Area != cycle.SeedAreas[2] ||
			fd.Severity != finding.Major || fd.Text != string(src)+"：党员教育管理不够规范" || fd.RootCause != "制度执行不严" ||
			x.Status != rectification.Planning {
			t.Fatalf("%s: %+v", src, x)
		}
		_, page := f.do("role-supervisor", "GET", fmt.Sprintf("/rectifications/%d", id), "")
		if !strings.Contains(page, fd.Text) || !strings.Contains(page, cycle.SeedAreas[2]) {
			t.Fatalf("%s: the item's page\n%s", src, excerpt(page))
		}
	}
	// Changing the cycle reloads the areas (htmx asks with the form's own field name).
	if _, page := f.do("role-supervisor", "GET", "/findings/new?cycle_id={cycle:pA}", ""); !strings.Contains(page, `id="finding-scales"`) ||
		!strings.Contains(page, cycle.SeedAreas[0]) {
		t.Fatalf("areas of another cycle\n%s", excerpt(page))
	}
	// The ledger offers the form to those who may record, with its filter.
	if _, page := f.do("role-supervisor", "GET", "/ledger?cycle={cycle:vA}", ""); !strings.Contains(page, f.expand(`/findings/new?cycle={cycle:vA}&amp;unit=0`)) {
		t.Fatalf("no link on the ledger\n%s", excerpt(page))
	}
	if _, page := f.do("member-a", "GET", "/ledger", ""); strings.Contains(page, "/findings/new") {
		t.Fatal("the ledger offers the form to staff")
	}
}

// A unit leader records self-examination findings of their own units: the
// form offers nothing else, and another unit they see is refused.
func TestFindingFormLeader(t *testing.T) {
	f := newFixture(t)
	// Leader of A1, and an observer of the whole tree: B1 is visible, not theirs.
	f.webUser("leader-a1", auth.Grant{Role: auth.UnitLeader, UnitID: f.units["A1"].ID}, auth.Grant{Role: auth.Observer, UnitID: f.units["root"].ID})
	_, page := f.do("leader-a1", "GET", "/findings/new?unit={A1}", "")
	if !strings.Contains(page, `value="self_examination"`) || strings.Contains(page, `value="supervision"`) {
		t.Fatalf("sources offered to a leader\n%s", excerpt(page))
	}
	id, _ := f.post("leader-a1", "/findings", f.findingForm("self_examination"), http.StatusSeeOther)
	if x, _ := f.st.Rectification(context.Background(), id); x.Finding.Source != finding.SelfExamination || x.UnitID != f.units["A1"].ID {
		t.Fatalf("the leader's finding: %+v", x)
	}
	n := f.findingCount()
	form := f.findingForm("self_examination")
	form.Set("unit_id", f.expand("{B1}"))
	form.Set("cycle_id", f.expand("{cycle:vB}"))
	f.post("leader-a1", "/findings", form, http.StatusForbidden)
	if resp, _ := f.do("leader-a1", "GET", "/findings/new?unit={B1}", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the form for another unit: %d", resp.StatusCode)
	}
	f.post("leader-a1", "/findings", f.findingForm("supervision"), http.StatusForbidden)
	// A unit they cannot even see is bad input, as in the API.
	_, body := f.post("leadera", "/findings", form, http.StatusBadRequest)
	wantProblem(t, body, "unit_id", "err.no_such_unit", f.units["B1"].ID)
	if f.findingCount() != n {
		t.Fatal("a refused finding was recorded")
	}
	if resp, _ := f.do("member-a", "GET", "/findings/new", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the form for staff: %d", resp.StatusCode)
	}
}

// Bad input shows the form again with the field named and what was posted,
// and records nothing.
func TestFindingFormBadInput(t *testing.T) {
	f := newFixture(t)
	n := f.findingCount()
	cases := []struct {
		name, field, value string
		key                string
		args               []any
	}{
		{"unknown source", "source", "rumour", "err.unknown_source", nil},
		{"a source that arrives by itself", "source", "chair_comment", "err.source_not_on_form", nil},
		{"unknown severity", "severity", "grave", "err.unknown_severity", nil},
		{"unknown area", "area", "不存在的领域", "err.unknown_area", nil},
		{"empty text", "text", "   ", "err.required", nil},
		{"text too long", "text", strings.Repeat("长", finding.MaxTextLen+1), "err.too_long", []any{finding.MaxTextLen}},
		{"root cause too long", "root_cause", strings.Repeat("长", finding.MaxTextLen+1), "err.too_long", []any{finding.MaxTextLen}},
		{"no unit", "unit_id", "", "err.required", nil},
		{"a unit that is not a number", "unit_id", "abc", "err.not_a_number", nil},
		{"no cycle", "cycle_id", "", "err.required", nil},
	}
	for _, c := range cases {
		form := f.findingForm("supervision")
		form.Set(c.field, c.value)
		form.Set("root_cause", "留在表单上的原因分析")
		if c.field == "root_cause" {
			form.Set("root_cause", c.value)
		}
		_, body := f.post("role-supervisor", "/findings", form, http.StatusBadRequest)
		wantProblem(t, body, c.field, c.key, c.args...)
		if c.field != "root_cause" && !strings.Contains(body, "留在表单上的原因分析") {
			t.Fatalf("%s: the posted values are lost\n%s", c.name, excerpt(body))
		}
	}
	// A unit outside the cycle: A1 is not under B, which runs vB.
	form := f.findingForm("supervision")
	form.Set("cycle_id", f.expand("{cycle:vB}"))
	form.Del("area")
	_, body := f.post("admin", "/findings", form, http.StatusBadRequest)
	wantProblem(t, body, "cycle_id", "err.no_such_cycle", f.cycles["vB"].ID)
	if f.findingCount() != n {
		t.Fatal("bad input recorded a finding")
	}
	if resp, body := f.do("role-supervisor", "GET", "/findings/new?unit=abc", ""); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a malformed unit: %d\n%s", resp.StatusCode, excerpt(body))
	}
}

// closedWithComments has two voters comment on A1's report of the 2018
// cycle, closes the appraisal and returns the comments' refs.
func (f *fixture) closedWithComments(t *testing.T) []appraisal.CommentRef {
	t.Helper()
	ctx := context.Background()
	for i, who := range []string{"role-participant", "member-a"} {
		body := fmt.Sprintf("submission=s%d&grade_{report:vA}=2&grade_{report:v2A}=3&comment_{report:vA}=意见%d：带头作用发挥不够&comment_{report:v2A}=意见%d：另一单位", i, i, i)
		if resp, page := f.do(who, "POST", "/appraisals/{appraisal:A}/ballot", body); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("vote: %d\n%s", resp.StatusCode, excerpt(page))
		}
	}
	if resp, page := f.do("role-organizer", "POST", "/appraisals/{appraisal:A}/close", "version={av:A}"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d\n%s", resp.StatusCode, excerpt(page))
	}
	a, err := f.st.Appraisal(ctx, f.appraisals["A"].ID)
	if err != nil {
		t.Fatal(err)
	}
	results, _, err := f.st.Results(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.ReportID == f.reports["vA"].ID {
			if len(r.CommentRefs) != 2 {
				t.Fatalf("comments of A1: %+v", r)
			}
			return r.CommentRefs
		}
	}
	t.Fatal("no result for A1")
	return nil
}

// A comment of the closed appraisal becomes a finding through the form,
// once; the results page then links to it.
func TestPromoteCommentForm(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	refs := f.closedWithComments(t)
	ballot := refs[0].BallotID
	_, page := f.do("role-organizer", "GET", "/appraisals/{appraisal:A}/results", "")
	if !strings.Contains(page, "/findings/new?ballot="+ballot) || !strings.Contains(page, "转为问题") {
		t.Fatalf("no button on the results\n%s", excerpt(page))
	}
	_, page = f.do("role-organizer", "GET", "/findings/new?ballot="+ballot, "")
	b, _ := f.st.BallotComment(ctx, ballot)
	for _, want := range []string{`name="ballot_id" value="` + ballot + `"`, `name="report_id" value="` + f.expand("{report:vA}") + `"`,
		`name="source" value="appraisal"`, b.Text, "城厢街道党工委"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the prefilled form lacks %q\n%s", want, excerpt(page))
		}
	}
	form := url.Values{"ballot_id": {ballot}, "report_id": {f.expand("{report:vA}")}, "unit_id": {f.expand("{A1}")},
		"cycle_id": {f.expand("{cycle:vA}")}, "source": {"appraisal"}, "text": {"班子成员带头作用发挥不够"}, "severity": {"minor"}}

	// Refusals, before it is promoted: another report, an unknown ballot,
	// another source, someone who may not record findings there.
	n := f.findingCount()
	other := url.Values{}
	for k, v := range form {
		other[k] = v
	}
	other.Set("report_id", f.expand("{report:v2A}"))
	_, body := f.post("role-organizer", "/findings", other, http.StatusBadRequest)
	wantProblem(t, body, "ballot_id", "err.ballot_other_report")
	other.Set("report_id", f.expand("{report:vA}"))
	other.Set("unit_id", f.expand("{A2}"))
	_, body = f.post("role-organizer", "/findings", other, http.StatusBadRequest)
	wantProblem(t, body, "ballot_id", "err.ballot_other_report")
	other.Set("unit_id", f.expand("{A1}"))
	other.Set("ballot_id", "0123456789abcdef0123456789abcdef")
	_, body = f.post("role-organizer", "/findings", other, http.StatusBadRequest)
	wantProblem(t, body, "ballot_id", "err.no_such_ballot")
	other.Set("ballot_id", ballot)
	other.Set("source", "supervision")
	_, body = f.post("role-organizer", "/findings", other, http.StatusBadRequest)
	wantProblem(t, body, "source", "err.ballot_source")
	f.post("leadera", "/findings", form, http.StatusForbidden)
	if resp, _ := f.do("leadera", "GET", "/findings/new?ballot="+ballot, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the prefilled form for a leader: %d", resp.StatusCode)
	}
	if resp, body := f.do("role-organizer", "GET", "/findings/new?ballot=nope", ""); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, template.HTMLEscapeString(mustCatalog(t).Error("zh-CN", apperr.Field("ballot_id", "err.no_such_ballot")))) {
		t.Fatalf("an unknown ballot: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if f.findingCount() != n {
		t.Fatal("a refused comment became a finding")
	}

	id, _ := f.post("role-organizer", "/findings", form, http.StatusSeeOther)
	x, _ := f.st.Rectification(ctx, id)
	rec, _ := f.st.FindingRecord(ctx, x.Finding.ID)
	if rec.Source != finding.Appraisal || rec.BallotID != ballot || rec.ReportID != f.reports["vA"].ID || rec.UnitID != f.units["A1"].ID ||
		rec.Text != "班子成员带头作用发挥不够" || rec.Severity != finding.Minor {
		t.Fatalf("the promoted finding: %+v", rec)
	}
	_, page = f.do("role-organizer", "GET", "/appraisals/{appraisal:A}/results", "")
	if !strings.Contains(page, fmt.Sprintf("已转为问题 #%d", rec.ID)) || !strings.Contains(page, fmt.Sprintf(`href="/rectifications/%d"`, id)) ||
		strings.Contains(page, "/findings/new?ballot="+ballot) || !strings.Contains(page, "/findings/new?ballot="+refs[1].BallotID) {
		t.Fatalf("the results after promoting\n%s", excerpt(page))
	}
	// Once only.
	_, body = f.post("role-organizer", "/findings", form, http.StatusBadRequest)
	wantProblem(t, body, "ballot_id", "err.ballot_promoted")
	if resp, _ := f.do("role-organizer", "GET", "/findings/new?ballot="+ballot, ""); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("the form for a promoted comment: %d", resp.StatusCode)
	}

	// The API: the other comment by its ballot id alone; then refused.
	var fd raFinding
	f.raCall("role-organizer", "POST", "/api/v1/findings", fmt.Sprintf(`{"ballot_id": %q, "text": "意见：带头作用"}`, refs[1].BallotID), http.StatusCreated, &fd)
	if fd.Source != finding.Appraisal || fd.BallotID != refs[1].BallotID || fd.ReportID != f.reports["vA"].ID || len(fd.RectificationIDs) != 1 {
		t.Fatalf("promoted through the API: %+v", fd)
	}
	f.raField("role-organizer", "POST", "/api/v1/findings", fmt.Sprintf(`{"ballot_id": %q, "text": "再一次"}`, refs[1].BallotID), "ballot_id")
	f.raField("role-organizer", "POST", "/api/v1/findings", `{"ballot_id": "nope", "text": "x"}`, "ballot_id")
	f.raField("role-organizer", "POST", "/api/v1/findings", fmt.Sprintf(`{"ballot_id": %q, "unit_id": {A2}, "text": "x"}`, refs[1].BallotID), "ballot_id")
	f.raFail("leadera", "POST", "/api/v1/findings", fmt.Sprintf(`{"ballot_id": %q, "text": "x"}`, refs[1].BallotID), http.StatusForbidden)
	var res struct {
		Results []appraisal.Result `json:"results"`
	}
	f.raCall("role-organizer", "GET", "/api/v1/appraisals/{appraisal:A}/results", "", http.StatusOK, &res)
	for _, r := range res.Results {
		if r.ReportID == f.reports["vA"].ID && (len(r.CommentRefs) != 2 || r.CommentRefs[0].FindingID == 0 || r.CommentRefs[1].FindingID != fd.ID) {
			t.Fatalf("the API's results: %+v", r.CommentRefs)
		}
	}
}

// A finding split into two items: each is planned and closed on its own,
// the finding closes only after both, and is not split again then.
func TestSplitFindingPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first := f.rects["rectp:A"]
	x, _ := f.st.Rectification(ctx, first)
	fid := x.Finding.ID
	before, _ := f.st.UnitStats(ctx, f.units["A"].ID, f.cycles["vA"].ID)

	path := fmt.Sprintf("/rectifications/%d/split", first)
	f.post("leadera", path, url.Values{"note": {"x"}}, http.StatusForbidden)
	_, body := f.post("role-supervisor", path, url.Values{"note": {strings.Repeat("长", rectification.MaxTextLen+1)}}, http.StatusBadRequest)
	wantProblem(t, body, "note", "err.too_long", rectification.MaxTextLen)
	second, _ := f.post("role-supervisor", path, url.Values{"note": {"建立长效机制"}}, http.StatusSeeOther, "flash.rect_split")
	_, page := f.do("role-supervisor", "GET", fmt.Sprintf("/rectifications/%d", second), "")
	for _, want := range []string{"该问题共有 2 项整改事项", fmt.Sprintf(`href="/rectifications/%d"`, first), fmt.Sprintf("#%d", second),
		"由同一问题拆分出的事项", "建立长效机制"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the new item's page lacks %q\n%s", want, excerpt(page))
		}
	}
	if after, _ := f.st.UnitStats(ctx, f.units["A"].ID, f.cycles["vA"].ID); after.Total != before.Total+1 || after.Planning != before.Planning+1 {
		t.Fatalf("counters: %+v → %+v", before, after)
	}

	step := func(who string, id int64, move, extra string) {
		t.Helper()
		x, _ := f.st.Rectification(ctx, id)
		if resp, page := f.do(who, "POST", fmt.Sprintf("/rectifications/%d/%s", id, move), fmt.Sprintf("version=%d%s", x.Version, extra)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s %d: %d\n%s", move, id, resp.StatusCode, excerpt(page))
		}
	}
	finish := func(id int64, deadline string) {
		t.Helper()
		plan := url.Values{"measures": {"逐项整改"}, "owner": {"组织委员 李四"}, "responsible_leader": {"书记 王五"}, "deadline": {deadline}, "kind": {"immediate"}}
		step("leadera", id, "plan", "&"+plan.Encode())
		step("leadera", id, "start", "")
		step("leadera", id, "submit", "")
		step("role-supervisor", id, "verify", "")
	}
	finish(second, "2021-03-31")
	if rec, _ := f.st.FindingRecord(ctx, fid); rec.Status != finding.Open {
		t.Fatal("the finding closed with one item of two")
	}
	if x, _ := f.st.Rectification(ctx, first); x.Status != rectification.Planning || x.Deadline != "" {
		t.Fatalf("the first item moved with the second: %+v", x)
	}
	finish(first, "2021-02-26")
	if rec, _ := f.st.FindingRecord(ctx, fid); rec.Status != finding.Closed {
		t.Fatal("the finding stays open after both items")
	}
	if _, page := f.do("role-supervisor", "GET", fmt.Sprintf("/rectifications/%d", first), ""); strings.Contains(page, "/split") {
		t.Fatal("a closed finding offers a split")
	}
	resp, page := f.do("role-supervisor", "POST", path, "note=x")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "不能再增加事项") {
		t.Fatalf("split of a closed finding: %d\n%s", resp.StatusCode, excerpt(page))
	}

	// The API: another item for the open finding of the item in progress.
	x, _ = f.st.Rectification(ctx, f.rects["rect:A"])
	var item raItem
	f.raCall("role-supervisor", "POST", fmt.Sprintf("/api/v1/findings/%d/items", x.Finding.ID), `{"note": "分两步整改"}`, http.StatusCreated, &item)
	if item.Status != rectification.Planning || item.Finding.ID != x.Finding.ID || len(item.Timeline) != 2 || item.Timeline[1].Text != "分两步整改" {
		t.Fatalf("the API's new item: %+v", item)
	}
	f.raCall("role-supervisor", "POST", fmt.Sprintf("/api/v1/findings/%d/items", x.Finding.ID), ``, http.StatusCreated, &item)
	var fd raFinding
	f.raCall("observer", "GET", fmt.Sprintf("/api/v1/findings/%d", x.Finding.ID), "", http.StatusOK, &fd)
	if len(fd.RectificationIDs) != 3 || fd.RectificationIDs[2] != item.ID {
		t.Fatalf("the finding's items: %v", fd.RectificationIDs)
	}
	f.raFail("role-supervisor", "POST", fmt.Sprintf("/api/v1/findings/%d/items", fid), `{}`, http.StatusConflict)
	f.raFail("leadera", "POST", fmt.Sprintf("/api/v1/findings/%d/items", x.Finding.ID), `{}`, http.StatusForbidden)
	f.raField("role-supervisor", "POST", fmt.Sprintf("/api/v1/findings/%d/items", x.Finding.ID), `{"notes": "x"}`, "notes")
}
