package web

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"zeren/internal/api"
	"zeren/internal/auth"
)

// access says who may use a route and what each kind of caller gets. Paths
// and bodies name the target with {T} (a unit), {T1}, {T2} (two of its
// children), {user:T} and {grant:T} (a staff member of its first child); the matrix runs
// each row for a target inside the caller's grant (A) and outside it (B).
type access struct {
	route   string
	method  string
	path    string
	body    string
	public  bool        // no login needed
	allowed []auth.Role // roles that may, when the target is inside their grant
	ok      int         // status when allowed
	// Statuses for a target outside the grant: for a role that is allowed
	// inside, and for one that is not. Zero means 404 (invisible).
	outsideAllowed, outsideDenied int
	denied                        int // status for a role not allowed, inside; zero means 403
}

var everyone = auth.Roles
var admins = []auth.Role{auth.Admin}
var organizers = []auth.Role{auth.Admin, auth.Organizer}
var writers = []auth.Role{auth.UnitLeader, auth.UnitStaff}
var leaders = []auth.Role{auth.UnitLeader}
var readers = []auth.Role{auth.Admin, auth.Organizer, auth.Supervisor} // of appraisal results

const setupForm = "min_ballots=8&grade_key_0=good&grade_value_0=100&grade_label_1=差&grade_value_1=0&group_name_0=全体&group_weight_0=100"
const commentForm = "version=0&affirmations=工作扎实&problem_text_0=基层党建有短板&problem_severity_0=major&requirements=限期整改"

// roleMatrix is every route of the pages and the API. TestRoleMatrix runs
// each row for anonymous callers and for every role, inside and outside
// the grant, on the test engine; TestEveryRouteInMatrix fails when a route
// has no row.
var roleMatrix = []access{
	{route: "GET /healthz", method: "GET", path: "/healthz", public: true, ok: 200},
	{route: "GET /readyz", method: "GET", path: "/readyz", public: true, ok: 200},
	{route: "GET /metrics", method: "GET", path: "/metrics", public: true, ok: 200},
	{route: "GET /static/{hash}/{file...}", method: "GET", path: "/static/x/app.css", public: true, ok: 200},
	{route: "GET /{$}", method: "GET", path: "/", public: true, ok: 303},
	{route: "GET /login", method: "GET", path: "/login", public: true, ok: 200},
	{route: "POST /login", method: "POST", path: "/login", body: "login=x&password=y", public: true, ok: 401},
	{route: "POST /logout", method: "POST", path: "/logout", public: true, ok: 303},
	{route: "POST /locale", method: "POST", path: "/locale", body: "locale=en", public: true, ok: 303},
	{route: "GET /password/{token}", method: "GET", path: "/password/zpl_unknown", public: true, ok: 404},
	{route: "POST /password/{token}", method: "POST", path: "/password/zpl_unknown", body: "password=brand-new-secret-1&confirm=brand-new-secret-1", public: true, ok: 404},
	{route: "GET /api/v1/openapi.json", method: "GET", path: "/api/v1/openapi.json", public: true, ok: 200},

	{route: "GET /login/totp", method: "GET", path: "/login/totp", allowed: everyone, ok: 303},
	{route: "POST /login/totp", method: "POST", path: "/login/totp", body: "code=000000", allowed: everyone, ok: 303},
	{route: "GET /profile/totp", method: "GET", path: "/profile/totp", allowed: everyone, ok: 200},
	{route: "POST /profile/totp", method: "POST", path: "/profile/totp", body: "secret=x&code=000000", allowed: everyone, ok: 400},
	{route: "GET /profile", method: "GET", path: "/profile", allowed: everyone, ok: 200},
	{route: "GET /todo", method: "GET", path: "/todo", allowed: everyone, ok: 200},
	{route: "POST /profile/password", method: "POST", path: "/profile/password", body: "current=" + testPassword + "&password=brand-new-pass-1&confirm=brand-new-pass-1", allowed: everyone, ok: 303},
	{route: "POST /profile/tokens", method: "POST", path: "/profile/tokens", body: "name=script", allowed: everyone, ok: 200},
	{route: "POST /profile/tokens/{id}/revoke", method: "POST", path: "/profile/tokens/{token:self}/revoke", allowed: everyone, ok: 303},
	{route: "POST /profile/totp/disable", method: "POST", path: "/profile/totp/disable", body: "code=000000", allowed: everyone, ok: 400},
	{route: "GET /settings", method: "GET", path: "/settings", allowed: nil, ok: 200}, // only admins of a whole tree
	{route: "POST /settings", method: "POST", path: "/settings", body: "require_totp=on", allowed: nil, ok: 303},
	{route: "GET /audit", method: "GET", path: "/audit?unit={T}", allowed: []auth.Role{auth.Admin, auth.Supervisor}, ok: 200, outsideAllowed: 400, outsideDenied: 403},

	{route: "GET /units", method: "GET", path: "/units", allowed: everyone, ok: 200},
	{route: "GET /units/pick", method: "GET", path: "/units/pick?q=委", allowed: everyone, ok: 200},
	{route: "GET /units/new", method: "GET", path: "/units/new?parent={T}", allowed: admins, ok: 200},
	{route: "POST /units", method: "POST", path: "/units", body: "parent_id={T}&name=新单位&kind=park", allowed: admins, ok: 303},
	{route: "GET /units/{id}", method: "GET", path: "/units/{T}", allowed: everyone, ok: 200},
	{route: "GET /units/{id}/children", method: "GET", path: "/units/{T}/children", allowed: everyone, ok: 200},
	{route: "POST /units/{id}", method: "POST", path: "/units/{T}", body: "version={v:T}&name=新名称&kind=committee", allowed: admins, ok: 303},
	{route: "POST /units/{id}/move", method: "POST", path: "/units/{T1}/move", body: "version={v:T1}&parent_id={T2}", allowed: admins, ok: 303},
	{route: "POST /units/{id}/archive", method: "POST", path: "/units/{T1}/archive", body: "version={v:T1}&archived=true", allowed: admins, ok: 303},
	{route: "POST /units/{id}/channels", method: "POST", path: "/units/{T}/channels", body: "version=0&webhook_url=https%3A%2F%2Fhooks.example.org%2Fzeren", allowed: admins, ok: 303},
	{route: "POST /units/{id}/channels/test", method: "POST", path: "/units/{T}/channels/test", allowed: admins, ok: 200},

	{route: "GET /cycles", method: "GET", path: "/cycles", allowed: everyone, ok: 200},
	{route: "POST /cycles", method: "POST", path: "/cycles", body: "unit_id={T}&year=2019&title=2019年度", allowed: organizers, ok: 303, outsideAllowed: 400, outsideDenied: 400},
	{route: "GET /cycles/{id}", method: "GET", path: "/cycles/{cycle:T}", allowed: everyone, ok: 200},
	{route: "POST /cycles/{id}", method: "POST", path: "/cycles/{cycle:pT}", body: "version={cv:pT}&year=2022&title=新标题", allowed: organizers, ok: 303},
	{route: "POST /cycles/{id}/areas", method: "POST", path: "/cycles/{cycle:pT}/areas", body: "version={cv:pT}&areas=政治建设", allowed: organizers, ok: 303},
	{route: "POST /cycles/{id}/severities", method: "POST", path: "/cycles/{cycle:pT}/severities", body: "version={cv:pT}&severities=严重%0A一般", allowed: organizers, ok: 303},
	{route: "POST /cycles/{id}/advance", method: "POST", path: "/cycles/{cycle:pT}/advance", body: "version={cv:pT}&to=reporting", allowed: organizers, ok: 303},
	{route: "POST /cycles/{id}/participants", method: "POST", path: "/cycles/{cycle:pT}/participants", body: "version={cv:pT}&unit_id={T2}&mode=written", allowed: organizers, ok: 303},
	{route: "POST /cycles/{id}/participants/{unit}", method: "POST", path: "/cycles/{cycle:pT}/participants/{T1}", body: "version={cv:pT}&op=mode&mode=written", allowed: organizers, ok: 303},
	{route: "POST /cycles/{id}/meeting", method: "POST", path: "/cycles/{cycle:T}/meeting", body: "version=0&held_on=2021-01-12&place=市委常委会议室&chair=刘超", allowed: organizers, ok: 303},
	{route: "GET /cycles/{id}/agenda", method: "GET", path: "/cycles/{cycle:T}/agenda", allowed: everyone, ok: 200},
	{route: "GET /cycles/{id}/present", method: "GET", path: "/cycles/{cycle:T}/present", allowed: everyone, ok: 200},
	{route: "GET /cycles/{id}/booklet", method: "GET", path: "/cycles/{cycle:T}/booklet", allowed: everyone, ok: 200},
	{route: "GET /cycles/{id}/appraisal", method: "GET", path: "/cycles/{cycle:vT}/appraisal", allowed: readers, ok: 200},
	{route: "POST /cycles/{id}/appraisal", method: "POST", path: "/cycles/{cycle:pT}/appraisal", body: setupForm, allowed: organizers, ok: 303},
	{route: "GET /appraisals/{id}", method: "GET", path: "/appraisals/{appraisal:T}", allowed: readers, ok: 200},
	{route: "POST /appraisals/{id}", method: "POST", path: "/appraisals/{appraisal:T}", body: "version={av:T}&" + setupForm, allowed: organizers, ok: 409}, // open: the setup is fixed
	{route: "POST /appraisals/{id}/open", method: "POST", path: "/appraisals/{appraisal:T}/open", body: "version={av:T}", allowed: organizers, ok: 409},
	{route: "POST /appraisals/{id}/close", method: "POST", path: "/appraisals/{appraisal:T}/close", body: "version={av:T}", allowed: organizers, ok: 303},
	{route: "POST /appraisals/{id}/voters", method: "POST", path: "/appraisals/{appraisal:T}/voters", body: "group_id={group:T}&logins=admin", allowed: organizers, ok: 303},
	{route: "POST /appraisals/{id}/voters/{user}/delete", method: "POST", path: "/appraisals/{appraisal:T}/voters/{voter:T}/delete", allowed: organizers, ok: 303},
	{route: "POST /appraisals/{id}/codes", method: "POST", path: "/appraisals/{appraisal:T}/codes", body: "group_id={group:T}&count=2", allowed: organizers, ok: 200},
	{route: "GET /appraisals/{id}/results", method: "GET", path: "/appraisals/{appraisal:T}/results", allowed: readers, ok: 409}, // still open
	{route: "GET /appraisals/{id}/results.xlsx", method: "GET", path: "/appraisals/{appraisal:T}/results.xlsx", allowed: readers, ok: 409},
	{route: "GET /appraisals/{id}/ballot", method: "GET", path: "/appraisals/{appraisal:T}/ballot", allowed: everyone, ok: 200}, // all invited on A
	{route: "POST /appraisals/{id}/ballot", method: "POST", path: "/appraisals/{appraisal:T}/ballot", body: "submission=x&grade_{report:vT}=1&grade_{report:v2T}=0", allowed: everyone, ok: 303},
	{route: "GET /vote", method: "GET", path: "/vote?code={code:A}", public: true, ok: 200},
	{route: "POST /vote", method: "POST", path: "/vote", body: "code={code:A}&submission=x&grade_{report:vA}=2&grade_{report:v2A}=4", public: true, ok: 303},
	{route: "GET /cycles/{id}/comments", method: "GET", path: "/cycles/{cycle:vT}/comments", allowed: organizers, ok: 200},
	{route: "GET /reports/{id}/comment", method: "GET", path: "/reports/{report:vT}/comment", allowed: organizers, ok: 200},
	{route: "POST /reports/{id}/comment", method: "POST", path: "/reports/{report:vT}/comment", body: commentForm, allowed: organizers, ok: 303},
	{route: "POST /reports/{id}/comment/publish", method: "POST", path: "/reports/{report:vT}/comment/publish", body: commentForm, allowed: organizers, ok: 303},
	{route: "POST /reports/{id}/attachments", method: "POST", path: "/reports/{report:T}/attachments", body: multipartFile("会议记录.pdf", "%PDF-1.4 minutes"), allowed: writers, ok: 303},
	{route: "GET /attachments/{id}", method: "GET", path: "/attachments/{file:T}", allowed: everyone, ok: 200},
	{route: "POST /attachments/{id}/delete", method: "POST", path: "/attachments/{file:T}/delete", allowed: writers, ok: 303},
	{route: "GET /reports/{id}/diff", method: "GET", path: "/reports/{report:sT}/diff?a=1&b=0", allowed: everyone, ok: 200},
	{route: "GET /reports/{id}", method: "GET", path: "/reports/{report:T}", allowed: everyone, ok: 200},
	{route: "POST /reports/{id}", method: "POST", path: "/reports/{report:T}", body: "version={rv:T}&achievements_{area:T}=成绩", allowed: writers, ok: 303},
	{route: "POST /reports/{id}/submit", method: "POST", path: "/reports/{report:T}/submit", body: "version={rv:T}", allowed: leaders, ok: 303},
	{route: "POST /reports/{id}/return", method: "POST", path: "/reports/{report:sT}/return", body: "version={rv:sT}&reason=不够深入", allowed: organizers, ok: 303},
	{route: "POST /reports/{id}/accept", method: "POST", path: "/reports/{report:sT}/accept", body: "version={rv:sT}", allowed: organizers, ok: 303},
	{route: "POST /reports/preview", method: "POST", path: "/reports/preview", body: "text=**x**", allowed: everyone, ok: 200},

	{route: "GET /users", method: "GET", path: "/users", allowed: admins, ok: 200},
	{route: "GET /users/new", method: "GET", path: "/users/new", allowed: admins, ok: 200},
	{route: "POST /users", method: "POST", path: "/users", body: "login=wangwu&name=王五&password=another-long-pass&role=staff&unit_id={T}", allowed: admins, ok: 303, outsideAllowed: 400, outsideDenied: 403},
	{route: "GET /users/{id}", method: "GET", path: "/users/{user:T}", allowed: admins, ok: 200, outsideDenied: 403},
	{route: "POST /users/{id}", method: "POST", path: "/users/{user:T}", body: "version={uv:T}&name=新名字", allowed: admins, ok: 303, outsideDenied: 403},
	{route: "POST /users/{id}/grants", method: "POST", path: "/users/{user:T}/grants", body: "role=observer&unit_id={T}", allowed: admins, ok: 303, outsideDenied: 403},
	{route: "POST /users/{id}/password-link", method: "POST", path: "/users/{user:T}/password-link", allowed: admins, ok: 200, outsideDenied: 403},
	{route: "POST /grants/{id}/delete", method: "POST", path: "/grants/{grant:T}/delete", allowed: admins, ok: 303, outsideDenied: 403},

	{route: "GET /api/v1/me/todo", method: "GET", path: "/api/v1/me/todo", allowed: everyone, ok: 200},
	{route: "GET /api/v1/units", method: "GET", path: "/api/v1/units", allowed: everyone, ok: 200},
	{route: "POST /api/v1/units", method: "POST", path: "/api/v1/units", body: `{"parent_id": {T}, "name": "新单位"}`, allowed: admins, ok: 201, outsideAllowed: 400, outsideDenied: 400},
	{route: "GET /api/v1/units/{id}", method: "GET", path: "/api/v1/units/{T}", allowed: everyone, ok: 200},
	{route: "PATCH /api/v1/units/{id}", method: "PATCH", path: "/api/v1/units/{T}", body: `{"version": {v:T}, "leader": "张伟"}`, allowed: admins, ok: 200},
	{route: "GET /api/v1/units/{id}/channels", method: "GET", path: "/api/v1/units/{T}/channels", allowed: admins, ok: 200},
	{route: "PUT /api/v1/units/{id}/channels", method: "PUT", path: "/api/v1/units/{T}/channels", body: `{"version": 0, "webhook_url": "https://hooks.example.org/zeren"}`, allowed: admins, ok: 200},
	{route: "GET /api/v1/cycles", method: "GET", path: "/api/v1/cycles", allowed: everyone, ok: 200},
	{route: "POST /api/v1/cycles", method: "POST", path: "/api/v1/cycles", body: `{"unit_id": {T}, "year": 2019, "title": "2019年度"}`, allowed: organizers, ok: 201, outsideAllowed: 400, outsideDenied: 400},
	{route: "GET /api/v1/cycles/{id}", method: "GET", path: "/api/v1/cycles/{cycle:T}", allowed: everyone, ok: 200},
	{route: "PATCH /api/v1/cycles/{id}", method: "PATCH", path: "/api/v1/cycles/{cycle:pT}", body: `{"version": {cv:pT}, "areas": ["政治建设", "经济社会发展"]}`, allowed: organizers, ok: 200},
	{route: "POST /api/v1/cycles/{id}/advance", method: "POST", path: "/api/v1/cycles/{cycle:pT}/advance", body: `{"version": {cv:pT}, "to": "reporting"}`, allowed: organizers, ok: 200},
	{route: "GET /api/v1/cycles/{id}/reports", method: "GET", path: "/api/v1/cycles/{cycle:T}/reports", allowed: everyone, ok: 200},
	{route: "GET /api/v1/cycles/{id}/meeting", method: "GET", path: "/api/v1/cycles/{cycle:T}/meeting", allowed: everyone, ok: 200},
	{route: "PUT /api/v1/cycles/{id}/meeting", method: "PUT", path: "/api/v1/cycles/{cycle:T}/meeting", body: `{"version": 0, "held_on": "2021-01-12", "place": "市委常委会议室"}`, allowed: organizers, ok: 200},
	{route: "GET /api/v1/reports/{id}/attachments", method: "GET", path: "/api/v1/reports/{report:T}/attachments", allowed: everyone, ok: 200},
	{route: "POST /api/v1/reports/{id}/attachments", method: "POST", path: "/api/v1/reports/{report:T}/attachments", body: `{"name": "a.pdf", "data": "JVBERi0xLjQ="}`, allowed: writers, ok: 201},
	{route: "GET /api/v1/attachments/{id}", method: "GET", path: "/api/v1/attachments/{file:T}", allowed: everyone, ok: 200},
	{route: "GET /api/v1/reports/{id}", method: "GET", path: "/api/v1/reports/{report:T}", allowed: everyone, ok: 200},
	{route: "PATCH /api/v1/reports/{id}", method: "PATCH", path: "/api/v1/reports/{report:T}", body: `{"version": {rv:T}, "sections": [{"area_id": {area:T}, "achievements": "成绩"}]}`, allowed: writers, ok: 200},
	{route: "POST /api/v1/reports/{id}/submit", method: "POST", path: "/api/v1/reports/{report:T}/submit", body: `{"version": {rv:T}}`, allowed: leaders, ok: 200},
	{route: "POST /api/v1/reports/{id}/return", method: "POST", path: "/api/v1/reports/{report:sT}/return", body: `{"version": {rv:sT}, "reason": "不够深入"}`, allowed: organizers, ok: 200},
	{route: "POST /api/v1/reports/{id}/accept", method: "POST", path: "/api/v1/reports/{report:sT}/accept", body: `{"version": {rv:sT}}`, allowed: organizers, ok: 200},
	{route: "GET /api/v1/users", method: "GET", path: "/api/v1/users", allowed: admins, ok: 200},
	{route: "POST /api/v1/users", method: "POST", path: "/api/v1/users", body: `{"login": "wangwu", "name": "王五", "password": "another-long-pass", "grants": [{"role": "staff", "unit_id": {T}}]}`, allowed: admins, ok: 201, outsideAllowed: 400, outsideDenied: 403},
	{route: "GET /api/v1/users/{id}", method: "GET", path: "/api/v1/users/{user:T}", allowed: admins, ok: 200, outsideDenied: 403},
	{route: "PATCH /api/v1/users/{id}", method: "PATCH", path: "/api/v1/users/{user:T}", body: `{"version": {uv:T}, "name": "新名字"}`, allowed: admins, ok: 200, outsideDenied: 403},
	{route: "POST /api/v1/users/{id}/password-link", method: "POST", path: "/api/v1/users/{user:T}/password-link", allowed: admins, ok: 201, outsideDenied: 403},
}

// target rewrites the {T…} placeholders for the inside (A) or outside (B) target.
func target(s, caller string, inside bool) string {
	// The user rows act on a staff member of the target's first sub-unit:
	// an admin changes only users below their own level.
	t, member := "B", "below-b"
	if inside {
		t, member = "A", "below-a"
	}
	voter := "member-" + strings.ToLower(t) // invited to the side's appraisal
	r := strings.NewReplacer("{voter:T}", "{user:"+voter+"}", "{cycle:T}", "{cycle:"+t+"}", "{cycle:pT}", "{cycle:p"+t+"}", "{cv:pT}", "{cv:p"+t+"}",
		"{report:T}", "{report:"+t+"}", "{rv:T}", "{rv:"+t+"}", "{area:T}", "{area:"+t+"}",
		"{report:sT}", "{report:s"+t+"}", "{rv:sT}", "{rv:s"+t+"}", "{file:T}", "{file:"+t+"}",
		"{T}", "{"+t+"}", "{T1}", "{"+t+"1}", "{T2}", "{"+t+"2}", "{v:T}", "{v:"+t+"}",
		"{v:T1}", "{v:"+t+"1}", "{user:T}", "{user:"+member+"}", "{uv:T}", "{uv:"+member+"}",
		"{grant:T}", "{grant:"+member+"}",
		"{cycle:vT}", "{cycle:v"+t+"}", "{report:vT}", "{report:v"+t+"}", "{report:v2T}", "{report:v2"+t+"}", "{appraisal:T}", "{appraisal:"+t+"}",
		"{av:T}", "{av:"+t+"}", "{group:T}", "{group:"+t+"}", "{code:T}", "{code:"+t+"}", "{token:self}", "{token:"+caller+"}", "{note:self}", "{note:"+caller+"}",
		"{rect:T}", "{rect:"+t+"}", "{rectv:T}", "{rectv:"+t+"}", "{rectw:T}", "{rectw:"+t+"}", "{rectwv:T}", "{rectwv:"+t+"}",
		"{rectc:T}", "{rectc:"+t+"}", "{rectcv:T}", "{rectcv:"+t+"}", "{rectp:T}", "{rectp:"+t+"}", "{rectpv:T}", "{rectpv:"+t+"}",
		"{finding:T}", "{finding:"+t+"}", "{fv:T}", "{fv:"+t+"}", "{urge:T}", "{urge:"+t+"}", "{ext:T}", "{ext:"+t+"}",
		"{evidence:T}", "{evidence:"+t+"}")
	return r.Replace(s)
}

// targeted reports whether the row names a target unit (or its user or grant).
func (a access) targeted() bool {
	s := a.path + a.body
	return strings.Contains(s, "{T") || strings.Contains(s, "T}")
}

// expect is the status a caller with role r should get; r == "" is anonymous.
func (a access) expect(r auth.Role, inside bool) int {
	switch {
	case a.public:
		return a.ok
	case r == "" && strings.HasPrefix(a.path, "/api/"):
		return http.StatusUnauthorized
	case r == "":
		return http.StatusSeeOther // to the login page
	}
	allowed := false
	for _, x := range a.allowed {
		allowed = allowed || x == r
	}
	unitless := !a.targeted()
	switch {
	case allowed && (inside || unitless):
		return a.ok
	case !allowed && (inside || unitless):
		return or(a.denied, http.StatusForbidden)
	case allowed:
		return or(a.outsideAllowed, http.StatusNotFound)
	}
	return or(a.outsideDenied, http.StatusNotFound)
}

func or(v, def int) int {
	if v != 0 {
		return v
	}
	return def
}

func TestRoleMatrix(t *testing.T) {
	callers := append([]auth.Role{""}, auth.Roles...)
	// Reads and refused writes share one fixture; every write that should
	// succeed gets a fresh one, so that rows cannot affect each other.
	shared := newFixture(t)
	var mu sync.Mutex
	table := map[string][]string{} // route → "role: in/out" lines, for the note
	for _, a := range roleMatrix {
		for _, r := range callers {
			for _, inside := range []bool{true, false} {
				if a.public && (r != "" || !inside) {
					continue
				}
				where := "outside"
				if inside {
					where = "inside"
				}
				t.Run(fmt.Sprintf("%s/%s/%s", a.route, or2(string(r), "anonymous"), where), func(t *testing.T) {
					t.Parallel()
					want := a.expect(r, inside)
					// A write that should succeed gets a fresh fixture; a refused
					// one changes nothing, so it may share the readers' fixture.
					f := shared
					if a.method != "GET" && (r != "" || a.public) && want < 400 {
						f = newFixture(t)
					}
					who := ""
					if r != "" {
						who = "role-" + string(r)
					}
					resp, body := f.do(who, a.method, target(a.path, who, inside), target(a.body, who, inside))
					if resp.StatusCode != want {
						t.Fatalf("status %d, want %d\n%s", resp.StatusCode, want, excerpt(body))
					}
					mu.Lock()
					table[a.route] = append(table[a.route], fmt.Sprintf("%s %s %d", or2(string(r), "anonymous"), where, want))
					mu.Unlock()
				})
			}
		}
	}
	t.Cleanup(func() { writeRouteTable(t) })
}

func or2(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeRouteTable writes the routes and the roles allowed on each, as
// Markdown, to the file named by ZEREN_ROUTE_TABLE.
func writeRouteTable(t *testing.T) {
	file := os.Getenv("ZEREN_ROUTE_TABLE")
	if file == "" {
		return
	}
	var b strings.Builder
	b.WriteString("| route | who may (target inside their grant) | otherwise |\n|---|---|---|\n")
	rows := append([]access{}, roleMatrix...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].route < rows[j].route })
	for _, a := range rows {
		who := "anyone"
		if !a.public {
			var names []string
			for _, r := range a.allowed {
				names = append(names, string(r))
			}
			switch {
			case a.route == "GET /settings" || a.route == "POST /settings" || a.route == "GET /jobs" || a.route == "POST /jobs/{id}/retry":
				who = "admin with a grant on a root unit"
			case len(a.allowed) == len(auth.Roles):
				who = "every signed-in role"
			default:
				who = strings.Join(names, ", ")
			}
		}
		var otherwise []string
		if !a.public {
			otherwise = append(otherwise, fmt.Sprintf("anonymous %d", a.expect("", true)))
			if len(a.allowed) < len(auth.Roles) {
				otherwise = append(otherwise, fmt.Sprintf("other roles %d", a.expect(auth.Observer, true)))
			}
			if a.targeted() {
				otherwise = append(otherwise, fmt.Sprintf("unit outside the grant %d", a.expect(auth.Admin, false)))
			}
		}
		if len(otherwise) == 0 {
			otherwise = []string{"—"}
		}
		fmt.Fprintf(&b, "| `%s` | %s (%d) | %s |\n", a.route, who, a.ok, strings.Join(otherwise, "; "))
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Error(err)
	}
}

// TestEveryRouteInMatrix fails when a route is added without a row in the
// role matrix.
func TestEveryRouteInMatrix(t *testing.T) {
	f := newFixture(t)
	covered := map[string]bool{}
	for _, a := range roleMatrix {
		covered[a.route] = true
	}
	srv, err := New(f.st, mustCatalog(t), discardLog(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, r := range srv.routeTable() {
		patterns = append(patterns, r.pattern)
	}
	for _, r := range api.New(f.st, mustCatalog(t), discardLog(), 1<<20, "").Routes() {
		patterns = append(patterns, r.Pattern)
	}
	for _, p := range patterns {
		if !covered[p] {
			t.Errorf("route %q has no row in the role matrix", p)
		}
	}
}
