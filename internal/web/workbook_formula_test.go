package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/spreadsheet"
	"zeren/internal/unit"
)

// formulaText is a text beginning with a character that makes a cell a
// formula once edited or saved as CSV.
func formulaText(c, s string) string { return c + "HYPERLINK(\"http://evil.example\";\"" + s + "\")" }

// formulaCells checks every text cell of every sheet of a workbook: none
// begins with a formula character, and each of want (texts as stored)
// appears, escaped, in the sheet named by its key.
func formulaCells(t *testing.T, what string, x *excelize.File, want map[string][]string) {
	t.Helper()
	for _, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("%s, sheet %s: %v", what, sheet, err)
		}
		var cells []string
		for i, row := range rows {
			for j, v := range row {
				cells = append(cells, v)
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if typ, _ := x.GetCellType(sheet, cell); v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) &&
					typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
					t.Errorf("%s, sheet %s, %s: %q is a formula to a spreadsheet", what, sheet, cell, v)
				}
			}
		}
		for _, s := range want[sheet] {
			if !slices.Contains(cells, "'"+s) {
				t.Errorf("%s, sheet %s: no cell %q", what, sheet, "'"+s)
			}
		}
		delete(want, sheet)
	}
	if len(want) > 0 {
		t.Errorf("%s: no sheets %v", what, want)
	}
}

func openBook(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// TestWorkbookFormulaCells: texts beginning with '=', '+', '-' or '@' —
// a unit's name, findings, plans, progress, the chair's comment, ballot
// comments — are written escaped in every workbook: the ledger (page and
// API), the summary, the results. The ledger exported and imported again
// changes nothing, and an edited copy records the texts as typed; the
// findings sheet filled with such texts records them as they were.
func TestWorkbookFormulaCells(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	vA := f.cycles["vA"].ID
	a1 := f.units["A1"]
	name := formulaText("=", "单位")
	if _, err := f.st.UpdateUnit(ctx, audit.System, a1.ID, a1.Version, unit.Draft{Name: name, Kind: a1.Kind, Leader: a1.Leader}); err != nil {
		t.Fatal(err)
	}
	problem := formulaText("=", "问题")
	started := f.ledgerItem("A1", "vA", problem, rectification.InProgress, "2021-03-31")
	planned := f.ledgerItem("A2", "vA", "-问题二", rectification.Planning, "2021-04-30")
	x := ledgerState(t, f.st, vA)[planned].X
	x.Measures, x.Owner, x.ResponsibleLeader = "+措施", "@张三", "-王五"
	if _, err := f.st.SavePlan(ctx, audit.System, planned, x.Version, x.Plan); err != nil {
		t.Fatal(err)
	}
	if err := f.st.AddUpdate(ctx, audit.System, started, "@进展", nil, 1<<20); err != nil {
		t.Fatal(err)
	}

	// A ballot comment and the chair's comment, published, then voting closed.
	if resp, body := f.do("role-participant", "POST", "/appraisals/{appraisal:A}/ballot", "submission=s1&grade_{report:vA}=1&grade_{report:v2A}=3"+
		"&comment_{report:vA}="+url.QueryEscape("-意见")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("vote: %d %s", resp.StatusCode, excerpt(body))
	}
	form := url.Values{"version": {"0"}, "affirmations": {"+工作扎实"}, "problem_text_0": {"=基层党建有短板"},
		"problem_severity_0": {"major"}, "requirements": {"@限期整改"}}
	if resp, body := f.do("role-organizer", "POST", "/reports/{report:vA}/comment/publish", form.Encode()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish the comment: %d %s", resp.StatusCode, excerpt(body))
	}
	cur, _ := f.st.Appraisal(ctx, f.appraisals["A"].ID)
	if _, err := f.st.MoveAppraisal(ctx, audit.System, cur.ID, cur.Version, appraisal.Closed); err != nil {
		t.Fatal(err)
	}

	ledgerTexts := []string{problem, name, "-问题二", "+措施", "@张三", "-王五", "@进展"}
	for _, path := range []string{"/cycles/{cycle:vA}/ledger.xlsx", "/api/v1/cycles/{cycle:vA}/ledger.xlsx"} {
		formulaCells(t, path, openBook(t, f.exportLedger("role-organizer", path)), map[string][]string{"整改台账": ledgerTexts})
	}
	_, body := f.do("role-organizer", "GET", "/cycles/{cycle:vA}/summary.xlsx", "")
	formulaCells(t, "summary", openBook(t, []byte(body)), map[string][]string{
		"民主测评结果": {name}, "点评": {name, "+工作扎实", "@限期整改"},
		"问题": {name, problem, "-问题二"}, "整改台账": ledgerTexts, "考核": nil})
	_, body = f.do("role-organizer", "GET", "/appraisals/{appraisal:A}/results.xlsx", "")
	formulaCells(t, "results", openBook(t, []byte(body)), map[string][]string{"民主测评结果": {name}, "意见建议（不署名）": {name, "-意见"}})

	// The ledger back: nothing changes; edited, the texts as typed.
	before := ledgerState(t, f.st, vA)
	data := f.exportLedger("leadera", "/cycles/{cycle:vA}/ledger.xlsx")
	resp, body := f.importLedger("leadera", vA, data, false)
	if resp.StatusCode != http.StatusOK || len(importRows(body, "change")) != 0 || len(importRows(body, "error")) != 0 {
		t.Fatalf("import the export: %d %v %v\n%s", resp.StatusCode, importRows(body, "change"), importRows(body, "error"), excerpt(body))
	}
	sameExcept(t, before, ledgerState(t, f.st, vA))
	e := editLedger(t, data)
	e.set(started, ledger.Progress, spreadsheet.Escape("=新进展"))        // as the export writes it
	e.set(planned, ledger.Measures, "-新措施")                            // as Excel keeps a typed "'-新措施"
	e.set(planned, ledger.Owner, spreadsheet.Escape("'@quoted owner")) // a quote of the text's own
	resp, body = f.importLedger("leadera", vA, e.bytes(), false)
	if resp.StatusCode != http.StatusOK || len(importRows(body, "change")) != 2 {
		t.Fatalf("import the edited copy: %d\n%s", resp.StatusCode, excerpt(body))
	}
	after := ledgerState(t, f.st, vA)
	sameExcept(t, before, after, started, planned)
	if ev := after[started].Events; ev[len(ev)-1] != "update: =新进展" {
		t.Errorf("timeline %v", ev)
	}
	if p := after[planned].X.Plan; p.Measures != "-新措施" || p.Owner != "'@quoted owner" || p.ResponsibleLeader != "-王五" {
		t.Errorf("plan %+v", p)
	}
}

// TestFindingsFormulaImport: the findings sheet filled with texts that
// begin with formula characters, written escaped as an export writes them,
// records the texts as they were, through the page and the API.
func TestFindingsFormulaImport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a1 := f.units["A1"]
	name := formulaText("@", "单位")
	if _, err := f.st.UpdateUnit(ctx, audit.System, a1.ID, a1.Version, unit.Draft{Name: name, Kind: a1.Kind, Leader: a1.Leader}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, path := range []string{findingsImportPath, "/api/v1/cycles/{cycle:vA}/findings/import"} {
		var rows [][]any
		for _, c := range []string{"=", "+", "-", "@", "'="} {
			text, cause := formulaText(c, "问题"+path), c+"原因"
			rows = append(rows, spreadsheet.Cells([]any{name, "", "", text, cause}))
			want = append(want, strings.Join([]string{name, "", "", text, cause}, "|"))
		}
		resp, body := f.importFindings("role-organizer", path, fillFindings(t, f.findingsTemplate("role-organizer"), rows...), false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("import %d: %d\n%s", i, resp.StatusCode, excerpt(body))
		}
	}
	got := inspectionFindings(t, f.st, f.cycles["vA"].ID)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
