package web

import (
	"encoding/json"
	"strings"
	"testing"

	"zeren/internal/i18n"
	"zeren/internal/todo"
)

// TestTodoPage: a township's staff gets its report, its items and the urge
// notice, nothing of the other side; the county's leader does not get the
// township's items; a supervisor gets the count to verify; answering the
// notice removes it.
func TestTodoPage(t *testing.T) {
	f := newFixture(t)
	for _, sc := range []scenario{
		{who: "below-a", path: "/todo", status: 200,
			has: []string{"/reports/{report:A}", "/rectifications/{rect:A}#urge-{urge:A}", "/rectifications/{rectp:A}", `data-kind="item_plan"`,
				`data-kind="urge_reply"`, `data-kind="report_write"`, `class="badge"`},
			hasNot: []string{"/rectifications/{rectp:B}", "/reports/{report:B}", `data-kind="verify"`}},
		{who: "below-b", path: "/todo", status: 200, has: []string{"/rectifications/{rectp:B}"}, hasNot: []string{"/rectifications/{rectp:A}"}},
		{who: "leadera", path: "/todo", status: 200, hasNot: []string{"/rectifications/{rectp:A}", "/reports/{report:A}", "#urge-"}},
		{who: "role-supervisor", path: "/todo", status: 200, has: []string{`data-kind="verify"`, "status=awaiting_verification", "unit={A}"},
			hasNot: []string{"/rectifications/{rectp:A}", `data-kind="extension"`, "unit={B}"}},
		{who: "role-organizer", path: "/todo", status: 200, has: []string{`data-kind="extension"`, `data-kind="cycle_step"`, `data-kind="report_review"`, "/cycles/{cycle:A}"},
			hasNot: []string{`data-kind="verify"`, "/cycles/{cycle:B}"}},
		{who: "member-a", path: "/todo", status: 200, has: []string{"/appraisals/{appraisal:A}/ballot"}},
		{who: "nogrant", path: "/todo", status: 200, has: []string{"没有等待您处理的事项"}, hasNot: []string{`class="badge"`}},
		{who: "below-a", path: "/units", status: 200, has: []string{`href="/todo"`, `class="badge"`}},
	} {
		resp, body := f.do(sc.who, "GET", sc.path, "")
		if resp.StatusCode != sc.status {
			t.Fatalf("%s %s: status %d", sc.who, sc.path, resp.StatusCode)
		}
		for _, s := range sc.has {
			if !strings.Contains(body, f.expand(s)) {
				t.Errorf("%s %s: missing %s", sc.who, sc.path, s)
			}
		}
		for _, s := range sc.hasNot {
			if strings.Contains(body, f.expand(s)) {
				t.Errorf("%s %s: has %s", sc.who, sc.path, s)
			}
		}
	}
	// The signed-in home is the to-do.
	if resp, _ := f.do("below-a", "GET", "/", ""); resp.Header.Get("Location") != "/todo" {
		t.Errorf("home sends to %q", resp.Header.Get("Location"))
	}
	// Answering the notice removes it.
	if resp, body := f.do("below-a", "POST", "/urges/{urge:A}/reply", "reply=已按要求加快进度"); resp.StatusCode >= 400 {
		t.Fatalf("reply: %d %s", resp.StatusCode, excerpt(body))
	}
	if _, body := f.do("below-a", "GET", "/todo", ""); strings.Contains(body, "#urge-") || !strings.Contains(body, f.expand("/rectifications/{rectp:A}")) {
		t.Error("the answered notice is still on the to-do, or the rest went")
	}
}

// TestTodoAPI: GET /api/v1/me/todo answers the same entries as JSON, null
// for what is absent.
func TestTodoAPI(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do("role-supervisor", "GET", "/api/v1/me/todo", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, excerpt(body))
	}
	var got struct {
		Items []map[string]any `json:"items"`
		Count int              `json:"count"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Count != len(got.Items) || got.Count == 0 {
		t.Fatalf("count %d, items %d", got.Count, len(got.Items))
	}
	var verify map[string]any
	for _, e := range got.Items {
		if e["kind"] == "verify" {
			verify = e
		}
	}
	if verify == nil || verify["count"] != float64(1) || verify["object_id"] != nil || verify["deadline"] != nil {
		t.Errorf("verify entry: %v", verify)
	}
	if _, ok := verify["detail"]; !ok {
		t.Error("an absent value is left out instead of null")
	}
	if resp, _ := f.do("", "GET", "/api/v1/me/todo", ""); resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	_, body = f.do("below-a", "GET", "/api/v1/me/todo", "")
	if !strings.Contains(body, `"kind":"urge_reply"`) || strings.Contains(body, f.expand(`/rectifications/{rectp:B}"`)) {
		t.Errorf("below-a: %s", excerpt(body))
	}
}

// TestTodoMessages: every kind has its sentence in both languages.
func TestTodoMessages(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range todo.Kinds {
		for _, l := range i18n.Locales {
			key := "todo.kind." + string(k)
			msg := cat.T(l, key)
			if msg == key {
				t.Errorf("%s: no %s", l, key)
			}
			if k.Counts() != strings.Contains(msg, "%d") {
				t.Errorf("%s %s: a count's sentence names the figure, another does not: %q", l, key, msg)
			}
		}
	}
}
