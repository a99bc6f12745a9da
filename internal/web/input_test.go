package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"zeren/internal/store"
	"zeren/internal/store/storetest"
)

// Bad input gets 400 (or 409 for a stale version) with the field named, and
// changes nothing.
func TestBadUnitInput(t *testing.T) {
	long := strings.Repeat("长", 101)
	for _, tc := range []struct {
		name, path, body string
		status           int
		msg              string
	}{
		{"empty name", "/units", "parent_id={A}&name=+++&kind=committee", 400, "此项必填"},
		{"long name", "/units", "parent_id={A}&name=" + long + "&kind=committee", 400, "不能超过 100 个字符"},
		{"unknown kind", "/units", "parent_id={A}&name=x&kind=club", 400, "不是有效的单位类型"},
		{"missing parent", "/units", "name=x&kind=committee", 400, "上级单位: 此项必填"},
		{"malformed parent", "/units", "parent_id=abc&name=x&kind=committee", 400, "上级单位: 应为正整数"},
		{"rename empty", "/units/{A}", "version={v:A}&name=&kind=committee", 400, "此项必填"},
		{"stale version", "/units/{A}", "version=99&name=新名&kind=committee", 409, "他人已修改"},
		{"malformed version", "/units/{A}", "version=x&name=新名&kind=committee", 400, "版本: 应为正整数"},
		{"move under own descendant", "/units/{A}/move", "version={v:A}&parent_id={A1}", 400, "不能移到该单位自身或其下级之下"},
		{"move under itself", "/units/{A}/move", "version={v:A}&parent_id={A}", 400, "不能移到该单位自身或其下级之下"},
		{"move under missing unit", "/units/{A}/move", "version={v:A}&parent_id=999999", 400, "单位 999999 不存在"},
		{"archive with live children", "/units/{A}/archive", "version={v:A}&archived=true", 400, "仍有 2 个未归档的下级单位"},
		{"archive flag not boolean", "/units/{A}/archive", "version={v:A}&archived=maybe", 400, "应为 true 或 false"},
		{"malformed form encoding", "/units", "parent_id=%zz&name=x", 400, "无法解析提交的表单"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			before := f.snapshot()
			resp, body := f.do("admin", "POST", tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.msg) {
				t.Fatalf("status %d, want %d with %q\n%s", resp.StatusCode, tc.status, tc.msg, excerpt(body))
			}
			if after := f.snapshot(); after != before {
				t.Fatalf("refused input changed the tree:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// snapshot renders every unit's state, to compare before and after.
func (f *fixture) snapshot() string {
	units, err := f.st.Units(context.Background(), store.UnitFilter{Scopes: []string{f.units["root"].Path}, Query: "委", IncludeArchived: true})
	if err != nil {
		f.t.Fatal(err)
	}
	var b strings.Builder
	for _, u := range units {
		b.WriteString(u.Path + u.Name + string(u.Kind) + u.Leader)
		if u.Archived {
			b.WriteString("(archived)")
		}
		b.WriteString(";")
	}
	return b.String()
}

func TestBadUserInput(t *testing.T) {
	for _, tc := range []struct {
		name, body, msg string
	}{
		{"duplicate login", "login=leadera&name=x&password=another-long-pass&role=staff&unit_id={A}", "该登录名已被使用"},
		{"duplicate login in other case", "login=LeaderA&name=x&password=another-long-pass&role=staff&unit_id={A}", "该登录名已被使用"},
		{"bad login", "login=a+b&name=x&password=another-long-pass&role=staff&unit_id={A}", "只能使用小写字母"},
		{"short password", "login=wangwu&name=x&password=short&role=staff&unit_id={A}", "密码至少 10 个字符"},
		{"password holds login", "login=wangwu&name=x&password=wangwu-12345&role=staff&unit_id={A}", "密码不能包含登录名"},
		{"unknown role", "login=wangwu&name=x&password=another-long-pass&role=boss&unit_id={A}", "未知角色"},
		{"unknown unit", "login=wangwu&name=x&password=another-long-pass&role=staff&unit_id=999999", "单位 999999 不存在"},
		{"missing unit", "login=wangwu&name=x&password=another-long-pass&role=staff", "此项必填"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			resp, body := f.do("admin", "POST", "/users", tc.body)
			if resp.StatusCode != 400 || !strings.Contains(body, tc.msg) {
				t.Fatalf("status %d, want 400 with %q\n%s", resp.StatusCode, tc.msg, excerpt(body))
			}
			if _, _, err := f.st.UserByLogin(context.Background(), "wangwu"); err == nil {
				t.Fatal("refused user was created")
			}
		})
	}
}

func TestBadAPIInput(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"malformed JSON", "POST", "/api/v1/units", `{"parent_id": `, 400, "invalid", "body"},
		{"empty body", "POST", "/api/v1/units", ``, 400, "invalid", "body"},
		{"wrong type", "POST", "/api/v1/units", `{"parent_id": "one", "name": "x"}`, 400, "invalid", "parent_id"},
		{"unknown field", "POST", "/api/v1/units", `{"parent_id": {A}, "name": "x", "colour": "red"}`, 400, "invalid", "colour"},
		{"empty name", "POST", "/api/v1/units", `{"parent_id": {A}, "name": ""}`, 400, "invalid", "name"},
		{"missing parent", "POST", "/api/v1/units", `{"name": "x"}`, 400, "invalid", "parent_id"},
		{"trailing data", "POST", "/api/v1/units", `{"parent_id": {A}, "name": "x"} {}`, 400, "invalid", "body"},
		{"patch without version", "PATCH", "/api/v1/units/{A}", `{"name": "x"}`, 400, "invalid", "version"},
		{"patch stale version", "PATCH", "/api/v1/units/{A}", `{"version": 99, "name": "x"}`, 409, "conflict", ""},
		{"move into own subtree", "PATCH", "/api/v1/units/{A}", `{"version": {v:A}, "parent_id": {A1}}`, 400, "invalid", "parent_id"},
		{"bad limit", "GET", "/api/v1/units?limit=0", ``, 400, "invalid", "limit"},
		{"unknown route", "GET", "/api/v1/nothing", ``, 404, "not_found", ""},
		{"user with short password", "POST", "/api/v1/users", `{"login": "wangwu", "name": "王五", "password": "x"}`, 400, "invalid", "password"},
		{"user with unknown role", "POST", "/api/v1/users", `{"login": "wangwu", "name": "王五", "password": "another-long-pass", "grants": [{"role": "boss", "unit_id": {A}}]}`, 400, "invalid", "grants.role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			before := f.snapshot()
			resp, body := f.do("admin", tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(body, `"code":"`+tc.code+`"`) ||
				(tc.field != "" && !strings.Contains(body, `"field":"`+tc.field+`"`)) {
				t.Fatalf("status %d, want %d, code %s, field %s\n%s", resp.StatusCode, tc.status, tc.code, tc.field, body)
			}
			if resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("content type %q", resp.Header.Get("Content-Type"))
			}
			if f.snapshot() != before {
				t.Fatal("refused input changed the tree")
			}
		})
	}
	f := newFixture(t)
	resp, body := f.do("admin", "POST", "/api/v1/units", `{"parent_id": {A}, "name": ""}`, "Accept-Language", "en")
	if resp.StatusCode != 400 || !strings.Contains(body, `"message":"Name: is required"`) {
		t.Fatalf("English error: %d %s", resp.StatusCode, body)
	}
}

func TestBodyTooLarge(t *testing.T) {
	f := newFixture(t)
	big := "name=" + strings.Repeat("x", 70<<10)
	resp, _ := f.do("admin", "POST", "/units", "parent_id={A}&kind=committee&"+big)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("form: status %d, want 413", resp.StatusCode)
	}
	resp, body := f.do("admin", "POST", "/api/v1/units", `{"parent_id": {A}, "name": "`+strings.Repeat("x", 70<<10)+`"}`)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "too_large") {
		t.Fatalf("json: status %d, want 413: %.200s", resp.StatusCode, body)
	}
}

func TestStaleEditShowsTheirChange(t *testing.T) {
	f := newFixture(t)
	// Someone else renames A first.
	if _, body := f.do("admin", "POST", "/units/{A}", "version={v:A}&name=涪城区委（新）&kind=committee"); body != "" {
		t.Fatalf("first edit: %s", excerpt(body))
	}
	resp, body := f.do("admina", "POST", "/units/{A}", "version={v:A}&name=我的名称&kind=committee")
	if resp.StatusCode != 409 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"他人已修改", `value="涪城区委（新）"`, "我的名称", "重新加载"} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict page lacks %q\n%s", want, excerpt(body))
		}
	}
	u, _ := f.st.Unit(context.Background(), f.units["A"].ID)
	if u.Name != "涪城区委（新）" {
		t.Fatalf("stale edit overwrote: %q", u.Name)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	f := newFixture(t)
	before := f.snapshot()
	resp, _ := f.do("admin", "POST", "/units", "parent_id={A}&name=x&kind=committee", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin post: %d", resp.StatusCode)
	}
	if f.snapshot() != before {
		t.Fatal("a cross-origin post changed the tree")
	}
	resp, _ = f.do("admin", "POST", "/units", "parent_id={A}&name=x&kind=committee", "Origin", f.ts.URL, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin post: %d", resp.StatusCode)
	}
}

func TestSecurityHeadersAndLanguage(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do("", "GET", "/login", "", "Accept-Language", "en-US,en;q=0.9")
	if !strings.Contains(body, "Log in") || !strings.Contains(body, `lang="en"`) {
		t.Fatalf("English login page expected:\n%s", excerpt(body))
	}
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	} {
		if !strings.Contains(resp.Header.Get(h), want) {
			t.Errorf("%s = %q", h, resp.Header.Get(h))
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "style=") {
		t.Error("inline script or style in the page")
	}
	// The stored choice beats the browser's.
	_, body = f.do("admin", "GET", "/units", "", "Accept-Language", "en")
	if !strings.Contains(body, "组织机构") {
		t.Fatal("stored zh-CN locale ignored")
	}
	resp, _ = f.do("admin", "POST", "/locale", "locale=en&next=/units")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/units" {
		t.Fatalf("locale switch: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = f.do("admin", "GET", "/units", "")
	if !strings.Contains(body, "<h1>Units</h1>") {
		t.Fatalf("switch not stored:\n%s", excerpt(body))
	}
	resp, _ = f.do("admin", "POST", "/locale", "locale=en&next=//evil.example/")
	if resp.Header.Get("Location") != "/" {
		t.Fatalf("open redirect: %s", resp.Header.Get("Location"))
	}
}

func TestMetricsByRoutePattern(t *testing.T) {
	f := newFixture(t)
	f.do("admin", "GET", "/units/{A}", "")
	f.do("admin", "GET", "/api/v1/units/{A}", "")
	_, body := f.do("", "GET", "/metrics", "")
	for _, want := range []string{
		`zeren_http_requests_total{method="GET",route="GET /units/{id}",status="200"} 1`,
		`zeren_http_requests_total{method="GET",route="GET /api/v1/units/{id}",status="200"} 1`,
		`zeren_http_request_duration_seconds_bucket{method="GET",route="GET /units/{id}"`,
		`go_sql_open_connections{db_name="write"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/units/"+f.expand("{A}")) {
		t.Error("raw path with an id leaked into metrics")
	}
}

func TestReadyz(t *testing.T) {
	// A server on a database whose schema is behind must not take traffic.
	db, data := storetest.DSN(t)
	st, err := store.Open(context.Background(), db, data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := New(st, mustCatalog(t), discardLog(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "migrations pending") {
		t.Fatalf("unmigrated: %d %s", rec.Code, rec.Body)
	}

	f := newFixture(t)
	f.st.Close()
	resp, body := f.do("", "GET", "/readyz", "")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("closed database: %d %s", resp.StatusCode, body)
	}
}

func TestCycleAndReportRefusals(t *testing.T) {
	f := newFixture(t)
	// Reviewing needs every report: the refusal names the missing unit.
	resp, body := f.do("admin", "POST", "/api/v1/cycles/{cycle:A}/advance", `{"version": {cv:A}, "to": "reviewing"}`)
	if resp.StatusCode != 409 || !strings.Contains(body, "城厢街道党工委") {
		t.Fatalf("advance with a missing report: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do("admin", "POST", "/cycles/{cycle:A}/advance", "version={cv:A}&to=reviewing")
	if resp.StatusCode != 409 || !strings.Contains(body, "还有 1 个单位未提交述职报告") {
		t.Fatalf("page: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if resp, _ := f.do("admin", "POST", "/api/v1/cycles/{cycle:pA}/advance", `{"version": {cv:pA}, "to": "closed"}`); resp.StatusCode != 400 {
		t.Fatalf("skipping steps: %d", resp.StatusCode)
	}
	// A submitted report cannot be edited, and the refusal says why.
	resp, body = f.do("leadera", "PATCH", "/api/v1/reports/{report:sA}", `{"version": {rv:sA}, "sections": []}`)
	if resp.StatusCode != 409 || !strings.Contains(body, "已提交") {
		t.Fatalf("editing a submitted report: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do("role-staff", "POST", "/reports/{report:A}/submit", "version={rv:A}"); resp.StatusCode != 403 {
		t.Fatalf("staff submitted: %d", resp.StatusCode)
	}
	if resp, body := f.do("admin", "POST", "/api/v1/reports/{report:sA}/return", `{"version": {rv:sA}}`); resp.StatusCode != 400 || !strings.Contains(body, `"field":"reason"`) {
		t.Fatalf("return without a reason: %d %s", resp.StatusCode, body)
	}
	got, _ := f.st.Report(context.Background(), f.reports["sA"].ID)
	if got.Status != "submitted" || got.Version != f.reports["sA"].Version {
		t.Fatalf("a refused request changed the report: %+v", got)
	}
}

func TestReportMarkdownIsHarmless(t *testing.T) {
	f := newFixture(t)
	evil := "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))<iframe src=//evil.example></iframe>\n\n**粗体**"
	resp, _ := f.do("leadera", "PATCH", "/api/v1/reports/{report:A}", `{"version": {rv:A}, "sections": [{"area_id": {area:A}, "achievements": `+strconvQuote(evil)+`}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	resp, body := f.do("admin", "GET", "/reports/{report:A}", "")
	if !strings.Contains(body, "<strong>粗体</strong>") {
		t.Fatalf("text not rendered: %d\n%s", resp.StatusCode, body)
	}
	for _, bad := range []string{"<script>alert", "onerror", "javascript:alert", "<iframe"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestBadAttachments(t *testing.T) {
	f := newFixture(t)
	srv, err := New(f.st, mustCatalog(t), discardLog(), Options{MaxUpload: 1 << 20,
		Sessions: store.SessionTimeouts{Idle: time.Hour, Absolute: 2 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	small := httptest.NewServer(srv.Handler())
	defer small.Close()
	f.ts = small
	count := func() int {
		files, _ := f.st.Attachments(context.Background(), f.reports["A"].ID)
		return len(files)
	}
	before := count()
	for _, tc := range []struct {
		name, body string
		status     int
		msg        string
	}{
		{"too large", multipartFile("big.pdf", "%PDF-1.4"+strings.Repeat("x", 1<<20+10)), 413, "文件不能超过 1 MB"},
		{"wrong type", multipartFile("run.exe", "MZ\x90\x00 program"), 400, "pdf, doc, docx, xls, xlsx, ofd, jpg, png"},
		{"renamed script", multipartFile("report.pdf", "<script>alert(1)</script>"), 400, "不是允许的文件类型"},
		{"no file", "--" + testBoundary + "--\r\n", 400, "此项必填"},
	} {
		resp, body := f.do("leadera", "POST", "/reports/{report:A}/attachments", tc.body)
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.msg) {
			t.Errorf("%s: %d, want %d with %q\n%s", tc.name, resp.StatusCode, tc.status, tc.msg, excerpt(body))
		}
	}
	if count() != before {
		t.Fatal("a refused file was stored")
	}
	// A submitted report takes no more files.
	if resp, _ := f.do("leadera", "POST", "/reports/{report:sA}/attachments", multipartFile("a.pdf", "%PDF-1.4")); resp.StatusCode != 409 {
		t.Fatalf("file added to a submitted report: %d", resp.StatusCode)
	}
	resp, body := f.do("role-observer", "GET", "/attachments/{file:A}", "")
	if resp.StatusCode != 200 || body != "%PDF-1.4 evidence" || resp.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q %v", resp.StatusCode, body, resp.Header)
	}
}

func TestBadCycleInput(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		msg                      string
	}{
		{"year out of range", "POST", "/cycles", "unit_id={A}&year=1999&title=x", 400, "年度应在 2000 到 2100 之间"},
		{"empty title", "POST", "/cycles", "unit_id={A}&year=2019&title=+", 400, "此项必填"},
		{"duplicate year", "POST", "/cycles", "unit_id={A}&year=2020&title=x", 400, "2020 年度的述职评议已存在"},
		{"bad deadline", "POST", "/cycles/{cycle:pA}", "version={cv:pA}&year=2021&title=x&deadline=2021-02-30", 400, "日期格式应为"},
		{"no areas", "POST", "/cycles/{cycle:pA}/areas", "version={cv:pA}&areas=+%0A+", 400, "此项必填"},
		{"unknown mode", "POST", "/cycles/{cycle:pA}/participants", "version={cv:pA}&unit_id={A2}&mode=loud", 400, "不是有效的述职方式"},
		{"outside unit", "POST", "/cycles/{cycle:pA}/participants", "version={cv:pA}&unit_id={B1}&mode=written", 400, "不能参加"},
		{"unknown op", "POST", "/cycles/{cycle:pA}/participants/{A1}", "version={cv:pA}&op=fly", 400, "不是有效的操作"},
		{"bad meeting date", "POST", "/cycles/{cycle:A}/meeting", "version=0&held_on=2021-13-01", 400, "日期格式应为"},
		{"stale meeting", "POST", "/cycles/{cycle:A}/meeting", "version=7&held_on=2021-01-12", 409, "他人已修改"},
		{"projector page out of range", "GET", "/cycles/{cycle:A}/present?n=99", "", 400, "应在 1 到 1 之间"},
		{"unknown version to compare", "GET", "/reports/{report:sA}/diff?a=5", "", 400, "版本号"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			before, _ := f.st.Cycle(context.Background(), f.cycles["pA"].ID)
			resp, body := f.do("admin", tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.msg) {
				t.Fatalf("status %d, want %d with %q\n%s", resp.StatusCode, tc.status, tc.msg, excerpt(body))
			}
			if after, _ := f.st.Cycle(context.Background(), before.ID); after.Version != before.Version {
				t.Fatal("a refused request changed the cycle")
			}
		})
	}
}
