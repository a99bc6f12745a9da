package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"zeren/internal/api"
	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/store"
)

// Payloads that PostgreSQL would refuse and SQLite would store, and text
// longer than any field allows.
var (
	nulText     = "整改\x00措施"
	invalidText = "整改\xff\xfe措施"
	longText    = strings.Repeat("长", 3000) // 9,000 bytes: past every field's limit and PostgreSQL's index entries
)

// Where the text goes (textProbe.request).
const (
	inPath      = iota // a path value
	inQuery            // a query parameter's value
	inField            // a form field's value, a JSON string or a file name
	inFieldName        // a query parameter's, form field's or JSON member's name
	places
)

// textProbe sends text into the routes of the role matrix (every route of
// the pages and the API), as the admin of the root unit, inside the tree.
type textProbe struct {
	fx            *fixture
	h             http.Handler
	rows          []access // the role matrix, in a fixed order
	cookie, token string
}

func newTextProbe(t testing.TB) *textProbe {
	fx := newFixture(t)
	rows := slices.Clone(roleMatrix)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].route < rows[j].route })
	return &textProbe{fx: fx, h: fx.ts.Config.Handler, rows: rows, cookie: fx.cookie["admin"], token: fx.token["admin"]}
}

// send makes the request and checks that the answer is no server error,
// and a 400 for text that cannot be stored wherever the edge sees it as sent.
func (p *textProbe) send(t testing.TB, req *http.Request, strict bool, a access, text string) {
	t.Helper()
	if strings.HasPrefix(req.URL.Path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+p.token)
	} else {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: p.cookie})
	}
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, req)
	if rec.Code >= 500 || (strict && !api.StorableText(text) && rec.Code != http.StatusBadRequest) {
		t.Fatalf("%s %s with %.60q: %d\n%s", req.Method, req.URL, text, rec.Code, excerpt(rec.Body.String()))
	}
	// Some routes end the admin's session or revoke its token: start anew.
	switch a.route {
	case "POST /logout", "POST /profile/password", "POST /profile/tokens/{id}/revoke":
		var err error
		by := audit.Actor{UserID: p.fx.users["admin"].ID, Login: "admin"}
		if p.cookie, err = p.fx.st.CreateSession(context.Background(), by, ""); err != nil {
			t.Fatal(err)
		}
		if p.token, err = p.fx.st.CreateAPIToken(context.Background(), by, by.UserID, "fuzz"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEveryRouteText sends NUL, invalid UTF-8 and oversized text into every
// route, in its path values, query parameters, form fields, JSON values and
// file names (up to three of each; one for the long text) and as a new
// field's name, on the test engine: never a 5xx, and a 400 wherever the
// edge sees the text as sent.
func TestEveryRouteText(t *testing.T) {
	p := newTextProbe(t)
	for _, a := range p.rows {
		for _, text := range []string{nulText, invalidText, longText} {
			seen := map[string]bool{}
			// Long text reaches the handlers (and argon2, for passwords),
			// which is slow under -race: the first of each place for it.
			n := 3 * places
			if text == longText {
				n = places
			}
			for where := 0; where < n; where++ {
				req, strict := textRequest(p.fx, a, where, text)
				b, _ := io.ReadAll(req.Body)
				key := req.Method + " " + req.URL.String() + " " + string(b)
				if seen[key] {
					continue
				}
				seen[key] = true
				req.Body = io.NopCloser(bytes.NewReader(b))
				p.send(t, req, strict, a, text)
			}
		}
	}
}

// FuzzEveryRoute puts arbitrary text in a place of a route, as
// TestEveryRouteText does with its three texts.
func FuzzEveryRoute(f *testing.F) {
	p := newTextProbe(f)
	texts := []string{nulText, invalidText, longText, "", "x"}
	for i := range p.rows {
		f.Add(uint16(i), uint8(i%(2*places)), texts[i%len(texts)])
	}
	f.Fuzz(func(t *testing.T, row uint16, where uint8, text string) {
		a := p.rows[int(row)%len(p.rows)]
		req, strict := textRequest(p.fx, a, int(where), text)
		p.send(t, req, strict, a, text)
	})
}

// textRequest builds the row's request with text put in the place chosen by
// where (its low bits the kind of place, the rest which one). strict reports
// whether the text reaches the edge's checks unchanged, so that text that
// cannot be stored must get a 400.
func textRequest(fx *fixture, a access, where int, text string) (req *http.Request, strict bool) {
	kind, which := where%places, where/places
	path := fx.expand(target(a.path, "admin", true))
	// Requiring a second factor would keep the admin out of every page
	// that follows; the row's other fields are fuzzed all the same.
	body := fx.expand(target(strings.ReplaceAll(a.body, "require_totp=on", "require_totp="), "admin", true))
	path, rawQuery, _ := strings.Cut(path, "?")
	query, _ := url.ParseQuery(rawQuery)
	multipart := strings.HasPrefix(body, "--"+testBoundary)
	isJSON := strings.HasPrefix(path, "/api/") && !multipart && body != ""
	pattern := strings.Split(a.route[strings.IndexByte(a.route, '/'):], "/")
	var wild []int // the path's segments that are path values
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") && p != "{$}" {
			wild = append(wild, i)
		}
	}
	if kind == inPath && len(wild) == 0 || kind == inField && body == "" {
		kind = inQuery
	}
	strict = true
	switch {
	case kind == inPath:
		segs := strings.Split(path, "/")
		segs[wild[which%len(wild)]] = url.PathEscape(text)
		path = strings.Join(segs, "/")
	case kind == inQuery:
		setNth(query, which, "q", text)
	case kind == inFieldName && body == "":
		query.Add(text, "x")
	case kind == inFieldName && multipart:
		body, strict = multipartValue(text, "x"), false
	case kind == inFieldName && isJSON:
		body, strict = jsonWith(body, which, text, true), false
	case kind == inFieldName:
		vs, _ := url.ParseQuery(body)
		vs.Add(text, "x")
		body = vs.Encode()
	case multipart && which%2 == 0:
		body, strict = multipartFileStar(text, "%PDF-1.4 x"), false
	case multipart:
		body, strict = multipartValue("text", text), false
	case isJSON:
		body, strict = jsonWith(body, which, text, false), false
	default:
		vs, _ := url.ParseQuery(body)
		setNth(vs, which, "name", text)
		body = vs.Encode()
	}
	rawQuery = query.Encode()
	target := path
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	req = httptest.NewRequest(a.method, target, strings.NewReader(body))
	switch {
	case multipart:
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+testBoundary)
	case isJSON:
		req.Header.Set("Content-Type", "application/json")
	case body != "":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, strict
}

// setNth sets the value of the nth name of vs (in order of names), or adds
// name when n is past them.
func setNth(vs url.Values, n int, name, text string) {
	keys := slices.Sorted(maps.Keys(vs))
	if n%(len(keys)+1) < len(keys) {
		name = keys[n%(len(keys)+1)]
	}
	vs.Set(name, text)
}

// multipartValue is a multipart body with one field, name=value.
func multipartValue(name, value string) string {
	return "--" + testBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
		value + "\r\n--" + testBoundary + "--\r\n"
}

// multipartFileStar uploads a file whose name is written in the RFC 5987
// form, filename*= with UTF-8 percent-escapes, which carries any byte.
func multipartFileStar(name, content string) string {
	enc := strings.ReplaceAll(url.QueryEscape(name), "+", "%20")
	return "--" + testBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''" + enc +
		"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + testBoundary + "--\r\n"
}

// jsonWith puts text into a JSON body: as the nth scalar (in document
// order), or with name set, as the name of a new member of the top object.
// The text is written as is, invalid UTF-8 included, which encoding/json
// would have replaced.
func jsonWith(body string, n int, text string, name bool) string {
	const mark = "\x01fuzz\x01"
	var v any
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return body
	}
	if m, ok := v.(map[string]any); ok && name {
		m[mark] = "x"
	} else {
		var leaves []func(any)
		var walk func(x any, set func(any))
		walk = func(x any, set func(any)) {
			switch x := x.(type) {
			case map[string]any:
				for _, k := range slices.Sorted(maps.Keys(x)) {
					walk(x[k], func(y any) { x[k] = y })
				}
			case []any:
				for i := range x {
					walk(x[i], func(y any) { x[i] = y })
				}
			default:
				leaves = append(leaves, set)
			}
		}
		walk(v, func(y any) { v = y })
		leaves[n%len(leaves)](mark)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return strings.Replace(string(b), `"\u0001fuzz\u0001"`, rawJSONString(text), 1)
}

// rawJSONString quotes s for JSON, escaping quotes, backslashes and control
// characters and keeping every other byte as it is.
func rawJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestTextAtTheEdge sends NUL and invalid UTF-8 through each kind of input
// — JSON, urlencoded and multipart forms, file names, query parameters,
// path values — on both engines: the answer is 400 naming the field, in
// the page or the API's error body, and nothing changed.
func TestTextAtTheEdge(t *testing.T) {
	f := newFixture(t)
	cat := mustCatalog(t)
	ctx := context.Background()
	unitA := func() string { // what a refused change must leave alone
		u, err := f.st.Unit(ctx, f.units["A"].ID)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d %s %s", u.Version, u.Name, u.Leader)
	}
	report := func() string {
		r := mustReport(t, f.st, f.reports["A"].ID)
		b, _ := json.Marshal(r.Sections)
		return fmt.Sprintf("%d %s", r.Version, b)
	}
	attachments := func() string {
		as, err := f.st.Attachments(ctx, f.reports["A"].ID)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(len(as))
	}
	rect := func() string {
		x, err := f.st.Rectification(ctx, f.rects["rect:A"])
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d %s", x.Version, x.Progress)
	}
	children := func() string {
		id := f.units["A"].ID
		u, err := f.st.Units(ctx, store.UnitFilter{Scopes: []string{f.units["A"].Path}, ParentID: &id})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(len(u))
	}
	tokens := func() string {
		ts, err := f.st.APITokens(ctx, f.users["admin"].ID)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(len(ts))
	}
	none := func() string { return "" }
	for _, bad := range []struct{ name, form, json string }{
		{"NUL", "%00", `\u0000`},
		{"invalid UTF-8", "%FF", "\xff"},
	} {
		for _, tc := range []struct {
			name, method, path, body, field string
			state                           func() string
		}{
			{"JSON value", "PATCH", "/api/v1/units/{A}", `{"version": {v:A}, "name": "涪城` + bad.json + `区委"}`, "name", unitA},
			{"JSON value, nested", "PATCH", "/api/v1/reports/{report:A}",
				`{"version": {rv:A}, "sections": [{"area_id": {area:A}, "achievements": "成绩` + bad.json + `"}]}`, "sections.achievements", report},
			{"JSON member name", "POST", "/api/v1/units", `{"parent_id": {A}, "name": "新单位", "ki` + bad.json + `nd": "park"}`, "body", children},
			{"JSON file name", "POST", "/api/v1/reports/{report:A}/attachments", `{"name": "a` + bad.json + `.pdf", "data": "JVBERi0xLjQ="}`, "name", attachments},
			{"API query", "GET", "/api/v1/rectifications?cycle={cycle:vA}&status=in" + bad.form, "", "status", none},
			{"API path value", "GET", "/api/v1/units/1" + bad.form, "", "id", none},
			{"form", "POST", "/units/{A}", "version={v:A}&name=涪城" + bad.form + "区委&kind=committee", "name", unitA},
			{"form field name", "POST", "/units/{A}", "version={v:A}&name=涪城区委&kind=committee&x" + bad.form + "=1", "body", unitA},
			{"login form", "POST", "/login", "login=admin" + bad.form + "&password=" + testPassword, "login", none},
			{"token name", "POST", "/profile/tokens", "name=script" + bad.form, "name", tokens},
			{"multipart field", "POST", "/rectifications/{rect:A}/updates", multipartValue("text", "已完成"+unescape(bad.form)), "text", rect},
			{"multipart file name", "POST", "/reports/{report:A}/attachments", multipartFileStar("会议"+unescape(bad.form)+".pdf", "%PDF-1.4 x"), "file", attachments},
			{"API multipart file name", "POST", "/api/v1/cycles/{cycle:vA}/findings/import", multipartFileStar("反馈"+unescape(bad.form)+".xlsx", "x"), "file", none},
			{"ledger search", "GET", "/ledger?q=整改" + bad.form, "", "q", none},
			{"unit search", "GET", "/units?q=委" + bad.form, "", "q", none},
			{"audit filter", "GET", "/audit?action=unit" + bad.form, "", "action", none},
			{"page path value", "GET", "/units/" + bad.form, "", "id", none},
		} {
			t.Run(bad.name+"/"+tc.name, func(t *testing.T) {
				before := tc.state()
				var header []string
				if strings.HasPrefix(tc.body, "--") {
					header = []string{"Content-Type", "multipart/form-data; boundary=" + testBoundary}
				}
				who := "admin"
				if strings.Contains(tc.path, "reports/") || strings.HasPrefix(tc.path, "/rectifications/") {
					who = "leadera" // who writes reports and updates; the admin may not
				}
				resp, body := f.do(who, tc.method, tc.path, tc.body, header...)
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d, want 400\n%s", resp.StatusCode, excerpt(body))
				}
				if strings.HasPrefix(tc.path, "/api/") {
					if !strings.Contains(body, `"field":"`+tc.field+`"`) || !strings.Contains(body, `"code":"invalid"`) {
						t.Errorf("body does not name %s: %s", tc.field, body)
					}
				} else if msg := cat.Error("zh-CN", apperr.Field(tc.field, "err.bad_text")); !strings.Contains(body, html.EscapeString(msg)) {
					t.Errorf("page lacks %q\n%s", msg, excerpt(body))
				}
				if after := tc.state(); after != before {
					t.Errorf("changed: %s, was %s", after, before)
				}
			})
		}
	}
}

// TestTextAnonymousUpload: an anonymous caller's upload is not read at
// the edge; the page sends it to log in, as it did before.
func TestTextAnonymousUpload(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do("", "POST", "/reports/{report:A}/attachments", multipartFileStar("a\x00.pdf", "%PDF-1.4 x"),
		"Content-Type", "multipart/form-data; boundary="+testBoundary)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", resp.StatusCode, excerpt(body))
	}
}

func unescape(s string) string {
	u, err := url.PathUnescape(s)
	if err != nil {
		panic(err)
	}
	return u
}
