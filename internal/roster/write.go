package roster

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"zeren/internal/auth"
	"zeren/internal/spreadsheet"
)

// Format is how a sheet is written.
type Format string

// The formats.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// FormatOf is the format a file name asks for: CSV for ".csv", else Excel.
func FormatOf(name string) Format {
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		return CSV
	}
	return XLSX
}

// Writer streams a sheet to a workbook (through excelize's stream writer,
// which keeps a chunk of the sheet in memory and the rest in a temporary
// file) or to CSV, every cell escaped (spreadsheet.Cells).
type Writer struct {
	cat    Catalog
	locale string
	sheet  Sheet
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	cw     *csv.Writer
	n      int
}

// NewWriter starts a sheet with its title row in the locale. Close it.
func NewWriter(out io.Writer, format Format, s Sheet, cat Catalog, locale string) (*Writer, error) {
	w := &Writer{cat: cat, locale: locale, sheet: s, out: out}
	var titles []string
	for _, f := range s.Fields() {
		titles = append(titles, cat.T(locale, f.Key()))
	}
	if format == CSV {
		// A byte order mark, so that Excel opens the UTF-8 text as such.
		if _, err := io.WriteString(out, "\ufeff"); err != nil {
			return nil, err
		}
		// Cells go through spreadsheet.Escape in row.
		w.cw = csv.NewWriter(out)
		return w, w.row(titles)
	}
	w.f = excelize.NewFile()
	name := cat.T(locale, "roster.sheet."+string(s))
	if err := w.f.SetSheetName("Sheet1", name); err != nil {
		w.f.Close()
		return nil, err
	}
	var err error
	if w.sw, err = w.f.NewStreamWriter(name); err != nil {
		w.f.Close()
		return nil, err
	}
	for i, f := range s.Fields() {
		width := 16.0
		if f == Name || f == Parent || f == Grants {
			width = 40
		}
		if err := w.sw.SetColWidth(i+1, i+1, width); err != nil {
			w.f.Close()
			return nil, err
		}
	}
	bold, err := w.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err == nil {
		err = w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	if err == nil {
		err = w.sw.SetRow("A1", spreadsheet.Cells(anys(titles)), excelize.RowOpts{StyleID: bold})
	}
	if err != nil {
		w.f.Close()
		return nil, err
	}
	w.n = 1
	return w, nil
}

func anys(cells []string) []any {
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = c
	}
	return out
}

// row writes one row of text cells.
func (w *Writer) row(cells []string) error {
	w.n++
	if w.cw != nil {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = spreadsheet.Escape(c)
		}
		return w.cw.Write(out)
	}
	cell, _ := excelize.CoordinatesToCellName(1, w.n)
	return w.sw.SetRow(cell, spreadsheet.Cells(anys(cells)))
}

// Unit writes a unit's row: its number, name, parent (the parent's number
// if it has one, else its full name path), kind and leader.
func (w *Writer) Unit(r UnitRow) error {
	return w.row([]string{r.Number, r.Name, r.Parent, w.cat.T(w.locale, "kind."+string(r.Kind)), r.Leader})
}

// User writes a user's row, grants as role@unit.
func (w *Writer) User(r UserRow) error {
	grants := make([]string, len(r.Grants))
	for i, g := range r.Grants {
		grants[i] = string(g.Role) + "@" + g.Unit
	}
	active := "roster.no"
	if r.Active {
		active = "roster.yes"
	}
	return w.row([]string{r.Login, r.Name, r.Phone, r.Email, strings.Join(grants, GrantSep), w.cat.T(w.locale, active)})
}

// Close finishes the sheet, writing a workbook to the output, and
// releases it.
func (w *Writer) Close() error {
	if w.cw != nil {
		w.cw.Flush()
		return w.cw.Error()
	}
	defer w.f.Close()
	if err := w.sw.Flush(); err != nil {
		return err
	}
	// excelize would zip the whole workbook into a buffer first; its zip
	// writer hook sends the archive straight to the output.
	w.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w.out) })
	return w.f.Write(io.Discard)
}

// RoleOrder sorts grants as the roles are listed.
func RoleOrder(r auth.Role) int {
	for i, x := range auth.Roles {
		if x == r {
			return i
		}
	}
	return len(auth.Roles)
}

// Rows is how many units or users were written.
func (w *Writer) Rows() int { return w.n - 1 }
