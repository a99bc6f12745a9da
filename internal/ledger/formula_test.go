package ledger

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/rectification"
	"zeren/internal/spreadsheet"
)

// formulaStarts are the characters a spreadsheet takes a text beginning
// with for a formula, then a quote of the text's own before one of them.
var formulaStarts = []string{"=", "+", "-", "@", "\t", "\r", "'="}

// rawCell reads a cell as stored, and fails unless it is text.
func rawCell(t testing.TB, x *excelize.File, sheet string, col, row int) string {
	t.Helper()
	cell, _ := excelize.CoordinatesToCellName(col, row)
	v, err := x.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestLedgerFormulaCells writes items whose texts begin with each formula
// character: every text cell holds the escaped text, the ids and versions
// stay numbers, and reading the workbook back gives the texts as they were
// (an untouched row changes nothing). A row edited with such texts, as
// Excel saves them after the user types them with its quote prefix (the
// text alone) or as the export writes them, reads back the same.
func TestLedgerFormulaCells(t *testing.T) {
	cat := catalog(t)
	var items []rectification.Rectification
	for i, c := range formulaStarts {
		x := item(int64(100 + i))
		x.Finding.Text = c + "HYPERLINK(\"http://evil.example\",\"问题\")"
		x.Measures, x.Owner, x.ResponsibleLeader = c+"1+1 措施", c+"张三", c+"cmd|' /C calc'!A0"
		x.UnitName, x.Progress = c+"单位", c+"进展"
		items = append(items, x)
	}
	w, err := NewWriter(cat, i18n.Default)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, x := range items {
		if err := w.Add(x); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetList()[0]
	col := func(f Field) int {
		for i, c := range Columns {
			if c.Field == f {
				return i + 1
			}
		}
		t.Fatalf("no column %s", f)
		return 0
	}
	for i, it := range items {
		row := i + 2
		for f, want := range map[Field]string{Problem: it.Finding.Text, Measures: it.Measures, Owner: it.Owner,
			Leader: it.ResponsibleLeader, Unit: it.UnitName, Progress: it.Progress} {
			if got := rawCell(t, x, sheet, col(f), row); got != "'"+want {
				t.Errorf("row %d %s: %q, want %q", row, f, got, "'"+want)
			}
		}
		for _, f := range []Field{Serial, ItemID, Version} {
			cell, _ := excelize.CoordinatesToCellName(col(f), row)
			if typ, _ := x.GetCellType(sheet, cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
				t.Errorf("row %d %s: a cell of type %v, want a number", row, f, typ)
			}
		}
	}

	sh, err := Read(bytes.NewReader(buf.Bytes()), cat)
	if err != nil || len(sh.Errors) > 0 || len(sh.Rows) != len(items) {
		t.Fatalf("read %d rows, errors %v: %v", len(sh.Rows), sh.Errors, err)
	}
	for i, r := range sh.Rows {
		it := items[i]
		if r.ID != it.ID || r.Problem != clean(it.Finding.Text) || r.Unit != clean(it.UnitName) ||
			r.Plan.Measures != clean(it.Measures) || r.Plan.Owner != clean(it.Owner) ||
			r.Plan.ResponsibleLeader != clean(it.ResponsibleLeader) || r.Progress != clean(it.Progress) {
			t.Errorf("row %d read back %+v, want item %+v", r.Line, r, it)
		}
		if m := r.Mismatch(it); m != "" {
			t.Errorf("row %d: %s contradicts the item", r.Line, m)
		}
		if fs := r.PlanChanges(it); len(fs) > 0 {
			t.Errorf("row %d: an untouched row changes %v", r.Line, fs)
		}
		if p, ok := r.NewProgress(it); ok {
			t.Errorf("row %d: an untouched row reports progress %q", r.Line, p)
		}
	}

	// Edited: Excel keeps a typed "'=x" as "=x"; a copy of the export keeps "'=x".
	for i, v := range []string{"=SUM(1)", spreadsheet.Escape("=SUM(2)"), spreadsheet.Escape("'-3")} {
		cell, _ := excelize.CoordinatesToCellName(col(Progress), i+2)
		if err := x.SetCellStr(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	edited, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if sh, err = Read(edited, cat); err != nil || len(sh.Rows) != len(items) {
		t.Fatalf("read the edited copy: %d rows: %v", len(sh.Rows), err)
	}
	for i, want := range []string{"=SUM(1)", "=SUM(2)", "'-3"} {
		if p, ok := sh.Rows[i].NewProgress(items[i]); !ok || p != want {
			t.Errorf("edited row %d: progress %q (%v), want %q", i+2, p, ok, want)
		}
	}
}

// formulaTitles is a catalog whose titles of the findings sheet begin
// with formula characters, so that the template's only text cells do.
type formulaTitles struct{ overlay }

func (c formulaTitles) T(locale, key string, args ...any) string {
	s := c.overlay.T(locale, key, args...)
	if strings.HasPrefix(key, "ledger.col.") {
		return formulaStarts[len(s)%len(formulaStarts)] + s
	}
	return s
}

// TestFindingsFormulaCells: the template writes its titles escaped and
// reads them back; rows of texts beginning with a formula character, as
// an export writes them or as Excel saves them typed, read back as the
// texts.
func TestFindingsFormulaCells(t *testing.T) {
	cat := formulaTitles{catalog(t)}
	var buf bytes.Buffer
	if err := WriteFindingsTemplate(&buf, cat, i18n.Default); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetList()[0]
	for i, c := range FindingColumns {
		title := cat.T(i18n.Default, c.Key())
		if got := rawCell(t, x, sheet, i+1, 1); got != "'"+title {
			t.Errorf("title %d: %q, want %q", i+1, got, "'"+title)
		}
	}
	var want []FindingRow
	for i, c := range formulaStarts {
		r := FindingRow{Line: i + 2, Unit: c + "单位", Text: c + "1+1 问题", RootCause: c + "原因"}
		cells := []any{r.Unit, "", "", r.Text, r.RootCause}
		if i%2 == 0 || c == "'=" { // else as Excel saves a typed "'-x": the text alone
			cells = spreadsheet.Cells(cells)
		}
		cell, _ := excelize.CoordinatesToCellName(1, r.Line)
		if err := x.SetSheetRow(sheet, cell, &cells); err != nil {
			t.Fatal(err)
		}
		r.Unit, r.Text, r.RootCause = clean(r.Unit), clean(r.Text), clean(r.RootCause)
		want = append(want, r)
	}
	filled, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	sh, err := ReadFindings(filled, cat, finding.Severities)
	if err != nil || len(sh.Errors) > 0 || len(sh.Rows) != len(want) {
		t.Fatalf("read back %+v: %v", sh, err)
	}
	for i, r := range sh.Rows {
		if r != want[i] {
			t.Errorf("row %d: %+v, want %+v", r.Line, r, want[i])
		}
	}
}
