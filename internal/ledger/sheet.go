package ledger

import (
	"archive/zip"
	"io"

	"github.com/xuri/excelize/v2"

	"zeren/internal/apperr"
	"zeren/internal/rectification"
	"zeren/internal/spreadsheet"
)

// PageSize is how many items an export reads at a time.
const PageSize = 500

// Fetch returns the page of items after a cursor ("" for the first page)
// and the cursor of the next one ("" after the last): store.Ledger's keyset
// pages.
type Fetch func(after string) ([]rectification.Rectification, string, error)

// Writer streams a ledger to a workbook. Rows go through excelize's stream
// writer, which keeps at most a chunk of the sheet in memory and the rest
// in a temporary file, and the workbook is zipped straight to its
// destination: memory stays flat however many rows there are (DESIGN.md
// section 6).
type Writer struct {
	f      *excelize.File
	sw     *excelize.StreamWriter
	cat    Catalog
	locale string
	n      int
}

// NewWriter starts a workbook with the title row in the locale. Close it.
func NewWriter(cat Catalog, locale string) (*Writer, error) {
	w := &Writer{f: excelize.NewFile(), cat: cat, locale: locale}
	sheet := cat.T(locale, "ledger.sheet")
	if err := w.f.SetSheetName("Sheet1", sheet); err != nil {
		w.f.Close()
		return nil, err
	}
	var err error
	if w.sw, err = w.f.NewStreamWriter(sheet); err != nil {
		w.f.Close()
		return nil, err
	}
	if err := w.start(); err != nil {
		w.f.Close()
		return nil, err
	}
	return w, nil
}

// start sets the columns (which the stream writer wants before any row)
// and writes the title row, frozen above the items.
func (w *Writer) start() error {
	for i, c := range Columns {
		if err := w.sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return err
		}
		if c.Hidden {
			if err := w.sw.SetColVisible(i+1, i+1, false); err != nil {
				return err
			}
		}
	}
	bold, err := w.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	if err := w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return w.sw.SetRow("A1", spreadsheet.Cells(Header(w.cat, w.locale)), excelize.RowOpts{StyleID: bold})
}

// Add writes an item's row.
func (w *Writer) Add(x rectification.Rectification) error {
	w.n++
	cell, err := excelize.CoordinatesToCellName(1, w.n+1)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, spreadsheet.Cells(Cells(w.cat, w.locale, w.n, x)))
}

// AddAll writes every item that fetch returns, a page at a time.
func (w *Writer) AddAll(fetch Fetch) error {
	after := ""
	for {
		page, next, err := fetch(after)
		if err != nil {
			return err
		}
		for _, x := range page {
			if err := w.Add(x); err != nil {
				return err
			}
		}
		if next == "" || len(page) == 0 {
			return nil
		}
		after = next
	}
}

// Rows is how many items have been written.
func (w *Writer) Rows() int { return w.n }

// WriteTo finishes the workbook and writes it to out. excelize would zip the
// whole workbook into a buffer first; its zip writer hook lets the archive
// go straight to out instead, leaving the buffer empty.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	if err := w.sw.Flush(); err != nil {
		return 0, err
	}
	cw := &countingWriter{w: out}
	w.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(cw) })
	err := w.f.Write(io.Discard)
	return cw.n, err
}

// Close releases the workbook and its temporary files.
func (w *Writer) Close() error { return w.f.Close() }

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Sheet is what was read from a workbook: the rows that parsed and the
// errors of those that did not.
type Sheet struct {
	Rows   []Row
	Errors []RowError
}

// MaxUnzipped bounds what a workbook read back may expand to.
const MaxUnzipped = spreadsheet.MaxUnzipped

// titleRows is how far down the title row may be: people put a heading
// above the table.
const titleRows = 20

// Read reads the first sheet of a workbook: the title row (the first of
// the top rows to name the item id column), then every row under it. A
// file that is not a workbook, or has no such title row, is an error on
// the field "file"; a bad row is an error of its own, and the others are
// still read.
func Read(r io.Reader, cat Catalog) (Sheet, error) {
	var sh Sheet
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: MaxUnzipped, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return sh, apperr.Field("file", "err.ledger_not_xlsx")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return sh, apperr.Field("file", "err.ledger_not_xlsx")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return sh, apperr.Field("file", "err.ledger_not_xlsx")
	}
	defer rows.Close()
	var layout *Layout
	var firstErr error
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return sh, apperr.Field("file", "err.ledger_not_xlsx")
		}
		spreadsheet.UnescapeCells(cells)
		if layout == nil {
			l, err := ReadLayout(cat, cells)
			switch {
			case err == nil:
				layout = &l
			case line >= titleRows && firstErr != nil:
				return sh, firstErr
			case line >= titleRows:
				return sh, err
			case firstErr == nil && len(l.index) > 0:
				firstErr = err // a title row with a problem
			}
			continue
		}
		row, ok, err := layout.Row(line, cells)
		switch {
		case err != nil:
			sh.Errors = append(sh.Errors, rowError(line, row.ID, err))
		case ok:
			sh.Rows = append(sh.Rows, row)
		}
	}
	if err := rows.Error(); err != nil {
		return sh, apperr.Field("file", "err.ledger_not_xlsx")
	}
	if layout == nil {
		if firstErr != nil {
			return sh, firstErr
		}
		return sh, noIDColumn()
	}
	return sh, nil
}
