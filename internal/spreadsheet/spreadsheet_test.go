package spreadsheet

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"", ""},
		{"=1+1", "'=1+1"},
		{"+86 138", "'+86 138"},
		{"-措施", "'-措施"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=cmd", "'\t=cmd"},
		{"\r=cmd", "'\r=cmd"},
		{"'=1+1", "''=1+1"}, // a quote of its own gets one more
		{"''-x", "'''-x"},
		{"'abc", "'abc"}, // a quote before anything else stays as it is
		{"'", "'"},
		{"''", "''"},
		{"a=1", "a=1"},
		{" =1", " =1"},
		{"整改=1", "整改=1"},
		{"\n=1", "\n=1"},
	} {
		if got := Escape(c.in); got != c.out {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.out)
		}
		if got := Unescape(c.out); got != c.in {
			t.Errorf("Unescape(%q) = %q, want %q", c.out, got, c.in)
		}
	}
	// What Excel leaves after the user edits an escaped cell: the quote
	// becomes its text prefix, and the value reads without it.
	for _, s := range []string{"=1+1", "-措施", "@x", "+1"} {
		if got := Unescape(s); got != s {
			t.Errorf("Unescape(%q) = %q, want it as it is", s, got)
		}
	}
}

// FuzzEscape: Unescape(Escape(s)) is s for every string, and what Escape
// writes never begins with a dangerous character.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "=", "'", "''=", "'a", "-1", "@", "\t", "\r\n", "a", "中文"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if got := Unescape(e); got != s {
			t.Fatalf("Unescape(Escape(%q)) = %q", s, got)
		}
		if e != "" && strings.IndexByte(dangerous, e[0]) >= 0 {
			t.Fatalf("Escape(%q) = %q begins with a formula character", s, e)
		}
		if e != s && e != "'"+s {
			t.Fatalf("Escape(%q) = %q: more than a quote added", s, e)
		}
	})
}

type label string

type count int

type stringer struct{}

func (stringer) String() string { return "=HYPERLINK()" }

// TestCells: texts of every kind are escaped, numbers, booleans and times
// are not, and excelize writes them as such.
func TestCells(t *testing.T) {
	when := time.Date(2021, 3, 31, 0, 0, 0, 0, time.UTC)
	row := Cells([]any{"=1+1", label("-x"), []byte("@y"), stringer{}, -5, -2.5, count(-3), true, when, nil, "ok",
		excelize.Cell{Value: "+z"}, excelize.Cell{Formula: "1+1"}})
	want := []any{"'=1+1", "'-x", "'@y", "'=HYPERLINK()", -5, -2.5, count(-3), true, when, nil, "ok",
		excelize.Cell{Value: "'+z"}, excelize.Cell{Formula: "1+1"}}
	if !reflect.DeepEqual(row, want) {
		t.Fatalf("Cells:\n got %#v\nwant %#v", row, want)
	}

	// Through excelize's stream writer and back.
	x := excelize.NewFile()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", Cells([]any{"-x", -5, "\t@y"})); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	y, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	for cell, w := range map[string]struct {
		v   string
		typ excelize.CellType
	}{"A1": {"'-x", excelize.CellTypeInlineString}, "B1": {"-5", excelize.CellTypeUnset}, "C1": {"'\t@y", excelize.CellTypeInlineString}} {
		v, _ := y.GetCellValue("Sheet1", cell, excelize.Options{RawCellValue: true})
		typ, _ := y.GetCellType("Sheet1", cell)
		if v != w.v || typ != w.typ {
			t.Errorf("%s: %q of type %v, want %q of type %v", cell, v, typ, w.v, w.typ)
		}
		if got, want := Unescape(v), strings.TrimPrefix(w.v, "'"); got != want {
			t.Errorf("%s read back: %q, want %q", cell, got, want)
		}
	}
}
