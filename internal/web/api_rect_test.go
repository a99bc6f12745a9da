package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/user"
)

// The findings and rectifications API over real HTTP on a real database.
// These tests make their own findings (in a cycle of their own where
// counts matter), so they do not depend on the fixture's items.

// raItem is an item as GET /api/v1/rectifications/{id} answers it.
type raItem struct {
	rectification.Rectification
	Timeline   []rectification.Event     `json:"timeline"`
	Extensions []rectification.Extension `json:"extensions"`
	Urges      []rectification.Urge      `json:"urges"`
}

// raFinding is a finding as the API answers it.
type raFinding struct {
	store.FindingRecord
	Rectifications []rectification.Rectification `json:"rectifications"`
}

type raList struct {
	Items []rectification.Rectification `json:"items"`
	Next  string                        `json:"next"`
	Count int                           `json:"count"`
}

// raCall is aprCall with the English messages, which the tests read.
func (f *fixture) raCall(who, method, path, body string, status int, out any) string {
	f.t.Helper()
	resp, b := f.do(who, method, path, body, "Accept-Language", "en")
	if resp.StatusCode != status {
		f.t.Fatalf("%s %s as %q: status %d, want %d\n%s", method, path, who, resp.StatusCode, status, b)
	}
	if out != nil {
		reflect.ValueOf(out).Elem().SetZero() // fields left out (omitempty) must not keep old values
		if err := json.Unmarshal([]byte(b), out); err != nil {
			f.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return b
}

// raErr is the error of an API error body.
type raErr struct{ Code, Message, Field string }

// raFail sends a request that must fail with the status, and returns the error.
func (f *fixture) raFail(who, method, path, body string, status int) raErr {
	f.t.Helper()
	var e aprError
	f.raCall(who, method, path, body, status, &e)
	return e.Error
}

// raField checks that a request is refused as bad input naming the field.
func (f *fixture) raField(who, method, path, body, field string) {
	f.t.Helper()
	if e := f.raFail(who, method, path, body, http.StatusBadRequest); e.Field != field {
		f.t.Fatalf("%s %s %s: field %q (%s), want %q", method, path, body, e.Field, e.Message, field)
	}
}

// raUser adds a user with the grants and an API token.
func (f *fixture) raUser(login string, grants ...auth.Grant) user.User {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.st.CreateUser(ctx, audit.System, user.Draft{Login: login, Name: "用户" + login, Locale: "zh-CN"}, testHash(), grants)
	if err != nil {
		f.t.Fatal(err)
	}
	if f.token[login], err = f.st.CreateAPIToken(ctx, audit.System, u.ID, "test"); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// raNew records a supervision finding on the unit in the cycle, as
// role-supervisor, and returns its item's path.
func (f *fixture) raNew(unitKey string, cycleID int64, text string) (raFinding, string) {
	f.t.Helper()
	var fd raFinding
	f.raCall("role-supervisor", "POST", "/api/v1/findings", fmt.Sprintf(`{"unit_id": {%s}, "cycle_id": %d, "source": "supervision", "text": %q}`,
		unitKey, cycleID, text), http.StatusCreated, &fd)
	if len(fd.RectificationIDs) != 1 || len(fd.Rectifications) != 1 || fd.Rectifications[0].ID != fd.RectificationIDs[0] {
		f.t.Fatalf("finding without its item: %+v", fd)
	}
	return fd, fmt.Sprintf("/api/v1/rectifications/%d", fd.RectificationIDs[0])
}

// raStart plans the item (as leadera) with the deadline and starts it.
func (f *fixture) raStart(path, deadline string) raItem {
	f.t.Helper()
	var x raItem
	f.raCall("leadera", "GET", path, "", http.StatusOK, &x)
	f.raCall("leadera", "PATCH", path, fmt.Sprintf(`{"version": %d, "measures": "制定整改措施", "owner": "组织委员 李四", "responsible_leader": "书记 王五", "deadline": %q, "kind": "immediate"}`,
		x.Version, deadline), http.StatusOK, &x)
	f.raCall("leadera", "POST", path+"/submit", fmt.Sprintf(`{"version": %d}`, x.Version), http.StatusOK, &x)
	if x.Status != rectification.InProgress {
		f.t.Fatalf("started: %s", x.Status)
	}
	return x
}

func raVersion(v int64) string { return fmt.Sprintf(`{"version": %d}`, v) }

func raB64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func raKinds(x raItem) string {
	var ks []string
	for _, e := range x.Timeline {
		ks = append(ks, e.Kind)
	}
	return strings.Join(ks, " ")
}

// TestAPIRectLifecycle follows one item from the finding to its closure:
// plan, start, an update with a PDF, submit, verification refused to the
// submitter, a rejection that needs a reason, resubmission, verification
// by another supervisor, and reopening.
func TestAPIRectLifecycle(t *testing.T) {
	f := newFixture(t)
	dual := f.raUser("dual", auth.Grant{Role: auth.UnitLeader, UnitID: f.units["A1"].ID}, auth.Grant{Role: auth.Supervisor, UnitID: f.units["A"].ID})

	var fd raFinding
	f.raCall("role-supervisor", "POST", "/api/v1/findings", `{"unit_id": {A1}, "cycle_id": {cycle:vA}, "source": "supervision", "area": "作风建设",
		"severity": "major", "text": "  办公用房超标准配置  "}`, http.StatusCreated, &fd)
	if fd.Text != "办公用房超标准配置" || fd.Status != "open" || fd.Version != 1 || fd.UnitID != f.units["A1"].ID || len(fd.RectificationIDs) != 1 ||
		fd.Rectifications[0].Status != rectification.Planning {
		t.Fatalf("recorded: %+v", fd)
	}
	fpath := fmt.Sprintf("/api/v1/findings/%d", fd.ID)
	path := fmt.Sprintf("/api/v1/rectifications/%d", fd.RectificationIDs[0])
	f.raFail("member-b", "GET", path, "", http.StatusNotFound)
	f.raFail("member-b", "GET", fpath, "", http.StatusNotFound)
	var x raItem
	f.raCall("observer", "GET", path, "", http.StatusOK, &x)
	if x.Status != rectification.Planning || x.Finding.ID != fd.ID || raKinds(x) != "created" || x.Extensions == nil || x.Urges == nil {
		t.Fatalf("new item: %+v", x)
	}

	// The plan: a deadline before today (2021-01-12) changes nothing.
	plan := `"measures": "腾退超标办公用房", "owner": "办公室 张三", "responsible_leader": "副书记 李四", "kind": "immediate"`
	f.raField("leadera", "PATCH", path, fmt.Sprintf(`{"version": %d, %s, "deadline": "2021-01-11"}`, x.Version, plan), "deadline")
	f.raField("leadera", "PATCH", path, fmt.Sprintf(`{"version": %d, %s, "deadline": "2021-03-01", "kind": "someday"}`, x.Version, plan), "kind")
	f.raField("leadera", "PATCH", path, fmt.Sprintf(`{%s, "deadline": "2021-03-01"}`, plan), "version")
	f.raFail("role-observer", "PATCH", path, fmt.Sprintf(`{"version": %d, %s, "deadline": "2021-03-01"}`, x.Version, plan), http.StatusForbidden)
	f.raCall("leadera", "PATCH", path, fmt.Sprintf(`{"version": %d, %s, "deadline": "2021-03-01"}`, x.Version, plan), http.StatusOK, &x)
	if x.Measures != "腾退超标办公用房" || x.Deadline != "2021-03-01" || x.OriginalDeadline != "2021-03-01" || x.Status != rectification.Planning {
		t.Fatalf("planned: %+v", x.Rectification)
	}

	// The finding may be edited while its item is planned, by who records it.
	f.raFail("leadera", "PATCH", fpath, `{"version": 1, "root_cause": "标准执行不严"}`, http.StatusForbidden)
	f.raFail("role-supervisor", "PATCH", fpath, `{"version": 1, "source": "appraisal"}`, http.StatusBadRequest)
	f.raCall("role-supervisor", "PATCH", fpath, `{"version": 1, "root_cause": "标准执行不严"}`, http.StatusOK, &fd)
	if fd.Version != 2 || fd.RootCause != "标准执行不严" || fd.Text != "办公用房超标准配置" {
		t.Fatalf("edited: %+v", fd)
	}
	f.raFail("role-supervisor", "PATCH", fpath, `{"version": 1, "text": "旧版本"}`, http.StatusConflict)

	// Starting is the leader's; staff may not.
	f.raFail("member-a", "POST", path+"/submit", raVersion(x.Version), http.StatusForbidden)
	f.raCall("leadera", "POST", path+"/submit", raVersion(x.Version), http.StatusOK, &x)
	if x.Status != rectification.InProgress {
		t.Fatalf("started: %s", x.Status)
	}
	if e := f.raFail("leadera", "POST", path+"/submit", raVersion(x.Version-1), http.StatusConflict); e.Code != "conflict" {
		t.Fatalf("stale version: %+v", e)
	}
	if e := f.raFail("role-supervisor", "PATCH", fpath, `{"version": 2, "text": "改写"}`, http.StatusConflict); e.Code != "conflict" {
		t.Fatalf("finding edited after the start: %+v", e)
	}
	f.raField("leadera", "PATCH", path, fmt.Sprintf(`{"version": %d, "deadline": "2021-04-01"}`, x.Version), "deadline")

	// Progress with evidence: a PDF is kept, anything else refused whole.
	pdf := "%PDF-1.4 腾退清单"
	f.raCall("member-a", "POST", path+"/updates", `{"text": "已腾退两间", "files": [{"name": "腾退清单.pdf", "data": "`+raB64(pdf)+`"}]}`, http.StatusCreated, &x)
	last := x.Timeline[len(x.Timeline)-1]
	if x.Progress != "已腾退两间" || last.Kind != "update" || len(last.Files) != 1 || last.Files[0].Kind != "pdf" || last.Files[0].Name != "腾退清单.pdf" {
		t.Fatalf("update: %+v", x)
	}
	n := len(x.Timeline)
	f.raField("member-a", "POST", path+"/updates", `{"text": "x", "files": [{"name": "a.pdf", "data": "`+raB64("just text")+`"}]}`, "file")
	f.raField("member-a", "POST", path+"/updates", `{"text": "x", "files": [{"name": "a.pdf", "data": "%%%"}]}`, "data")
	f.raField("member-a", "POST", path+"/updates", `{"text": " "}`, "text")
	f.raFail("role-observer", "POST", path+"/updates", `{"text": "x"}`, http.StatusForbidden)
	if f.raCall("observer", "GET", path, "", http.StatusOK, &x); len(x.Timeline) != n || x.Progress != "已腾退两间" {
		t.Fatalf("a refused update left a trace: %s", raKinds(x))
	}
	evidence := fmt.Sprintf("/api/v1/evidence/%d", last.Files[0].ID)
	resp, body := f.do("observer", "GET", evidence, "")
	if resp.StatusCode != http.StatusOK || body != pdf || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("evidence: %d %q %s", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	f.raFail("member-b", "GET", evidence, "", http.StatusNotFound)

	// Submitted by one who may also verify: verification is someone else's.
	f.raCall("dual", "POST", path+"/submit", raVersion(x.Version), http.StatusOK, &x)
	if x.Status != rectification.AwaitingVerification || x.SubmittedBy != dual.ID {
		t.Fatalf("submitted: %s by %d", x.Status, x.SubmittedBy)
	}
	if e := f.raFail("dual", "POST", path+"/verify", raVersion(x.Version), http.StatusForbidden); !strings.Contains(e.Message, "other than the submitter") {
		t.Fatalf("verified by the submitter: %+v", e)
	}
	f.raFail("leadera", "POST", path+"/verify", raVersion(x.Version), http.StatusForbidden)
	f.raField("role-supervisor", "POST", path+"/reject", raVersion(x.Version), "reason")
	f.raField("role-supervisor", "POST", path+"/reject", fmt.Sprintf(`{"version": %d, "reason": "  "}`, x.Version), "reason")
	f.raCall("role-supervisor", "POST", path+"/reject", fmt.Sprintf(`{"version": %d, "reason": "佐证材料不足"}`, x.Version), http.StatusOK, &x)
	if x.Status != rectification.InProgress {
		t.Fatalf("rejected: %s", x.Status)
	}

	// Resubmitted by the leader, verified by another supervisor: closed.
	f.raCall("leadera", "POST", path+"/submit", raVersion(x.Version), http.StatusOK, &x)
	f.raCall("dual", "POST", path+"/verify", fmt.Sprintf(`{"version": %d, "reason": "现场核查属实"}`, x.Version), http.StatusOK, &x)
	if x.Status != rectification.Closed || x.ClosedOn != "2021-01-12" || x.Warning != rectification.None || x.Round != 1 {
		t.Fatalf("verified: %+v", x.Rectification)
	}
	if want := "created plan start update submit reject submit verify"; raKinds(x) != want {
		t.Fatalf("timeline %q, want %q", raKinds(x), want)
	}
	if f.raCall("observer", "GET", fpath, "", http.StatusOK, &fd); fd.Status != "closed" {
		t.Fatalf("the finding of a closed item: %s", fd.Status)
	}

	// A closed item takes no step but reopening, which needs a reason.
	for who, step := range map[string]string{"role-supervisor": "verify", "role-admin": "reject", "leadera": "submit"} {
		body := fmt.Sprintf(`{"version": %d, "reason": "再次验收"}`, x.Version)
		if step == "submit" {
			body = raVersion(x.Version)
		}
		if e := f.raFail(who, "POST", path+"/"+step, body, http.StatusConflict); !strings.Contains(e.Message, "the item is closed") {
			t.Fatalf("%s of a closed item: %+v", step, e)
		}
	}
	f.raField("role-supervisor", "POST", path+"/reopen", raVersion(x.Version), "reason")
	f.raCall("role-supervisor", "POST", path+"/reopen", fmt.Sprintf(`{"version": %d, "reason": "问题反弹"}`, x.Version), http.StatusOK, &x)
	if x.Status != rectification.InProgress || x.Round != 2 || x.ClosedOn != "" {
		t.Fatalf("reopened: %+v", x.Rectification)
	}
	if f.raCall("observer", "GET", fpath, "", http.StatusOK, &fd); fd.Status != "open" {
		t.Fatalf("the finding of a reopened item: %s", fd.Status)
	}
}

// TestAPIRectRefusedSteps: a step the state does not allow is a conflict
// whose message names the current state, and changes nothing.
func TestAPIRectRefusedSteps(t *testing.T) {
	f := newFixture(t)
	_, planning := f.raNew("A1", f.cycles["vA"].ID, "组织生活会流于形式")
	_, going := f.raNew("A1", f.cycles["vA"].ID, "谈心谈话制度落实不到位")
	g := f.raStart(going, "2021-03-31")
	var p raItem
	f.raCall("observer", "GET", planning, "", http.StatusOK, &p)
	for _, tc := range []struct {
		who, path, step, body, state string
	}{
		{"role-supervisor", planning, "verify", raVersion(p.Version), "being planned"},
		{"role-supervisor", planning, "reject", fmt.Sprintf(`{"version": %d, "reason": "x"}`, p.Version), "being planned"},
		{"role-supervisor", planning, "reopen", fmt.Sprintf(`{"version": %d, "reason": "x"}`, p.Version), "being planned"},
		{"leadera", planning, "submit", fmt.Sprintf(`{"version": %d, "move": "submit"}`, p.Version), "being planned"},
		{"role-supervisor", going, "verify", raVersion(g.Version), "in progress"},
		{"role-supervisor", going, "reopen", fmt.Sprintf(`{"version": %d, "reason": "x"}`, g.Version), "in progress"},
		{"leadera", going, "submit", fmt.Sprintf(`{"version": %d, "move": "start"}`, g.Version), "in progress"},
	} {
		if e := f.raFail(tc.who, "POST", tc.path+"/"+tc.step, tc.body, http.StatusConflict); e.Code != "conflict" || !strings.Contains(e.Message, tc.state) {
			t.Errorf("%s of an item %s: %+v", tc.step, tc.state, e)
		}
	}
	// The message is in the caller's language, naming the state there too.
	resp, body := f.do("role-supervisor", "POST", going+"/verify", raVersion(g.Version))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "整改中") {
		t.Errorf("in Chinese: %d %s", resp.StatusCode, body)
	}
	// Starting needs the whole plan; an unknown step is bad input.
	if e := f.raFail("leadera", "POST", planning+"/submit", raVersion(p.Version), http.StatusConflict); !strings.Contains(e.Message, "plan is incomplete") {
		t.Errorf("started without a plan: %+v", e)
	}
	f.raField("leadera", "POST", planning+"/submit", fmt.Sprintf(`{"version": %d, "move": "verify"}`, p.Version), "move")
	f.raField("leadera", "POST", planning+"/submit", `{}`, "version")
	f.raField("leadera", "POST", planning+"/submit", `{"version": "1"}`, "version")
	f.raField("leadera", "POST", planning+"/submit", `{"version": 1, "colour": "red"}`, "colour")
	f.raFail("leadera", "POST", "/api/v1/rectifications/999999/submit", `{"version": 1}`, http.StatusNotFound)
	f.raFail("leadera", "POST", "/api/v1/rectifications/x/submit", `{"version": 1}`, http.StatusNotFound)
	var after raItem
	if f.raCall("observer", "GET", planning, "", http.StatusOK, &after); after.Version != p.Version || raKinds(after) != "created" {
		t.Errorf("refused steps changed the item: %+v", after.Rectification)
	}
}

// TestAPIRectExtension: the leader asks, with a reason, for a later
// deadline; an organizer approves (the original deadline is kept) or refuses.
func TestAPIRectExtension(t *testing.T) {
	f := newFixture(t)
	_, path := f.raNew("A1", f.cycles["vA"].ID, "干部选任程序不规范")
	if e := f.raFail("leadera", "POST", path+"/extend", `{"deadline": "2021-05-31", "reason": "x"}`, http.StatusConflict); !strings.Contains(e.Message, "planning") {
		t.Fatalf("extension of an item in planning: %+v", e)
	}
	x := f.raStart(path, "2021-03-31")
	f.raField("leadera", "POST", path+"/extend", `{"deadline": "2021-05-31"}`, "reason")
	f.raField("leadera", "POST", path+"/extend", `{"deadline": "2021-05-31", "reason": "  "}`, "reason")
	f.raField("leadera", "POST", path+"/extend", `{"deadline": "2021-03-30", "reason": "需要协调"}`, "deadline")
	f.raField("leadera", "POST", path+"/extend", `{"deadline": "31/05/2021", "reason": "需要协调"}`, "deadline")
	f.raFail("member-a", "POST", path+"/extend", `{"deadline": "2021-05-31", "reason": "需要协调"}`, http.StatusForbidden)
	f.raFail("member-b", "POST", path+"/extend", `{"deadline": "2021-05-31", "reason": "需要协调"}`, http.StatusNotFound)
	f.raCall("leadera", "POST", path+"/extend", `{"deadline": "2021-05-31", "reason": "涉及跨部门协调"}`, http.StatusCreated, &x)
	if len(x.Extensions) != 1 || x.Extensions[0].Status != "pending" || x.Extensions[0].Reason != "涉及跨部门协调" || x.Deadline != "2021-03-31" {
		t.Fatalf("requested: %+v %+v", x.Extensions, x.Rectification)
	}
	f.raFail("leadera", "POST", path+"/extend", `{"deadline": "2021-06-30", "reason": "再延"}`, http.StatusConflict)
	ext := fmt.Sprintf("/api/v1/extensions/%d", x.Extensions[0].ID)
	f.raFail("leadera", "POST", ext+"/approve", "", http.StatusForbidden)
	f.raFail("role-supervisor", "POST", ext+"/approve", "", http.StatusForbidden)
	f.raFail("member-b", "POST", ext+"/approve", "", http.StatusNotFound)
	f.raFail("role-organizer", "POST", "/api/v1/extensions/999999/approve", "", http.StatusNotFound)
	f.raCall("role-organizer", "POST", ext+"/approve", "", http.StatusOK, &x)
	if x.Deadline != "2021-05-31" || x.OriginalDeadline != "2021-03-31" || !x.Extended() || x.Extensions[0].Status != "approved" {
		t.Fatalf("approved: %+v %+v", x.Extensions, x.Rectification)
	}
	f.raFail("role-organizer", "POST", ext+"/refuse", "", http.StatusConflict)

	// A refused request leaves the deadline.
	f.raCall("leadera", "POST", path+"/extend", `{"deadline": "2021-06-30", "reason": "再延一月"}`, http.StatusCreated, &x)
	f.raCall("role-admin", "POST", fmt.Sprintf("/api/v1/extensions/%d/refuse", x.Extensions[0].ID), "", http.StatusOK, &x)
	if x.Deadline != "2021-05-31" || x.Extensions[0].Status != "refused" || x.Extensions[1].Status != "approved" {
		t.Fatalf("refused: %+v %+v", x.Extensions, x.Rectification)
	}
	if want := "created plan start extension_request extension_approve extension_request extension_refuse"; raKinds(x) != want {
		t.Fatalf("timeline %q, want %q", raKinds(x), want)
	}
}

// TestAPIRectUrges: a supervisor's notice, the unit's reply, escalation
// of an unanswered one.
func TestAPIRectUrges(t *testing.T) {
	f := newFixture(t)
	_, path := f.raNew("A1", f.cycles["vA"].ID, "意识形态阵地管理薄弱")
	f.raStart(path, "2021-03-31")
	f.raFail("leadera", "POST", path+"/urges", `{"level": "blue", "text": "请加快", "reply_by": "2021-01-20"}`, http.StatusForbidden)
	f.raField("role-supervisor", "POST", path+"/urges", `{"level": "purple", "text": "请加快", "reply_by": "2021-01-20"}`, "level")
	f.raField("role-supervisor", "POST", path+"/urges", `{"level": "blue", "text": "", "reply_by": "2021-01-20"}`, "text")
	f.raField("role-supervisor", "POST", path+"/urges", `{"level": "blue", "text": "请加快", "reply_by": "2021-01-11"}`, "reply_by")
	var blue rectification.Urge
	f.raCall("role-supervisor", "POST", path+"/urges", `{"level": "blue", "text": "请加快整改进度", "reply_by": "2021-01-20"}`, http.StatusCreated, &blue)
	if blue.Level != rectification.Blue || blue.Text != "请加快整改进度" || blue.IssuedBy != "用户role-supervisor" || blue.Answered() {
		t.Fatalf("issued: %+v", blue)
	}
	urge := fmt.Sprintf("/api/v1/urges/%d", blue.ID)
	f.raFail("role-supervisor", "POST", urge+"/reply", `{"reply": "好"}`, http.StatusForbidden)
	f.raFail("member-b", "POST", urge+"/reply", `{"reply": "好"}`, http.StatusNotFound)
	f.raField("member-a", "POST", urge+"/reply", `{"reply": "  "}`, "reply")
	f.raFail("leadera", "POST", urge+"/escalate", `{"text": "升级", "reply_by": "2021-01-25"}`, http.StatusForbidden)
	var yellow rectification.Urge
	f.raCall("role-supervisor", "POST", urge+"/escalate", `{"text": "逾期未回复，升级督办", "reply_by": "2021-01-25"}`, http.StatusCreated, &yellow)
	if yellow.Level != rectification.YellowUrge || yellow.ID == blue.ID {
		t.Fatalf("escalated: %+v", yellow)
	}
	if e := f.raFail("member-a", "POST", urge+"/reply", `{"reply": "迟到的回复"}`, http.StatusConflict); !strings.Contains(e.Message, "escalated") {
		t.Fatalf("reply to an escalated notice: %+v", e)
	}
	var replied rectification.Urge
	f.raCall("member-a", "POST", fmt.Sprintf("/api/v1/urges/%d/reply", yellow.ID), `{"reply": "已加派人手"}`, http.StatusOK, &replied)
	if !replied.Answered() || replied.Reply != "已加派人手" || replied.RepliedBy != "用户member-a" {
		t.Fatalf("replied: %+v", replied)
	}
	f.raFail("role-supervisor", "POST", fmt.Sprintf("/api/v1/urges/%d/escalate", yellow.ID), `{"text": "再升级", "reply_by": "2021-01-30"}`, http.StatusConflict)
	f.raFail("member-a", "POST", "/api/v1/urges/999999/reply", `{"reply": "x"}`, http.StatusNotFound)
	var x raItem
	f.raCall("observer", "GET", path, "", http.StatusOK, &x)
	if len(x.Urges) != 2 || x.Urges[0].ID != yellow.ID || x.Urges[1].EscalatedTo != yellow.ID {
		t.Fatalf("the item's notices, newest first: %+v", x.Urges)
	}
}

// TestAPIRectListAndStats: the ledger's filters and keyset pages, the
// findings list, and a unit's subtree figures, in a cycle of their own.
func TestAPIRectListAndStats(t *testing.T) {
	f := newFixture(t)
	c, _ := f.aprReviewingCycle("A", 2017)
	q := func(s string) string { return fmt.Sprintf("/api/v1/rectifications?cycle=%d&%s", c.ID, s) }
	_, p1 := f.raNew("A1", c.ID, "第一项：学习制度落实不够")
	f.raStart(p1, "2021-01-15") // due within the warning days
	_, p2 := f.raNew("A2", c.ID, "第二项：台账不规范")
	f.raStart(p2, "2021-03-31")
	f.raNew("A1", c.ID, "第三项：计划中")

	for _, tc := range []struct {
		query string
		count int
	}{
		{"", 3}, {"unit={A}", 3}, {"unit={A1}", 2}, {"unit={A2}", 1}, {"status=planning", 1}, {"status=in_progress", 2},
		{"warning=yellow", 1}, {"warning=red", 0}, {"warning=green", 2}, {"kind=immediate", 2}, {"source=supervision", 3},
		{"source=appraisal", 0}, {"q=" + url.QueryEscape("台账"), 1}, {"sort=overdue", 3},
	} {
		var l raList
		if f.raCall("observer", "GET", q(tc.query), "", http.StatusOK, &l); l.Count != tc.count || len(l.Items) != tc.count || l.Next != "" {
			t.Errorf("%s: count %d, %d items, next %q; want %d", tc.query, l.Count, len(l.Items), l.Next, tc.count)
		}
	}
	// Keyset pages: every item once, the count of the whole selection on each.
	seen := map[int64]bool{}
	var l raList
	f.raCall("leadera", "GET", q("limit=2"), "", http.StatusOK, &l)
	if len(l.Items) != 2 || l.Next == "" || l.Count != 3 {
		t.Fatalf("first page: %d items, next %q, count %d", len(l.Items), l.Next, l.Count)
	}
	for _, x := range l.Items {
		seen[x.ID] = true
	}
	if l.Items[0].Deadline != "2021-01-15" || l.Items[0].Warning != rectification.Yellow {
		t.Errorf("by deadline: %+v", l.Items[0])
	}
	f.raCall("leadera", "GET", q("limit=2&after="+url.QueryEscape(l.Next)), "", http.StatusOK, &l)
	if len(l.Items) != 1 || l.Next != "" || l.Count != 3 || seen[l.Items[0].ID] || l.Items[0].Status != rectification.Planning {
		t.Fatalf("second page: %+v next %q count %d", l.Items, l.Next, l.Count)
	}
	// Nothing of it for one who cannot see the units; bad filters named.
	if f.raCall("member-b", "GET", q(""), "", http.StatusOK, &l); l.Count != 0 || len(l.Items) != 0 {
		t.Errorf("member-b sees %d items", l.Count)
	}
	f.raField("member-b", "GET", q("unit={A}"), "", "unit")
	f.raField("leadera", "GET", q("unit=999999"), "", "unit")
	for param, query := range map[string]string{"status": "status=done", "warning": "warning=blue", "kind": "kind=someday",
		"source": "source=rumour", "sort": "sort=name", "after": "after=yesterday", "limit": "limit=0"} {
		f.raField("leadera", "GET", q(query), "", param)
	}
	f.raField("leadera", "GET", "/api/v1/rectifications?cycle=x", "", "cycle")

	// The findings list: the same visibility, pages by id.
	var fl struct {
		Items []raFinding `json:"items"`
		Next  *int64      `json:"next"`
	}
	fq := func(s string) string { return fmt.Sprintf("/api/v1/findings?cycle=%d&%s", c.ID, s) }
	f.raCall("observer", "GET", fq("limit=2"), "", http.StatusOK, &fl)
	if len(fl.Items) != 2 || fl.Next == nil || fl.Items[0].Text != "第一项：学习制度落实不够" || len(fl.Items[0].RectificationIDs) != 1 {
		t.Fatalf("findings, first page: %+v", fl)
	}
	f.raCall("observer", "GET", fq(fmt.Sprintf("limit=2&after=%d", *fl.Next)), "", http.StatusOK, &fl)
	if len(fl.Items) != 1 || fl.Next != nil || fl.Items[0].Text != "第三项：计划中" {
		t.Fatalf("findings, second page: %+v", fl)
	}
	if f.raCall("observer", "GET", fq("unit={A2}"), "", http.StatusOK, &fl); len(fl.Items) != 1 || fl.Items[0].UnitID != f.units["A2"].ID {
		t.Fatalf("findings of A2: %+v", fl.Items)
	}
	if f.raCall("member-b", "GET", fq(""), "", http.StatusOK, &fl); len(fl.Items) != 0 {
		t.Fatalf("member-b sees findings: %+v", fl.Items)
	}
	f.raField("member-b", "GET", fq("unit={A}"), "", "unit")
	f.raField("observer", "GET", fq("after=x"), "", "after")

	// The figures of a subtree: from the counters, overdue as the days pass.
	var st struct {
		UnitID  int64 `json:"unit_id"`
		CycleID int64 `json:"cycle_id"`
		rectification.Stats
	}
	stats := func(unitKey string) string { return fmt.Sprintf("/api/v1/units/{%s}/stats?cycle=%d", unitKey, c.ID) }
	f.raCall("observer", "GET", stats("A"), "", http.StatusOK, &st)
	if st.UnitID != f.units["A"].ID || st.CycleID != c.ID || st.Total != 3 || st.Planning != 1 || st.InProgress != 2 || st.DueSoon != 1 ||
		st.Overdue != 0 || st.Closed != 0 || st.OnTimeRate != nil {
		t.Fatalf("stats of A: %+v", st)
	}
	if f.raCall("observer", "GET", stats("A1"), "", http.StatusOK, &st); st.Total != 2 || st.Planning != 1 || st.InProgress != 1 {
		t.Fatalf("stats of A1: %+v", st)
	}
	if f.raCall("observer", "GET", stats("root"), "", http.StatusOK, &st); st.Total != 3 {
		t.Fatalf("stats of the root: %+v", st)
	}
	if f.raCall("observer", "GET", stats("B"), "", http.StatusOK, &st); st.Total != 0 || st.OnTimeRate != nil {
		t.Fatalf("stats of B: %+v", st)
	}
	f.clock.Advance(5 * 24 * time.Hour) // 2021-01-17: the first is overdue
	if f.raCall("observer", "GET", stats("A"), "", http.StatusOK, &st); st.Overdue != 1 || st.DueSoon != 0 || st.OnTimeRate == nil || *st.OnTimeRate != 0 {
		t.Fatalf("stats of A, later: %+v", st)
	}
	if f.raCall("observer", "GET", q("warning=red"), "", http.StatusOK, &l); l.Count != 1 || l.Items[0].DaysOverdue != 2 {
		t.Fatalf("overdue: %+v", l)
	}
	f.raField("observer", "GET", "/api/v1/units/{A}/stats", "", "cycle")
	f.raField("observer", "GET", "/api/v1/units/{A}/stats?cycle=999999", "", "cycle")
	f.raFail("member-b", "GET", stats("A"), "", http.StatusNotFound)
	f.raFail("observer", "GET", "/api/v1/units/999999/stats?cycle=1", "", http.StatusNotFound)
}

// TestAPIFindingRecord: who may record which finding, and bad input.
func TestAPIFindingRecord(t *testing.T) {
	f := newFixture(t)
	body := func(unitKey, cycle, source string) string {
		return fmt.Sprintf(`{"unit_id": {%s}, "cycle_id": {cycle:%s}, "source": %q, "text": "理论学习中心组学习不够深入"}`, unitKey, cycle, source)
	}
	// A unit leader records the self-examination findings of their units, nothing else.
	var fd raFinding
	f.raCall("leadera", "POST", "/api/v1/findings", body("A1", "vA", "self_examination"), http.StatusCreated, &fd)
	if fd.Source != "self_examination" || len(fd.RectificationIDs) != 1 {
		t.Fatalf("self-examination: %+v", fd)
	}
	f.raFail("leadera", "POST", "/api/v1/findings", body("A1", "vA", "supervision"), http.StatusForbidden)
	f.raFail("member-a", "POST", "/api/v1/findings", body("A1", "vA", "self_examination"), http.StatusForbidden)
	// …and may edit it while it is planned; a supervision finding is not theirs to edit.
	f.raCall("leadera", "PATCH", fmt.Sprintf("/api/v1/findings/%d", fd.ID), `{"version": 1, "severity": "minor"}`, http.StatusOK, &fd)
	if fd.Severity != "minor" || fd.Version != 2 {
		t.Fatalf("edited: %+v", fd)
	}
	f.raField("leadera", "PATCH", fmt.Sprintf("/api/v1/findings/%d", fd.ID), `{"version": 2, "severity": "grave"}`, "severity")
	f.raField("leadera", "PATCH", fmt.Sprintf("/api/v1/findings/%d", fd.ID), `{"version": 2, "text": ""}`, "text")
	f.raField("leadera", "PATCH", fmt.Sprintf("/api/v1/findings/%d", fd.ID), `{"text": "x"}`, "version")
	// Units outside the caller's grants, cycles that do not hold the unit, bad fields.
	f.raField("leadera", "POST", "/api/v1/findings", body("B1", "vB", "self_examination"), "unit_id")
	f.raField("role-supervisor", "POST", "/api/v1/findings", body("A1", "vB", "supervision"), "cycle_id")
	f.raField("role-supervisor", "POST", "/api/v1/findings", body("A1", "vA", "rumour"), "source")
	f.raField("role-supervisor", "POST", "/api/v1/findings", `{"unit_id": {A1}, "cycle_id": {cycle:vA}, "text": "x"}`, "source")
	f.raField("role-supervisor", "POST", "/api/v1/findings", `{"cycle_id": {cycle:vA}, "source": "supervision", "text": "x"}`, "unit_id")
	f.raField("role-supervisor", "POST", "/api/v1/findings", `{"unit_id": {A1}, "source": "supervision", "text": "x"}`, "cycle_id")
	f.raField("role-supervisor", "POST", "/api/v1/findings", `{"unit_id": {A1}, "cycle_id": {cycle:vA}, "source": "supervision", "text": " "}`, "text")
	f.raField("role-supervisor", "POST", "/api/v1/findings", `{"unit_id": {A1}, "cycle_id": {cycle:vA}, "source": "supervision", "text": "x", "version": 1}`, "version")
	f.raField("role-supervisor", "POST", "/api/v1/findings", `{"unit_id": "A1"}`, "unit_id")
	f.raField("role-supervisor", "POST", "/api/v1/findings", ``, "body")
	f.raFail("", "POST", "/api/v1/findings", body("A1", "vA", "supervision"), http.StatusUnauthorized)
	var l struct {
		Items []raFinding `json:"items"`
	}
	if f.raCall("observer", "GET", fmt.Sprintf("/api/v1/findings?unit={A1}&cycle={cycle:vA}&limit=500"), "", http.StatusOK, &l); len(l.Items) == 0 ||
		l.Items[len(l.Items)-1].ID != fd.ID {
		t.Fatalf("recorded once: %+v", l.Items)
	}
}

// TestAPIRectUploadLimit: evidence files are bounded by the configured
// largest upload, as a report's attachments are.
func TestAPIRectUploadLimit(t *testing.T) {
	f := newFixture(t)
	_, path := f.raNew("A1", f.cycles["vA"].ID, "佐证材料过大")
	f.raStart(path, "2021-03-31")
	srv, err := New(f.st, mustCatalog(t), discardLog(), Options{MaxUpload: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	post := func(size int) (int, string) {
		data := "%PDF-1.4 " + strings.Repeat("x", size-9)
		req, _ := http.NewRequest("POST", ts.URL+f.expand(path)+"/updates",
			strings.NewReader(`{"text": "上传佐证", "files": [{"name": "大文件.pdf", "data": "`+raB64(data)+`"}]}`))
		req.Header.Set("Authorization", "Bearer "+f.token["member-a"])
		req.Header.Set("Accept-Language", "en")
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e aprError
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Error.Field
	}
	if status, field := post(2 << 10); status != http.StatusRequestEntityTooLarge || field != "file" {
		t.Fatalf("a file over the limit: %d %q", status, field)
	}
	if status, _ := post(1 << 10); status != http.StatusCreated {
		t.Fatalf("a file at the limit: %d", status)
	}
}
