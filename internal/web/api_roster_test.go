package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"zeren/internal/store"
)

// rosterOut is the JSON answer of an import.
type rosterOut struct {
	Error *struct {
		Code, Message, Field string
	} `json:"error"`
	Rows    int            `json:"rows"`
	DryRun  bool           `json:"dry_run"`
	Counts  map[string]int `json:"counts"`
	Changes []struct {
		Line    int      `json:"line"`
		Ops     []string `json:"ops"`
		ID      int64    `json:"id"`
		Name    string   `json:"name"`
		Fields  []string `json:"fields"`
		LinkURL string   `json:"link_url"`
	} `json:"changes"`
	Errors []struct {
		Line    int    `json:"line"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// postRaw sends data as who to path: under /api/ with the bearer token,
// else with the session cookie; as the multipart field "file" (with the
// extra fields) when multi, else as the body itself.
func (f *fixture) postRaw(who, path string, data []byte, multi bool, fields ...string) (*http.Response, string) {
	f.t.Helper()
	body, ctype := io.Reader(bytes.NewReader(data)), "text/csv"
	if multi {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "roster.csv")
		_, _ = fw.Write(data)
		for i := 0; i+1 < len(fields); i += 2 {
			_ = mw.WriteField(fields[i], fields[i+1])
		}
		_ = mw.Close()
		body, ctype = &buf, mw.FormDataContentType()
	}
	req, _ := http.NewRequest("POST", f.ts.URL+f.expand(path), body)
	req.Header.Set("Content-Type", ctype)
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+f.token[who])
	} else {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.cookie[who]})
	}
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// rosterAPI imports data through the API as who and decodes the answer.
func (f *fixture) rosterAPI(who, path, data string, status int) rosterOut {
	f.t.Helper()
	resp, body := f.postRaw(who, path, []byte(data), false)
	if resp.StatusCode != status {
		f.t.Fatalf("POST %s as %s: %d, want %d\n%s", path, who, resp.StatusCode, status, body)
	}
	var out rosterOut
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		f.t.Fatalf("%v\n%s", err, body)
	}
	return out
}

// unitCount is the number of units, archived ones included, whose name
// holds q.
func unitCount(t testing.TB, st *store.Store, q string) int {
	t.Helper()
	us, err := st.Units(context.Background(), store.UnitFilter{Scopes: []string{"/"}, Query: q, IncludeArchived: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(us)
}

// userCount is the number of users whose login or name holds q.
func userCount(t testing.TB, st *store.Store, q string) int {
	t.Helper()
	us, err := st.Users(context.Background(), store.UserFilter{Scopes: []string{"/"}, Query: q, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(us)
}

const unitsCSV = "名称,上级单位,类别\n" +
	"新建街道党工委,中共绵阳市委/中共涪城区委,基层党组织\n" +
	"新建社区党委,中共绵阳市委/中共涪城区委/新建街道党工委,\n"

// TestAPIUnitsImport: a dry run saves nothing; the import creates; a sheet
// with a bad row is refused whole (422); a county admin may not put a unit
// under the city; a leader may not import at all.
func TestAPIUnitsImport(t *testing.T) {
	f := newFixture(t)
	out := f.rosterAPI("admin", "/api/v1/units/import?dry_run=1", unitsCSV, http.StatusOK)
	if !out.DryRun || out.Rows != 2 || out.Counts["create"] != 2 || len(out.Changes) != 2 || out.Changes[0].Line != 2 ||
		out.Changes[1].Name != "中共绵阳市委/中共涪城区委/新建街道党工委/新建社区党委" || len(out.Errors) != 0 || out.Error != nil {
		t.Fatalf("dry run: %+v", out)
	}
	if n := unitCount(t, f.st, "新建"); n != 0 {
		t.Fatalf("the dry run made %d units", n)
	}

	bad := unitsCSV + "坏单位,中共绵阳市委/没有这个单位,\n" + "另一个,中共绵阳市委,不是类别\n"
	out = f.rosterAPI("admin", "/api/v1/units/import", bad, http.StatusUnprocessableEntity)
	if out.Error == nil || out.Error.Field != "file" || len(out.Errors) != 2 || out.Errors[0].Line != 4 || out.Errors[0].Field != "parent" ||
		out.Errors[1].Line != 5 || out.Errors[1].Field != "kind" || !strings.HasPrefix(out.Errors[0].Message, "第 4 行，上级单位：") {
		t.Fatalf("bad rows: %+v", out)
	}
	if n := unitCount(t, f.st, "新建"); n != 0 {
		t.Fatalf("a refused import made %d units", n)
	}

	// The county admin (admin of A) may add under A, not under the city.
	out = f.rosterAPI("admina", "/api/v1/units/import", "名称,上级单位\n县里的单位,中共绵阳市委/中共涪城区委\n市里的单位,中共绵阳市委\n", http.StatusUnprocessableEntity)
	if len(out.Errors) != 1 || out.Errors[0].Line != 3 {
		t.Fatalf("county admin: %+v", out)
	}
	if unitCount(t, f.st, "县里的单位")+unitCount(t, f.st, "市里的单位") != 0 {
		t.Fatal("a refused import saved units")
	}
	resp, body := f.postRaw("leadera", "/api/v1/units/import", []byte(unitsCSV), false)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `"forbidden"`) {
		t.Fatalf("leader: %d %s", resp.StatusCode, body)
	}

	out = f.rosterAPI("admin", "/api/v1/units/import", unitsCSV, http.StatusOK)
	if out.DryRun || out.Counts["create"] != 2 || out.Changes[0].ID == 0 {
		t.Fatalf("import: %+v", out)
	}
	if n := unitCount(t, f.st, "新建"); n != 2 {
		t.Fatalf("%d units made, want 2", n)
	}
	// Multipart, with the switch as a form field, does the same.
	resp, body = f.postRaw("admin", "/api/v1/units/import", []byte(unitsCSV), true, "dry_run", "1")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"keep":2`) || !strings.Contains(body, `"dry_run":true`) {
		t.Fatalf("multipart: %d %s", resp.StatusCode, body)
	}
}

// TestAPIRosterRoundTrip: what export writes, import reads back as all
// unchanged, in both formats and both sheets.
func TestAPIRosterRoundTrip(t *testing.T) {
	f := newFixture(t)
	for _, sheet := range []string{"units", "users"} {
		for _, format := range []string{"csv", "xlsx", ""} {
			resp, body := f.do("admin", "GET", "/api/v1/"+sheet+"/export?format="+format, "", "Accept-Language", "en")
			cd := resp.Header.Get("Content-Disposition")
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "."+or2(format, "xlsx")) {
				t.Fatalf("export %s %s: %d %s\n%.300s", sheet, format, resp.StatusCode, resp.Header, body)
			}
			out := f.rosterAPI("admin", "/api/v1/"+sheet+"/import", body, http.StatusOK)
			if out.Rows < 7 || out.Counts["keep"] != out.Rows || len(out.Counts) != 1 {
				t.Fatalf("%s %s again: %+v", sheet, format, out.Counts)
			}
		}
	}
	// A county admin's export holds only their subtree; a leader has none.
	_, body := f.do("admina", "GET", "/api/v1/units/export?format=csv", "")
	if !strings.Contains(body, "城厢街道党工委") || strings.Contains(body, "游仙街道党工委") {
		t.Fatalf("county export:\n%s", body)
	}
	if resp, _ := f.do("leadera", "GET", "/api/v1/users/export", ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("leader's users export: %d", resp.StatusCode)
	}
}

// TestAPIUsersImport: a real import gives each new user a set-password
// link, a dry run none; a county admin may not grant on the city.
func TestAPIUsersImport(t *testing.T) {
	f := newFixture(t)
	csv := "登录名,姓名,授权（角色@单位）\nzhangsan,张三,单位工作人员@中共绵阳市委/中共涪城区委/城厢街道党工委\nlisi,李四,staff@中共绵阳市委/中共涪城区委\n"
	out := f.rosterAPI("admin", "/api/v1/users/import?dry_run=1", csv, http.StatusOK)
	if out.Counts["create"] != 2 || out.Changes[0].LinkURL != "" || userCount(t, f.st, "zhangsan") != 0 {
		t.Fatalf("dry run: %+v", out)
	}
	out = f.rosterAPI("admina", "/api/v1/users/import", csv+"wangwu,王五,staff@中共绵阳市委\n", http.StatusUnprocessableEntity)
	if len(out.Errors) != 1 || out.Errors[0].Line != 4 || out.Errors[0].Field != "grants" || userCount(t, f.st, "zhangsan") != 0 {
		t.Fatalf("county admin granting on the city: %+v", out)
	}
	out = f.rosterAPI("admina", "/api/v1/users/import", csv, http.StatusOK)
	if out.Counts["create"] != 2 || userCount(t, f.st, "zhangsan") != 1 {
		t.Fatalf("import: %+v", out)
	}
	for _, c := range out.Changes {
		if !strings.HasPrefix(c.LinkURL, f.ts.URL+"/password/") || len(c.LinkURL) < len(f.ts.URL)+20 {
			t.Fatalf("link of %s: %q", c.Name, c.LinkURL)
		}
	}
	if resp, _ := f.postRaw("member-a", "/api/v1/users/import", []byte(csv), false); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("staff: %d", resp.StatusCode)
	}
}

// TestAPIRosterBadFile: what is not a sheet, lacks a column, or is too big
// is refused naming the field, before anything is read into the store.
func TestAPIRosterBadFile(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"empty", "/api/v1/units/import", "", 400, "file"},
		{"binary", "/api/v1/units/import", "PK\x03\x04 not a zip at all", 400, "file"},
		{"no titles", "/api/v1/users/import", "a,b\nc,d\n", 400, "file"},
		{"missing column", "/api/v1/users/import", "登录名,姓名\nzhangsan,张三\n", 400, "file"},
		{"too large", "/api/v1/units/import", "名称,上级单位\n" + strings.Repeat("x", 30<<20), 413, "file"},
	} {
		resp, body := f.postRaw("admin", c.path, []byte(c.body), false)
		if resp.StatusCode != c.status || !strings.Contains(body, `"field":"`+c.field+`"`) {
			t.Errorf("%s: %d %.300s", c.name, resp.StatusCode, body)
		}
	}
	if resp, body := f.do("admin", "GET", "/api/v1/units/export?format=pdf", ""); resp.StatusCode != 400 || !strings.Contains(body, `"field":"format"`) {
		t.Errorf("format: %d %s", resp.StatusCode, body)
	}
}
