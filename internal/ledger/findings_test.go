package ledger

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"zeren/internal/apperr"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/i18n"
)

// findingsBook is a workbook whose first sheet holds the rows given.
func findingsBook(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFindingsTemplate: the template's title row is in the locale, and a
// template filled in reads back, in either language.
func TestFindingsTemplate(t *testing.T) {
	cat := catalog(t)
	for _, loc := range i18n.Locales {
		var buf bytes.Buffer
		if err := WriteFindingsTemplate(&buf, cat, loc); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		sheet := x.GetSheetList()[0]
		rows, _ := x.GetRows(sheet)
		if sheet != cat.T(loc, "findings_sheet.sheet") || len(rows) != 1 || len(rows[0]) != len(FindingColumns) {
			t.Fatalf("%s: sheet %q rows %v", loc, sheet, rows)
		}
		for i, c := range FindingColumns {
			if rows[0][i] != cat.T(loc, c.Key()) {
				t.Errorf("%s: column %d is %q, want %q", loc, i+1, rows[0][i], cat.T(loc, c.Key()))
			}
			name, _ := excelize.ColumnNumberToName(i + 1)
			if w, _ := x.GetColWidth(sheet, name); w != c.Width {
				t.Errorf("%s: column %s width %v, want %v", loc, name, w, c.Width)
			}
		}
		_ = x.SetSheetRow(sheet, "A2", &[]any{"城厢街道党工委", "政治建设", cat.T(loc, SeverityKey(finding.Serious)), "问题一", "原因"})
		_ = x.SetSheetRow(sheet, "A3", &[]any{12, "", "", "问题二"})
		filled, _ := x.WriteToBuffer()
		x.Close()
		sh, err := ReadFindings(bytes.NewReader(filled.Bytes()), cat, finding.Severities)
		if err != nil || len(sh.Errors) != 0 || len(sh.Rows) != 2 {
			t.Fatalf("%s: read back %+v %v", loc, sh, err)
		}
		want := FindingRow{Line: 2, Unit: "城厢街道党工委", Area: "政治建设", Severity: finding.Serious, Text: "问题一", RootCause: "原因"}
		if sh.Rows[0] != want {
			t.Errorf("%s: row 2 %+v, want %+v", loc, sh.Rows[0], want)
		}
		if r := sh.Rows[1]; r.Line != 3 || r.UnitID != 12 || r.Severity != "" || r.Text != "问题二" {
			t.Errorf("%s: row 3 %+v", loc, r)
		}
	}
}

// TestReadFindings reads a sheet as people make one: a heading above the
// titles, columns in another order with one of their own, blank rows,
// labels in either language; each bad row is reported with its number and
// its column, and the good rows are still read.
func TestReadFindings(t *testing.T) {
	cat := catalog(t)
	b := findingsBook(t,
		[]any{"巡视反馈问题清单"},
		[]any{},
		[]any{"序号", "问题", "Unit", "严重程度", "备注", "原因分析"},
		[]any{1, " 落实全面从严治党主体责任不到位 ", "中共涪城区委", "较重", "x", "压力传导不够"},
		[]any{},
		[]any{2, "选人用人把关不严", "7.0", "Serious"},
		[]any{3, "意识形态工作薄弱", "中共游仙区委", "minor"},
		[]any{4, "", "", "", "只有备注"},
		[]any{5, "基层组织软弱", "", "一般"},
		[]any{6, "作风不实", "中共涪城区委", "很严重"},
	)
	sh, err := ReadFindings(bytes.NewReader(b), cat, finding.Severities)
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Rows) != 3 {
		t.Fatalf("rows %+v", sh.Rows)
	}
	if r := sh.Rows[0]; r.Line != 4 || r.Unit != "中共涪城区委" || r.UnitID != 0 || r.Severity != finding.Major ||
		r.Text != "落实全面从严治党主体责任不到位" || r.RootCause != "压力传导不够" {
		t.Errorf("row 4: %+v", r)
	}
	if r := sh.Rows[1]; r.Line != 6 || r.UnitID != 7 || r.Severity != finding.Serious {
		t.Errorf("row 6: %+v", r)
	}
	if r := sh.Rows[2]; r.Line != 7 || r.Severity != finding.Minor {
		t.Errorf("row 7: %+v", r)
	}
	// Row 8, with cells only in columns of one's own, is no row.
	want := map[int]string{9: "unit", 10: "severity"}
	if len(sh.Errors) != len(want) {
		t.Fatalf("errors %+v", sh.Errors)
	}
	for _, e := range sh.Errors {
		if want[e.Line] != e.Err.Field {
			t.Errorf("row %d: error on %q, want %q", e.Line, e.Err.Field, want[e.Line])
		}
	}
	if msg := FindingsMessage(cat, "zh-CN", sh.Errors[1]); msg != "严重程度: "+cat.T("zh-CN", "err.findings_unknown_severity") {
		t.Errorf("message %q does not name the column", msg)
	}
	if msg := FindingsMessage(cat, "en", sh.Errors[0]); msg != "Responsible unit: "+cat.T("en", "err.required") {
		t.Errorf("message %q", msg)
	}
}

// TestReadFindingsBadFiles: what is no findings sheet is refused as a whole,
// naming the file and what is missing.
func TestReadFindingsBadFiles(t *testing.T) {
	cat := catalog(t)
	for name, tc := range map[string]struct {
		data []byte
		key  string
	}{
		"csv":              {[]byte("单位,问题\n中共涪城区委,x\n"), "err.ledger_not_xlsx"},
		"empty":            {findingsBook(t), "err.findings_missing_column"},
		"no problem":       {findingsBook(t, []any{"单位", "严重程度"}, []any{"中共涪城区委", "一般"}), "err.findings_missing_column"},
		"no titles":        {findingsBook(t, []any{"中共涪城区委", "问题一"}), "err.findings_missing_column"},
		"column twice":     {findingsBook(t, []any{"单位", "问题", "Problem"}), "err.ledger_duplicate_column"},
		"titles too low":   {findingsBook(t, append(make([][]any, titleRows), []any{"单位", "问题"})...), "err.findings_missing_column"},
		"a ledger instead": {findingsBook(t, []any{"事项编号", "整改进展"}, []any{12, "x"}), "err.findings_missing_column"},
	} {
		_, err := ReadFindings(bytes.NewReader(tc.data), cat, finding.Severities)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid || e.Field != "file" || e.Key != tc.key {
			t.Errorf("%s: %v, want %s on file", name, err, tc.key)
		}
	}
	_, err := ReadFindings(bytes.NewReader(findingsBook(t, []any{"单位", "严重程度"})), cat, nil)
	if e, _ := apperr.As(err); e == nil || len(e.Args) != 1 || e.Args[0] != "问题" {
		t.Errorf("the missing column is not named: %v", err)
	}
}

// TestReadFindingsScale: a cycle with a scale of its own takes its labels
// as written (case and spaces aside), and not the default levels.
func TestReadFindingsScale(t *testing.T) {
	cat := catalog(t)
	scale := finding.Scale([]string{"A 类", "B类", "一般"})
	b := findingsBook(t, []any{"单位", "问题", "严重程度"},
		[]any{"中共涪城区委", "问题一", "a类"}, []any{"中共涪城区委", "问题二", "一般"},
		[]any{"中共涪城区委", "问题三", "严重"}, []any{"中共涪城区委", "问题四", "serious"})
	sh, err := ReadFindings(bytes.NewReader(b), cat, scale)
	if err != nil || len(sh.Rows) != 2 || sh.Rows[0].Severity != "A 类" || sh.Rows[1].Severity != "一般" {
		t.Fatalf("rows %+v %v", sh.Rows, err)
	}
	if len(sh.Errors) != 2 || sh.Errors[0].Line != 4 || sh.Errors[1].Line != 5 || sh.Errors[1].Err.Field != "severity" {
		t.Fatalf("errors %+v", sh.Errors)
	}
}

func TestMatchArea(t *testing.T) {
	areas := append([]string{"政治建设（二）：另一项", "干部队伍建设:选育管用", "无简称"}, cycle.SeedAreas...)
	for cell, want := range map[string]string{
		"":                 "",
		"政治建设":             cycle.SeedAreas[0],
		" 政治 建设 ":          cycle.SeedAreas[0],
		"政治建设（二）":          "政治建设（二）：另一项",
		"无简称":              "无简称",
		cycle.SeedAreas[3]: cycle.SeedAreas[3],
		"意识形态工作":           cycle.SeedAreas[4],
	} {
		got, err := MatchArea(areas, cell)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", cell, got, err, want)
		}
	}
	for cell, key := range map[string]string{
		"干部队伍建设": "err.findings_ambiguous_area", // "干部队伍建设:…" and the seed's
		"巡视整改":   "err.findings_unknown_area",
		"选育管用":   "err.findings_unknown_area", // only the part before the colon names an area
	} {
		_, err := MatchArea(areas, cell)
		if e, ok := apperr.As(err); !ok || e.Field != "area" || e.Key != key {
			t.Errorf("%q: %v, want %s", cell, err, key)
		}
	}
	if _, err := MatchArea(nil, "政治建设"); err == nil {
		t.Error("an area matched a cycle without areas")
	}
}

// FuzzFindingRow feeds the row parser any cells: it never panics, errors
// name a column, and what it accepts has a unit and a known severity.
func FuzzFindingRow(f *testing.F) {
	l, _, err := readFindingLayout(catalog(f), finding.Severities, []string{"unit", "area", "severity", "problem", "root_cause"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("中共涪城区委", "政治建设", "严重", "问题", "原因")
	f.Add("12.0", "", "MAJOR", "", "")
	f.Add("", "", "x", "\r\n", "\x00")
	f.Fuzz(func(t *testing.T, unit, area, severity, text, cause string) {
		r, ok, err := l.row(5, []string{unit, area, severity, text, cause})
		if err != nil {
			if e, isApp := apperr.As(err); !isApp || e.Field == "" {
				t.Fatalf("error without a field: %v", err)
			}
			return
		}
		if !ok {
			return
		}
		if r.Line != 5 || r.Unit == "" || r.UnitID < 0 || r.Severity != "" && !r.Severity.In(finding.Severities) {
			t.Fatalf("accepted %+v", r)
		}
	})
}
