package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/ledger"
	"zeren/internal/store"
	"zeren/internal/user"
)

// findingsTemplate downloads the findings template as who and checks that
// it is a workbook.
func (f *fixture) findingsTemplate(who string) *excelize.File {
	f.t.Helper()
	resp, body := f.do(who, "GET", "/cycles/{cycle:vA}/findings/template.xlsx", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != xlsxType ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
		f.t.Fatalf("template as %s: %d %s\n%s", who, resp.StatusCode, resp.Header, excerpt(body))
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	return x
}

// fillFindings writes rows under the template's title row and returns the
// workbook's bytes.
func fillFindings(t testing.TB, x *excelize.File, rows ...[]any) []byte {
	t.Helper()
	sheet := x.GetSheetList()[0]
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := x.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// importFindings uploads a workbook to a path as who: a page with the
// session cookie, /api/ with the bearer token. The body goes past the
// fixture's placeholder expansion, which must not touch a binary file.
func (f *fixture) importFindings(who, path string, data []byte, dryRun bool) (*http.Response, string) {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "巡视反馈问题.xlsx")
	_, _ = fw.Write(data)
	if dryRun {
		_ = mw.WriteField("dry_run", "1")
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", f.ts.URL+f.expand(path), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
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

const findingsImportPath = "/cycles/{cycle:vA}/findings/import"

// inspectionFindings lists the cycle's findings from inspection feedback
// as "unit|area|severity|text|root cause".
func inspectionFindings(t testing.TB, st *store.Store, cycleID int64) []string {
	t.Helper()
	xs, _, err := st.FindingRecords(context.Background(), store.FindingFilter{Scopes: []string{"/"}, CycleID: cycleID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range xs {
		if x.Source == finding.InspectionFeedback {
			out = append(out, strings.Join([]string{x.UnitName, x.Area, string(x.Severity), x.Text, x.RootCause}, "|"))
		}
	}
	return out
}

var findingsImportRow = regexp.MustCompile(`<tr class="import-error"><td>(\d+)</td><td>(.*?)</td></tr>`)

// findingsImportErrors maps the row numbers listed on the page to their reasons.
func findingsImportErrors(body string) map[int]string {
	out := map[int]string{}
	for _, m := range findingsImportRow.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(m[1])
		out[n] = html.UnescapeString(m[2])
	}
	return out
}

// addImporter adds a user with grants and a session, for the tests that need a
// mix of grants the fixture has not.
func (f *fixture) addImporter(login, locale string, grants ...auth.Grant) {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.st.CreateUser(ctx, audit.System, user.Draft{Login: login, Name: "用户" + login, Locale: locale}, testHash(), grants)
	if err != nil {
		f.t.Fatal(err)
	}
	f.users[login] = u
	if f.cookie[login], err = f.st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: login}, ""); err != nil {
		f.t.Fatal(err)
	}
	if f.token[login], err = f.st.CreateAPIToken(ctx, audit.System, u.ID, "test"); err != nil {
		f.t.Fatal(err)
	}
}

// TestFindingsTemplate: the template's title row is in the user's
// language; those who record no findings may not have it.
func TestFindingsTemplate(t *testing.T) {
	f := newFixture(t)
	cat := mustCatalog(t)
	f.addImporter("inspector-en", "en", auth.Grant{Role: auth.Supervisor, UnitID: f.units["A"].ID})
	for who, loc := range map[string]string{"role-organizer": "zh-CN", "inspector-en": "en"} {
		x := f.findingsTemplate(who)
		rows, _ := x.GetRows(x.GetSheetList()[0])
		if len(rows) != 1 || len(rows[0]) != len(ledger.FindingColumns) {
			t.Fatalf("%s: rows %v", who, rows)
		}
		for i, c := range ledger.FindingColumns {
			if rows[0][i] != cat.T(loc, c.Key()) {
				t.Errorf("%s: column %d %q, want %q", who, i+1, rows[0][i], cat.T(loc, c.Key()))
			}
		}
		x.Close()
	}
	for _, who := range []string{"role-leader", "role-observer"} {
		if resp, _ := f.do(who, "GET", "/cycles/{cycle:vA}/findings/template.xlsx", ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", who, resp.StatusCode)
		}
	}
}

// TestFindingsImport: a dry run records nothing; the import records every
// row as a finding from inspection feedback, each with its item, which the
// ledger then lists; importing the same file again records nothing twice.
func TestFindingsImport(t *testing.T) {
	f := newFixture(t)
	vA := f.cycles["vA"].ID
	data := fillFindings(t, f.findingsTemplate("role-organizer"),
		[]any{"城厢街道党工委", "政治建设", "较重", "落实全面从严治党主体责任不到位", "压力传导层层递减"},
		[]any{f.units["A2"].ID, cycle.SeedAreas[2], "", "软弱涣散村党组织整顿不力"},
		[]any{},
		[]any{"中共涪城区委", "", "serious", "选人用人把关不严"})
	before := ledgerState(t, f.st, vA)

	resp, body := f.importFindings("role-organizer", findingsImportPath, data, true)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, mustCatalog(t).T("zh-CN", "findings_import.dry_run", 3, 0)) ||
		strings.Count(body, `<tr class="import-finding">`) != 3 {
		t.Fatalf("dry run: %d\n%s", resp.StatusCode, excerpt(body))
	}
	sameExcept(t, before, ledgerState(t, f.st, vA))

	resp, body = f.importFindings("role-organizer", findingsImportPath, data, false)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, mustCatalog(t).T("zh-CN", "findings_import.done", 3, 0)) {
		t.Fatalf("import: %d\n%s", resp.StatusCode, excerpt(body))
	}
	want := []string{
		"城厢街道党工委|" + cycle.SeedAreas[0] + "|major|落实全面从严治党主体责任不到位|压力传导层层递减",
		"工区街道党工委|" + cycle.SeedAreas[2] + "||软弱涣散村党组织整顿不力|",
		"中共涪城区委||serious|选人用人把关不严|",
	}
	if got := inspectionFindings(t, f.st, vA); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if after := ledgerState(t, f.st, vA); len(after) != len(before)+3 {
		t.Fatalf("%d items after the import, %d before", len(after), len(before))
	}
	_, page := f.do("role-organizer", "GET", "/ledger?cycle={cycle:vA}&source=inspection_feedback", "")
	for _, text := range []string{"落实全面从严治党主体责任不到位", "软弱涣散村党组织整顿不力", "选人用人把关不严"} {
		if !strings.Contains(page, text) {
			t.Errorf("the ledger lacks %q\n%s", text, excerpt(page))
		}
	}

	resp, body = f.importFindings("role-organizer", findingsImportPath, data, false)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, mustCatalog(t).T("zh-CN", "findings_import.done", 0, 3)) {
		t.Fatalf("again: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if got := inspectionFindings(t, f.st, vA); len(got) != 3 {
		t.Fatalf("importing again recorded %v", got)
	}
}

// TestFindingsImportBadRows: each bad row is listed with its number and a
// reason naming the column, and nothing is recorded, not even the good
// rows; a dry run says the same.
func TestFindingsImportBadRows(t *testing.T) {
	f := newFixture(t)
	cat := mustCatalog(t)
	vA := f.cycles["vA"].ID
	// Records findings in A1 only, sees the whole tree.
	f.addImporter("inspector", "zh-CN", auth.Grant{Role: auth.Supervisor, UnitID: f.units["A1"].ID},
		auth.Grant{Role: auth.Observer, UnitID: f.units["root"].ID})
	data := fillFindings(t, f.findingsTemplate("inspector"),
		[]any{"城厢街道党工委", "", "", "好的一行"},
		[]any{"不存在的单位", "", "", "x"},
		[]any{"游仙街道党工委", "", "", "x"},
		[]any{"工区街道党工委", "", "", "x"},
		[]any{"城厢街道党工委", "", "", ""},
		[]any{"城厢街道党工委", "", "很严重", "x"},
		[]any{"城厢街道党工委", "巡视整改", "", "x"},
	)
	col := func(key string) string { return cat.T("zh-CN", key) + ": " }
	want := map[int]string{
		3: col("ledger.col.unit") + cat.T("zh-CN", "err.findings_unknown_unit", "不存在的单位"),
		4: col("ledger.col.unit") + cat.T("zh-CN", "err.findings_outside_cycle", "游仙街道党工委"),
		5: col("ledger.col.unit") + cat.T("zh-CN", "err.findings_not_allowed", "工区街道党工委"),
		6: col("ledger.col.problem") + cat.T("zh-CN", "err.required"),
		7: col("ledger.col.severity") + cat.T("zh-CN", "err.findings_unknown_severity"),
		8: col("ledger.col.area") + cat.T("zh-CN", "err.findings_unknown_area"),
	}
	before := ledgerState(t, f.st, vA)
	for _, dry := range []bool{true, false} {
		resp, body := f.importFindings("inspector", findingsImportPath, data, dry)
		errs := findingsImportErrors(body)
		if resp.StatusCode != http.StatusBadRequest || len(errs) != len(want) ||
			!strings.Contains(body, cat.T("zh-CN", "findings_import.rejected", len(want), 7)) {
			t.Fatalf("dry run %v: %d %v\n%s", dry, resp.StatusCode, errs, excerpt(body))
		}
		for line, msg := range want {
			if errs[line] != msg {
				t.Errorf("row %d: %q, want %q", line, errs[line], msg)
			}
		}
		if strings.Contains(body, `class="import-finding"`) {
			t.Errorf("the page lists findings of a refused import")
		}
		sameExcept(t, before, ledgerState(t, f.st, vA))
	}

	// Only the unit the importer may not use: the others are fine for an
	// organizer of the whole district.
	data = fillFindings(t, f.findingsTemplate("inspector"), []any{"城厢街道党工委", "", "", "好的一行"},
		[]any{"工区街道党工委", "", "", "x"})
	if resp, body := f.importFindings("inspector", findingsImportPath, data, false); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("%d\n%s", resp.StatusCode, excerpt(body))
	}
	if resp, body := f.importFindings("role-organizer", findingsImportPath, data, false); resp.StatusCode != http.StatusOK {
		t.Fatalf("%d\n%s", resp.StatusCode, excerpt(body))
	}
	if got := inspectionFindings(t, f.st, vA); len(got) != 2 {
		t.Fatalf("findings %v", got)
	}
}

// TestFindingsImportRefused: who records no findings gets 403, a cycle out
// of sight 404, and what is no findings sheet is refused as a whole.
func TestFindingsImportRefused(t *testing.T) {
	f := newFixture(t)
	cat := mustCatalog(t)
	data := fillFindings(t, f.findingsTemplate("role-organizer"), []any{"城厢街道党工委", "", "", "x"})
	for _, who := range []string{"role-leader", "role-staff", "role-observer", "role-participant", "leadera"} {
		if resp, _ := f.importFindings(who, findingsImportPath, data, false); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", who, resp.StatusCode)
		}
		if resp, _ := f.do(who, "GET", findingsImportPath, ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: form %d, want 403", who, resp.StatusCode)
		}
	}
	if resp, _ := f.importFindings("role-organizer", "/cycles/{cycle:vB}/findings/import", data, false); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a cycle out of sight: %d", resp.StatusCode)
	}
	noProblem := excelize.NewFile()
	_ = noProblem.SetSheetRow("Sheet1", "A1", &[]any{"单位", "严重程度"})
	b, _ := noProblem.WriteToBuffer()
	for name, tc := range map[string]struct {
		data []byte
		msg  string
	}{
		"csv":        {[]byte("单位,问题\n中共涪城区委,x\n"), cat.T("zh-CN", "err.ledger_not_xlsx")},
		"no problem": {b.Bytes(), cat.T("zh-CN", "err.findings_missing_column", "问题")},
	} {
		resp, body := f.importFindings("role-organizer", findingsImportPath, tc.data, false)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), tc.msg) {
			t.Errorf("%s: %d\n%s", name, resp.StatusCode, excerpt(body))
		}
	}
	if resp, body := f.do("role-organizer", "POST", findingsImportPath, "dry_run=1"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no file: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if got := inspectionFindings(t, f.st, f.cycles["vA"].ID); len(got) != 0 {
		t.Fatalf("a refused import recorded %v", got)
	}

	// The form, and the link to it on the cycle's page, for those who may.
	resp, body := f.do("role-supervisor", "GET", findingsImportPath, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="dry_run"`) || !strings.Contains(body, `/findings/template.xlsx"`) ||
		!strings.Contains(body, cycle.SeedAreas[0]) || !strings.Contains(body, "较重") {
		t.Errorf("form: %d\n%s", resp.StatusCode, excerpt(body))
	}
	link := `href="/cycles/{cycle:vA}/findings/import"`
	if _, body := f.do("role-organizer", "GET", "/cycles/{cycle:vA}", ""); !strings.Contains(body, f.expand(link)) {
		t.Errorf("the cycle page lacks the import link\n%s", excerpt(body))
	}
	if _, body := f.do("role-leader", "GET", "/cycles/{cycle:vA}", ""); strings.Contains(body, f.expand(link)) {
		t.Errorf("the cycle page offers the import to a unit leader")
	}
}

// TestFindingsImportAPI: the same import over the API, 200 with what was
// recorded, 422 with every bad row, 400 for what is no findings sheet.
func TestFindingsImportAPI(t *testing.T) {
	f := newFixture(t)
	path := "/api/v1/cycles/{cycle:vA}/findings/import"
	good := fillFindings(t, f.findingsTemplate("role-organizer"), []any{"城厢街道党工委", "政治建设", "严重", "问题一"},
		[]any{"工区街道党工委", "", "", "问题二"})
	type out struct {
		Error    *struct{ Code, Message, Field string }
		Rows     int
		Findings []struct {
			Row             int
			ID              int64
			RectificationID int64 `json:"rectification_id"`
			Source, Area    string
			Severity        string
			UnitName        string `json:"unit_name"`
		}
		Existing []json.RawMessage
		Errors   []struct {
			Row                    int
			Field, Reason, Message string
		}
		DryRun bool `json:"dry_run"`
	}
	decode := func(body string) out {
		var o out
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		return o
	}
	resp, body := f.importFindings("role-supervisor", path, good, true)
	if o := decode(body); resp.StatusCode != http.StatusOK || !o.DryRun || len(o.Findings) != 2 || o.Findings[0].ID != 0 || o.Error != nil {
		t.Fatalf("dry run: %d %s", resp.StatusCode, body)
	}
	resp, body = f.importFindings("role-supervisor", path, good, false)
	o := decode(body)
	if resp.StatusCode != http.StatusOK || len(o.Findings) != 2 || o.Findings[0].ID == 0 || o.Findings[0].RectificationID == 0 ||
		o.Findings[0].Source != "inspection_feedback" || o.Findings[0].Area != cycle.SeedAreas[0] || o.Findings[0].Severity != "serious" ||
		o.Findings[1].UnitName != "工区街道党工委" || o.Findings[1].Row != 3 || len(o.Existing) != 0 || len(o.Errors) != 0 {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do("role-supervisor", "GET", "/api/v1/rectifications/"+strconv.FormatInt(o.Findings[0].RectificationID, 10), ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("the item: %d", resp.StatusCode)
	}

	bad := fillFindings(t, f.findingsTemplate("role-organizer"), []any{"城厢街道党工委", "", "", "问题三"},
		[]any{"不存在的单位", "", "", "x"}, []any{"城厢街道党工委", "", "", ""})
	resp, body = f.importFindings("role-supervisor", path, bad, false)
	o = decode(body)
	if resp.StatusCode != http.StatusUnprocessableEntity || o.Error == nil || o.Error.Code != "invalid" || len(o.Errors) != 2 ||
		o.Errors[0].Row != 3 || o.Errors[0].Field != "unit" || o.Errors[0].Reason != "findings_unknown_unit" ||
		!strings.Contains(o.Errors[0].Message, "不存在的单位") || o.Errors[1].Row != 4 || o.Errors[1].Field != "problem" {
		t.Fatalf("bad rows: %d %s", resp.StatusCode, body)
	}
	if got := inspectionFindings(t, f.st, f.cycles["vA"].ID); len(got) != 2 {
		t.Fatalf("findings %v", got)
	}
	resp, body = f.importFindings("role-supervisor", path, []byte("not a workbook"), false)
	if o := decode(body); resp.StatusCode != http.StatusBadRequest || o.Error == nil || o.Error.Field != "file" {
		t.Fatalf("not a workbook: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.importFindings("role-leader", path, good, false); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a unit leader: %d", resp.StatusCode)
	}
}
