package ledger

import (
	"errors"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"zeren/internal/apperr"
	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/spreadsheet"
)

// Inspection teams (巡视巡察) hand a unit's organizer their feedback as a
// list of problems in a workbook, one problem a row. The findings sheet is
// that list: a template to fill in, and the rows read back, each to become
// a finding with the source "inspection feedback". Which unit a row names,
// and whether the importer may record findings there, is the store's to
// decide; everything that needs no database is checked here.

// The fields of the findings sheet that the ledger lacks. The unit and the
// problem (the finding's text) are the ledger's Unit and Problem.
const (
	Area      Field = "area"       // 责任领域: one of the cycle's areas
	Severity  Field = "severity"   // 严重程度
	RootCause Field = "root_cause" // 原因分析
)

// FindingColumns are the findings sheet's columns in the template's order.
// Only the unit and the problem are required.
var FindingColumns = []Column{
	{Field: Unit, Width: 30},
	{Field: Area, Width: 30},
	{Field: Severity, Width: 10},
	{Field: Problem, Width: 60},
	{Field: RootCause, Width: 40},
}

// SeverityKey is the catalog key of a severity.
func SeverityKey(s finding.Severity) string { return "severity." + string(s) }

// WriteFindingsTemplate writes an empty findings sheet to out: the title row
// in the locale, in bold and frozen, and the columns' widths.
func WriteFindingsTemplate(out io.Writer, cat Catalog, locale string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := cat.T(locale, "findings_sheet.sheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	titles := make([]any, len(FindingColumns))
	for i, c := range FindingColumns {
		titles[i] = cat.T(locale, c.Key())
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(sheet, col, col, c.Width); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	titles = spreadsheet.Cells(titles)
	if err := f.SetSheetRow(sheet, "A1", &titles); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(FindingColumns), 1)
	if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	_, err = f.WriteTo(out)
	return err
}

// FindingRow is one problem read from a findings sheet.
type FindingRow struct {
	Line      int    // the row's number in the sheet, as the spreadsheet shows it
	UnitID    int64  // the unit, when the cell holds its number; else 0
	Unit      string // the unit's cell: its full name (or number)
	Area      string // as written; the store matches it to the cycle's areas
	Severity  finding.Severity
	Text      string
	RootCause string
}

// FindingSheet is what was read from a findings workbook: the rows that
// parsed and the errors of those that did not.
type FindingSheet struct {
	Rows   []FindingRow
	Errors []RowError
}

// findingLayout maps the columns of a findings sheet to their fields, found
// by their titles in any language or their field names.
type findingLayout struct {
	index      map[Field]int
	severities map[string]finding.Severity // what a cell may say for each level of the cycle's scale
}

// readFindingLayout reads a title row. It fails when the unit or problem
// column is missing or a column appears twice; n is how many columns it
// knew, so that a row of other words is not taken for a bad title row.
func readFindingLayout(cat Catalog, scale []finding.Severity, titles []string) (l findingLayout, n int, err error) {
	byTitle := map[string]Field{}
	for _, c := range FindingColumns {
		byTitle[fold(string(c.Field))] = c.Field
		for _, loc := range i18n.Locales {
			byTitle[fold(cat.T(loc, c.Key()))] = c.Field
			// The forms' labels too ("单位" as well as "责任单位").
			if k := "field." + string(c.Field); cat.T(loc, k) != k {
				byTitle[fold(cat.T(loc, k))] = c.Field
			}
		}
	}
	byTitle[fold("text")] = Problem // finding.Finding's own name for it
	l = findingLayout{index: map[Field]int{}, severities: severityNames(cat, scale)}
	for i, t := range titles {
		f, ok := byTitle[fold(t)]
		if !ok {
			continue
		}
		if _, dup := l.index[f]; dup {
			return l, len(l.index), apperr.Field("file", "err.ledger_duplicate_column", clean(t))
		}
		l.index[f] = i
	}
	for _, f := range []Field{Unit, Problem} {
		if _, ok := l.index[f]; !ok {
			return l, len(l.index), missingColumn(cat, f)
		}
	}
	return l, len(l.index), nil
}

// severityNames maps what a cell may say for each level of a scale to the
// level: its code, or a cycle's own label as written, and the default
// levels' labels in every language.
func severityNames(cat Catalog, scale []finding.Severity) map[string]finding.Severity {
	names := map[string]finding.Severity{}
	for _, s := range scale {
		names[fold(string(s))] = s
		for _, loc := range i18n.Locales {
			if k := SeverityKey(s); cat.T(loc, k) != k {
				names[fold(cat.T(loc, k))] = s
			}
		}
	}
	return names
}

// missingColumn is the error of a sheet without a required column, named
// in the catalog's default language, as the template titles it.
func missingColumn(cat Catalog, f Field) error {
	return apperr.Field("file", "err.findings_missing_column", cat.T(i18n.Default, Column{Field: f}.Key()))
}

// row parses the cells of the row numbered line. A row whose cells are all
// empty is no row: ok is false. A bad cell is an error naming its column.
func (l findingLayout) row(line int, cells []string) (r FindingRow, ok bool, err error) {
	get := func(f Field) string {
		i, ok := l.index[f]
		if !ok || i >= len(cells) {
			return ""
		}
		return clean(cells[i])
	}
	blank := true
	for f := range l.index {
		blank = blank && get(f) == ""
		if utf8.RuneCountInString(get(f)) > MaxCellLen {
			return r, true, apperr.Field(string(f), "err.too_long", MaxCellLen)
		}
	}
	if blank {
		return r, false, nil
	}
	r = FindingRow{Line: line, Unit: get(Unit), Area: get(Area), Text: get(Problem), RootCause: get(RootCause)}
	if r.Unit == "" {
		return r, true, apperr.Field(string(Unit), "err.required")
	}
	// A number is the unit's id, as typed or as a spreadsheet stores one;
	// unit names always hold more than digits.
	if id, err := parseID(r.Unit, true); err == nil {
		r.UnitID = id
	}
	if s := get(Severity); s != "" {
		if r.Severity, ok = l.severities[fold(s)]; !ok {
			return r, true, apperr.Field(string(Severity), "err.findings_unknown_severity")
		}
	}
	return r, true, nil
}

// ReadFindings reads the first sheet of a findings workbook for a cycle
// whose severity scale is given (finding.Scale): the title row (the first
// of the top rows to name a column of the sheet), then every row under it.
// A file that is not a workbook, or lacks the unit or problem column, is
// an error on the field "file"; a bad row is an error of its own, and the
// others are still read.
func ReadFindings(r io.Reader, cat Catalog, scale []finding.Severity) (FindingSheet, error) {
	var sh FindingSheet
	var layout *findingLayout
	var titleErr error
	err := eachRow(r, func(line int, cells []string) error {
		if layout == nil {
			l, n, err := readFindingLayout(cat, scale, cells)
			switch {
			case err == nil:
				layout = &l
			case titleErr == nil && n > 0:
				titleErr = err // a title row with a problem
			}
			if layout == nil && line >= titleRows {
				return spreadsheet.ErrStop
			}
			return nil
		}
		row, ok, err := layout.row(line, cells)
		switch {
		case err != nil:
			sh.Errors = append(sh.Errors, rowError(line, 0, err))
		case ok:
			sh.Rows = append(sh.Rows, row)
		}
		return nil
	})
	switch {
	case err != nil:
		return sh, err
	case layout == nil && titleErr != nil:
		return sh, titleErr
	case layout == nil:
		return sh, missingColumn(cat, Unit)
	}
	return sh, nil
}

// eachRow calls fn with the cells of every row of a workbook's first sheet
// (spreadsheet.EachXLSXRow); a file that is not a workbook is an error on
// the field "file".
func eachRow(r io.Reader, fn func(line int, cells []string) error) error {
	err := spreadsheet.EachXLSXRow(r, fn)
	if errors.Is(err, spreadsheet.ErrNotSheet) {
		return apperr.Field("file", "err.ledger_not_xlsx")
	}
	return err
}

// MatchArea returns the one of a cycle's areas that a cell names: its full
// name, or its short name before the colon ("政治建设" for "政治建设：党的全面
// 领导、政治纪律和政治规矩"), compared as titles are. An empty cell names no
// area; a cell that names none of them, or several, is an error on the area.
func MatchArea(areas []string, cell string) (string, error) {
	cell = fold(cell)
	if cell == "" {
		return "", nil
	}
	var short []string
	for _, a := range areas {
		if fold(a) == cell {
			return a, nil
		}
		if head, _, ok := strings.Cut(strings.ReplaceAll(a, "：", ":"), ":"); ok && fold(head) == cell {
			short = append(short, a)
		}
	}
	switch len(short) {
	case 0:
		return "", apperr.Field(string(Area), "err.findings_unknown_area")
	case 1:
		return short[0], nil
	}
	return "", apperr.Field(string(Area), "err.findings_ambiguous_area")
}

// NewFinding is a finding an import records (or would record): the row it
// came from and, once recorded, its id and the id of its item.
type NewFinding struct {
	Line            int   `json:"row"`
	RectificationID int64 `json:"rectification_id,omitempty"`
	finding.Finding
}

// FindingsResult is the outcome of a findings import: the rows read, the
// findings recorded (or, on a dry run, to record), the rows skipped because
// an earlier import recorded them, and the errors. Nothing is recorded when
// there is an error or on a dry run.
type FindingsResult struct {
	Rows     int          `json:"rows"`
	Findings []NewFinding `json:"findings"`
	Existing []NewFinding `json:"existing"`
	Errors   []RowError   `json:"-"` // their messages depend on the reader's language
	DryRun   bool         `json:"dry_run"`
}

// SortErrors orders the errors by row.
func (r *FindingsResult) SortErrors() {
	sort.SliceStable(r.Errors, func(i, j int) bool { return r.Errors[i].Line < r.Errors[j].Line })
}

// FindingsMessage is a bad row's reason in a locale, naming the column by
// its title in the findings sheet.
func FindingsMessage(cat Catalog, locale string, e RowError) string {
	msg := cat.T(locale, e.Err.Key, e.Err.Args...)
	if e.Err.Field == "" {
		return msg
	}
	title := e.Err.Field
	for _, c := range FindingColumns {
		if string(c.Field) == e.Err.Field {
			title = cat.T(locale, c.Key())
		}
	}
	return title + ": " + msg
}
