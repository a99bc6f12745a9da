package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// MaxUnzipped bounds what a workbook read back may expand to, against zip
// bombs; a sheet of a million rows takes a fraction of it.
const MaxUnzipped = 512 << 20

// ErrNotSheet is returned for bytes that are not a workbook (or, where
// CSV is accepted, CSV text).
var ErrNotSheet = errors.New("not a spreadsheet")

// ErrStop ends a walk over the rows early without an error.
var ErrStop = errors.New("stop")

// EachXLSXRow calls fn with the cells of every row of a workbook's first
// sheet, numbered as the spreadsheet shows them, until fn returns an error
// (ErrStop: just stop). Cells are read raw, so that numbers come back as
// stored, and unescaped.
func EachXLSXRow(r io.Reader, fn func(line int, cells []string) error) error {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: MaxUnzipped, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return ErrNotSheet
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return ErrNotSheet
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return ErrNotSheet
	}
	defer rows.Close()
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return ErrNotSheet
		}
		if err := fn(line, UnescapeCells(cells)); errors.Is(err, ErrStop) {
			return nil
		} else if err != nil {
			return err
		}
	}
	if rows.Error() != nil {
		return ErrNotSheet
	}
	return nil
}

// EachRow is EachXLSXRow for a workbook, and reads anything else as CSV:
// UTF-8 (a byte order mark is dropped) or, when the bytes are not UTF-8,
// GB18030, which is what Excel on a Chinese Windows saves as "CSV".
func EachRow(r io.Reader, fn func(line int, cells []string) error) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return EachXLSXRow(bytes.NewReader(data), fn)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		if data, err = simplifiedchinese.GB18030.NewDecoder().Bytes(data); err != nil || !utf8.Valid(data) {
			return ErrNotSheet
		}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return ErrNotSheet // a binary file, not text
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	// Rows are numbered as a spreadsheet program shows the file: a blank
	// line is a row, a cell over several lines is one.
	extra := 0
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return ErrNotSheet
		}
		line, _ := cr.FieldPos(0)
		line -= extra
		for _, c := range cells {
			extra += strings.Count(c, "\n")
		}
		if err := fn(line, UnescapeCells(cells)); errors.Is(err, ErrStop) {
			return nil
		} else if err != nil {
			return err
		}
	}
}
