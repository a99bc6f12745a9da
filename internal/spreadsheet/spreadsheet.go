// Package spreadsheet holds the one rule for the text of exported cells.
// A cell whose text begins with '=', '+', '-', '@', a tab or a carriage
// return is a formula to a spreadsheet program once the user edits the
// cell or saves the file as CSV (formula injection, OWASP "CSV
// injection"). Every writer of a workbook or CSV file passes its cells
// through Cells (or Escape), and every reader passes what it reads through
// Unescape, so that export → import gives back the text as it was.
//
// The rule: Escape puts a single quote before such a text, which every
// spreadsheet program shows and keeps as text (and Excel, when the cell
// is edited, takes for its "text" prefix and drops: what is read back is
// then the text without it). Unescape takes one quote off a text made of
// one or more quotes followed by one of those characters. A text that
// really begins with quotes followed by one of them ("'=x") gets one quote
// more (two before the "="), so the pair is exact for every string; a text beginning
// with a quote followed by anything else ("'abc") is written and read as
// it is.
package spreadsheet

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// dangerous is what a spreadsheet program takes a cell beginning with for
// a formula, or lets one follow.
const dangerous = "=+-@\t\r"

// quoted reports whether s is quotes (at least min of them) followed by a
// dangerous character.
func quoted(s string, min int) bool {
	rest := strings.TrimLeft(s, "'")
	return len(s)-len(rest) >= min && rest != "" && strings.IndexByte(dangerous, rest[0]) >= 0
}

// Escape is the text to write in a cell for s: s itself, or s after a
// single quote when a spreadsheet would take it for a formula (see the
// package comment).
func Escape(s string) string {
	if quoted(s, 0) {
		return "'" + s
	}
	return s
}

// Unescape is the text a cell read back stands for: Escape's inverse,
// which leaves every text Escape does not write as it is.
func Unescape(s string) string {
	if quoted(s, 1) {
		return s[1:]
	}
	return s
}

// Cells escapes the text of a row of cells for excelize's SetRow or
// SetSheetRow, in place, and returns it. Numbers, booleans, times and
// empty cells stay as they are, so that a negative number is still a
// number; anything else excelize would write as text (a string, a type
// of string kind, a Stringer) is escaped.
func Cells(row []any) []any {
	for i, v := range row {
		row[i] = value(v)
	}
	return row
}

func value(v any) any {
	switch v := v.(type) {
	case nil, bool, time.Time, time.Duration,
		int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return v
	case string:
		return Escape(v)
	case []byte:
		return Escape(string(v))
	case excelize.Cell:
		if v.Formula == "" {
			v.Value = value(v.Value)
		}
		return v
	case *excelize.Cell:
		if v != nil && v.Formula == "" {
			c := *v
			c.Value = value(c.Value)
			return &c
		}
		return v
	case []excelize.RichTextRun:
		if len(v) > 0 && quoted(v[0].Text, 0) {
			runs := append([]excelize.RichTextRun{{Text: "'", Font: v[0].Font}}, v...)
			return runs
		}
		return v
	}
	if rv := reflect.ValueOf(v); rv.Kind() >= reflect.Int && rv.Kind() <= reflect.Float64 || rv.Kind() == reflect.Bool {
		return v // a number or boolean of a named type: excelize writes it as text, but not a formula
	}
	return Escape(fmt.Sprint(v))
}

// UnescapeCells unescapes a row of cells read back, in place, and returns it.
func UnescapeCells(row []string) []string {
	for i, s := range row {
		row[i] = Unescape(s)
	}
	return row
}
