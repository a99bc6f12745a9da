package web

import (
	"strings"
	"testing"
)

// scenario is one request and what must come back.
type scenario struct {
	route  string // the route pattern it covers
	who    string // "" for anonymous
	method string
	path   string
	body   string
	status int
	has    []string // substrings the body must contain
	hasNot []string // substrings it must not contain
}

// matrix holds scenarios that check what pages and API answers contain, for
// the kinds of access that matter: anonymous, allowed, visible but forbidden
// (403), invisible (404). The statuses of every role on every route are in
// roleMatrix.
var matrix = []scenario{
	{route: "GET /healthz", method: "GET", path: "/healthz", status: 200, has: []string{"ok"}},
	{route: "GET /readyz", method: "GET", path: "/readyz", status: 200, has: []string{"ready"}},
	{route: "GET /metrics", method: "GET", path: "/metrics", status: 200, has: []string{"go_goroutines"}},
	{route: "GET /static/{hash}/{file...}", method: "GET", path: "/static/x/app.css", status: 200, has: []string{"zeren"}},
	{route: "GET /static/{hash}/{file...}", method: "GET", path: "/static/x/nope.css", status: 404},

	{route: "GET /{$}", method: "GET", path: "/", status: 303},
	{route: "GET /{$}", who: "admin", method: "GET", path: "/", status: 303},
	{route: "GET /todo", method: "GET", path: "/todo", status: 303},
	{route: "GET /todo", who: "below-a", method: "GET", path: "/todo", status: 200, has: []string{"待办", "/rectifications/{rectp:A}"}, hasNot: []string{"/rectifications/{rectp:B}"}},
	{route: "GET /api/v1/me/todo", method: "GET", path: "/api/v1/me/todo", status: 401},
	{route: "GET /api/v1/me/todo", who: "below-b", method: "GET", path: "/api/v1/me/todo", status: 200, has: []string{`"kind":"item_plan"`}},
	{route: "GET /login", method: "GET", path: "/login", status: 200, has: []string{`name="password"`, "登录"}},
	{route: "POST /login", method: "POST", path: "/login", body: "login=admin&password=wrong-password", status: 401, has: []string{"登录名或密码错误"}},
	{route: "POST /login", method: "POST", path: "/login", body: "login=ghost&password=wrong-password", status: 401, has: []string{"登录名或密码错误"}},
	{route: "POST /login", method: "POST", path: "/login", body: "login=admin&password=" + testPassword, status: 303},
	{route: "POST /logout", who: "admin", method: "POST", path: "/logout", status: 303},
	{route: "POST /locale", method: "POST", path: "/locale", body: "locale=en&next=/login", status: 303},
	{route: "POST /locale", method: "POST", path: "/locale", body: "locale=fr", status: 400, has: []string{"不支持该语言"}},

	{route: "GET /units", method: "GET", path: "/units", status: 303},
	{route: "GET /units", who: "admin", method: "GET", path: "/units", status: 200, has: []string{"中共绵阳市委"}},
	{route: "GET /units", who: "leadera", method: "GET", path: "/units", status: 200, has: []string{"中共涪城区委"}, hasNot: []string{"中共绵阳市委", "游仙"}},
	{route: "GET /units", who: "nogrant", method: "GET", path: "/units", status: 200, has: []string{"您暂无任何单位的权限"}},
	{route: "GET /units", who: "leadera", method: "GET", path: "/units?q=委", status: 200, has: []string{"涪城"}, hasNot: []string{"游仙"}},
	{route: "GET /units/pick", who: "admin", method: "GET", path: "/units/pick?q=游仙", status: 200, has: []string{`value="{B}"`}},
	{route: "GET /units/pick", who: "leadera", method: "GET", path: "/units/pick?q=涪城", status: 200, hasNot: []string{`value="{A}"`}},
	{route: "GET /units/new", who: "admin", method: "GET", path: "/units/new?parent={A}", status: 200, has: []string{`name="name"`}},
	{route: "GET /units/new", who: "leadera", method: "GET", path: "/units/new?parent={A}", status: 403},
	{route: "GET /units/new", who: "admina", method: "GET", path: "/units/new?parent={B}", status: 404},
	{route: "GET /units/new", who: "admin", method: "GET", path: "/units/new?parent=abc", status: 400, has: []string{"parent"}},
	{route: "POST /units", who: "admin", method: "POST", path: "/units", body: "parent_id={A}&name=新单位&kind=park", status: 303},
	{route: "POST /units", who: "admina", method: "POST", path: "/units", body: "parent_id={A}&name=新单位&kind=park", status: 303},
	{route: "POST /units", who: "leadera", method: "POST", path: "/units", body: "parent_id={A}&name=新单位&kind=park", status: 403},
	{route: "POST /units", who: "admina", method: "POST", path: "/units", body: "parent_id={B}&name=新单位&kind=park", status: 404},
	{route: "POST /units", method: "POST", path: "/units", body: "parent_id={A}&name=x&kind=park", status: 303},
	{route: "GET /units/{id}", who: "admin", method: "GET", path: "/units/{A}", status: 200, has: []string{"中共涪城区委", "城厢街道党工委", `action="/units/{A}/move"`}},
	{route: "GET /units/{id}", who: "leadera", method: "GET", path: "/units/{A}", status: 200, has: []string{"中共涪城区委"}, hasNot: []string{`action="/units/{A}/move"`}},
	{route: "GET /units/{id}", who: "leadera", method: "GET", path: "/units/{B}", status: 404, hasNot: []string{"游仙"}},
	{route: "GET /units/{id}", who: "admin", method: "GET", path: "/units/999999", status: 404},
	{route: "GET /units/{id}", who: "admin", method: "GET", path: "/units/abc", status: 404},
	{route: "GET /units/{id}/children", who: "admin", method: "GET", path: "/units/{root}/children", status: 200, has: []string{"中共涪城区委", "中共游仙区委"}},
	{route: "GET /units/{id}/children", who: "leadera", method: "GET", path: "/units/{root}/children", status: 404},
	{route: "POST /units/{id}", who: "admin", method: "POST", path: "/units/{A}", body: "version={v:A}&name=涪城区委&kind=committee", status: 303},
	{route: "POST /units/{id}", who: "observer", method: "POST", path: "/units/{A}", body: "version={v:A}&name=涪城区委&kind=committee", status: 403},
	{route: "POST /units/{id}", who: "admina", method: "POST", path: "/units/{B}", body: "version={v:B}&name=x&kind=committee", status: 404},
	{route: "POST /units/{id}/move", who: "admin", method: "POST", path: "/units/{A1}/move", body: "version={v:A1}&parent_id={B}", status: 303},
	{route: "POST /units/{id}/move", who: "admina", method: "POST", path: "/units/{A1}/move", body: "version={v:A1}&parent_id={B}", status: 400, has: []string{"不存在或不在您的权限范围内"}},
	{route: "POST /units/{id}/move", who: "leadera", method: "POST", path: "/units/{A1}/move", body: "version={v:A1}&parent_id={A}", status: 403},
	{route: "POST /units/{id}/archive", who: "admin", method: "POST", path: "/units/{A1}/archive", body: "version={v:A1}&archived=true", status: 303},
	{route: "POST /units/{id}/archive", who: "observer", method: "POST", path: "/units/{A1}/archive", body: "version={v:A1}&archived=true", status: 403},

	{route: "GET /users", method: "GET", path: "/users", status: 303},
	{route: "GET /users", who: "admin", method: "GET", path: "/users", status: 200, has: []string{"leadera", "observer", "nogrant"}},
	{route: "GET /users", who: "admina", method: "GET", path: "/users", status: 200, has: []string{"leadera", "nogrant"}, hasNot: []string{">observer<"}},
	{route: "GET /users", who: "leadera", method: "GET", path: "/users", status: 403},
	{route: "GET /users/new", who: "admin", method: "GET", path: "/users/new", status: 200, has: []string{`name="login"`}},
	{route: "GET /users/new", who: "observer", method: "GET", path: "/users/new", status: 403},
	{route: "POST /users", who: "admin", method: "POST", path: "/users", body: "login=wangwu&name=王五&password=another-long-pass&role=staff&unit_id={A}", status: 303},
	{route: "POST /users", who: "admina", method: "POST", path: "/users", body: "login=wangwu&name=王五&password=another-long-pass&role=staff&unit_id={B}", status: 400, has: []string{"不存在或不在您的权限范围内"}},
	{route: "POST /users", who: "leadera", method: "POST", path: "/users", body: "login=wangwu&name=王五&password=another-long-pass&role=staff&unit_id={A}", status: 403},
	{route: "GET /users/{id}", who: "admin", method: "GET", path: "/users/{user:leadera}", status: 200, has: []string{"leadera", "中共涪城区委"}},
	{route: "GET /users/{id}", who: "admina", method: "GET", path: "/users/{user:leadera}", status: 200},
	{route: "GET /users/{id}", who: "admina", method: "GET", path: "/users/{user:observer}", status: 404},
	{route: "GET /users/{id}", who: "leadera", method: "GET", path: "/users/{user:leadera}", status: 403},
	{route: "POST /users/{id}", who: "admin", method: "POST", path: "/users/{user:leadera}", body: "version={uv:leadera}&name=张伟&locale=en", status: 303},
	{route: "POST /users/{id}", who: "admina", method: "POST", path: "/users/{user:observer}", body: "version={uv:observer}&name=x", status: 404},
	{route: "POST /users/{id}/grants", who: "admin", method: "POST", path: "/users/{user:leadera}/grants", body: "role=observer&unit_id={B}", status: 303},
	{route: "POST /users/{id}/grants", who: "admina", method: "POST", path: "/users/{user:leadera}/grants", body: "role=observer&unit_id={A1}", status: 403, has: []string{"最高层级管理员"}}, // a grant at admina's own level
	{route: "POST /users/{id}/grants", who: "admina", method: "POST", path: "/users/{user:below-a}/grants", body: "role=observer&unit_id={B}", status: 400},
	{route: "POST /users/{id}/grants", who: "admina", method: "POST", path: "/users/{user:below-a}/grants", body: "role=observer&unit_id={A2}", status: 303},
	{route: "POST /grants/{id}/delete", who: "admin", method: "POST", path: "/grants/{grant:leadera}/delete", status: 303},
	{route: "POST /grants/{id}/delete", who: "admina", method: "POST", path: "/grants/{grant:observer}/delete", status: 404},
	{route: "POST /grants/{id}/delete", who: "leadera", method: "POST", path: "/grants/{grant:leadera}/delete", status: 403},

	{route: "GET /api/v1/openapi.json", method: "GET", path: "/api/v1/openapi.json", status: 200, has: []string{`"openapi"`}},
	{route: "GET /api/v1/units", method: "GET", path: "/api/v1/units", status: 401, has: []string{`"unauthorized"`}},
	{route: "GET /api/v1/units", who: "admin", method: "GET", path: "/api/v1/units", status: 200, has: []string{"中共绵阳市委"}},
	{route: "GET /api/v1/units", who: "leadera", method: "GET", path: "/api/v1/units?parent={root}", status: 200, hasNot: []string{"游仙"}},
	{route: "POST /api/v1/units", who: "admin", method: "POST", path: "/api/v1/units", body: `{"parent_id": {A}, "name": "新单位", "kind": "park"}`, status: 201, has: []string{`"name":"新单位"`}},
	{route: "POST /api/v1/units", who: "leadera", method: "POST", path: "/api/v1/units", body: `{"parent_id": {A}, "name": "新单位"}`, status: 403, has: []string{`"forbidden"`}},
	{route: "POST /api/v1/units", who: "admina", method: "POST", path: "/api/v1/units", body: `{"parent_id": {B}, "name": "新单位"}`, status: 400, has: []string{`"field":"parent_id"`}},
	{route: "GET /api/v1/units/{id}", who: "admin", method: "GET", path: "/api/v1/units/{A}", status: 200, has: []string{`"path":"/`}},
	{route: "GET /api/v1/units/{id}", who: "leadera", method: "GET", path: "/api/v1/units/{B}", status: 404, has: []string{`"not_found"`}},
	{route: "PATCH /api/v1/units/{id}", who: "admin", method: "PATCH", path: "/api/v1/units/{A}", body: `{"version": {v:A}, "leader": "张伟"}`, status: 200, has: []string{`"leader":"张伟"`}},
	{route: "PATCH /api/v1/units/{id}", who: "leadera", method: "PATCH", path: "/api/v1/units/{A}", body: `{"version": {v:A}, "leader": "张伟"}`, status: 403},
	{route: "GET /api/v1/users", who: "admin", method: "GET", path: "/api/v1/users", status: 200, has: []string{`"login":"leadera"`}},
	{route: "GET /api/v1/users", who: "observer", method: "GET", path: "/api/v1/users", status: 403},
	{route: "POST /api/v1/users", who: "admin", method: "POST", path: "/api/v1/users", body: `{"login": "wangwu", "name": "王五", "password": "another-long-pass", "grants": [{"role": "staff", "unit_id": {A}}]}`, status: 201, has: []string{`"role":"staff"`}},
	{route: "POST /api/v1/users", who: "leadera", method: "POST", path: "/api/v1/users", body: `{"login": "wangwu", "name": "王五", "password": "another-long-pass"}`, status: 403},
	{route: "GET /api/v1/users/{id}", who: "admin", method: "GET", path: "/api/v1/users/{user:leadera}", status: 200, has: []string{`"grants":[`}},
	{route: "GET /api/v1/users/{id}", who: "admina", method: "GET", path: "/api/v1/users/{user:observer}", status: 404},
	{route: "PATCH /api/v1/users/{id}", who: "admin", method: "PATCH", path: "/api/v1/users/{user:leadera}", body: `{"version": {uv:leadera}, "name": "张伟"}`, status: 200, has: []string{`"name":"张伟"`}},
	{route: "PATCH /api/v1/users/{id}", who: "admin", method: "PATCH", path: "/api/v1/users/{user:leadera}", body: `{"version": 999, "name": "张伟"}`, status: 409, has: []string{`"conflict"`}},
	// The inbox, the contact, the stall days and the jobs page.
	{route: "GET /inbox", method: "GET", path: "/inbox", status: 303},
	{route: "GET /inbox", who: "leadera", method: "GET", path: "/inbox", status: 200, has: []string{`href="/inbox/{note:leadera}"`, "民主测评已开始"}, hasNot: []string{`href="/inbox/{note:member-b}"`}},
	{route: "GET /inbox/{id}", who: "leadera", method: "GET", path: "/inbox/{note:leadera}", status: 303},
	{route: "GET /inbox/{id}", who: "leadera", method: "GET", path: "/inbox/{note:member-b}", status: 404},
	{route: "POST /inbox/read", who: "leadera", method: "POST", path: "/inbox/read", status: 303},
	{route: "POST /profile/contact", who: "leadera", method: "POST", path: "/profile/contact", body: "email=zhang%40example.org&channels=email", status: 303},
	{route: "POST /profile/contact", who: "leadera", method: "POST", path: "/profile/contact", body: "channels=email", status: 400, has: []string{"电子邮件: 接收邮件需要填写邮箱地址"}},
	{route: "POST /cycles/{id}/stall-days", who: "role-supervisor", method: "POST", path: "/cycles/{cycle:A}/stall-days", body: "stall_days=7", status: 303},
	{route: "POST /cycles/{id}/stall-days", who: "role-organizer", method: "POST", path: "/cycles/{cycle:A}/stall-days", body: "stall_days=7", status: 403},
	{route: "POST /cycles/{id}/stall-days", who: "role-supervisor", method: "POST", path: "/cycles/{cycle:A}/stall-days", body: "stall_days=91", status: 400, has: []string{"无进展天数: "}},
	{route: "GET /jobs", who: "admin", method: "GET", path: "/jobs", status: 200, has: []string{"本进程未运行任务队列"}},
	{route: "GET /jobs", who: "admina", method: "GET", path: "/jobs", status: 403},
	{route: "POST /jobs/{id}/retry", who: "admin", method: "POST", path: "/jobs/999999/retry", status: 404},
	{route: "POST /jobs/{id}/retry", who: "leadera", method: "POST", path: "/jobs/999999/retry", status: 403},
	{route: "GET /api/v1/me/notifications", who: "leadera", method: "GET", path: "/api/v1/me/notifications", status: 200, has: []string{`"id":{note:leadera}`, `"unread":1`, `"read_at":null`}, hasNot: []string{`"id":{note:member-b}`}},
	{route: "POST /api/v1/me/notifications/{id}/read", who: "leadera", method: "POST", path: "/api/v1/me/notifications/{note:leadera}/read", status: 200, has: []string{`"read_at":"`}},
	{route: "POST /api/v1/me/notifications/{id}/read", who: "leadera", method: "POST", path: "/api/v1/me/notifications/{note:member-b}/read", status: 404, has: []string{`"not_found"`}},
	{route: "POST /api/v1/me/notifications/read", who: "leadera", method: "POST", path: "/api/v1/me/notifications/read", status: 200, has: []string{`"read":1`}},
	{route: "GET /api/v1/me/contact", who: "leadera", method: "GET", path: "/api/v1/me/contact", status: 200, has: []string{`"email":null`}},
	{route: "PUT /api/v1/me/contact", who: "leadera", method: "PUT", path: "/api/v1/me/contact", body: `{"email": "zhang@example.org", "channels": ["email"]}`, status: 200, has: []string{`"email":"zhang@example.org"`}},
	{route: "PUT /api/v1/me/contact", who: "leadera", method: "PUT", path: "/api/v1/me/contact", body: `{"channels": ["fax"]}`, status: 400, has: []string{`"field":"channels"`}},
	{route: "PATCH /api/v1/cycles/{id}", who: "role-supervisor", method: "PATCH", path: "/api/v1/cycles/{cycle:A}", body: `{"stall_days": 7}`, status: 200, has: []string{`"stall_days":7`}},
}

func TestScenarios(t *testing.T) {
	for _, sc := range matrix {
		name := sc.route + " as " + sc.who + " " + sc.path
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			resp, body := f.do(sc.who, sc.method, sc.path, sc.body)
			if resp.StatusCode != sc.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, sc.status, excerpt(body))
			}
			for _, s := range sc.has {
				if !strings.Contains(body, f.expand(s)) {
					t.Errorf("body lacks %q\n%s", f.expand(s), excerpt(body))
				}
			}
			for _, s := range sc.hasNot {
				if strings.Contains(body, f.expand(s)) {
					t.Errorf("body has %q\n%s", f.expand(s), excerpt(body))
				}
			}
		})
	}
}

func excerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500]
	}
	return s
}
