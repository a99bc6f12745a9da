package roster_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"zeren/internal/auth"
	"zeren/internal/i18n"
	"zeren/internal/roster"
	"zeren/internal/unit"
)

func catalog(t testing.TB) *i18n.Catalog {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestReadUnitsFormats: the same sheet as UTF-8 CSV with and without a
// byte order mark, as GB18030 CSV (Excel's "CSV" on a Chinese Windows),
// with English titles in another order under a heading, and as a
// workbook, reads the same.
func TestReadUnitsFormats(t *testing.T) {
	cat := catalog(t)
	csv := "编号,名称,上级单位,类别,负责人\nS1,四川省委,,党委,张三\n,绵阳市委,S1,committee,\n\n,,,,\n,某支部,S1/绵阳市委,基层党组织,\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(csv)
	if err != nil {
		t.Fatal(err)
	}
	english := "Units of Sichuan\n\nLeader,Kind,Parent,Name,Number\n张三,Committee,,四川省委,S1\n,党委,S1,绵阳市委,\n,grassroots,S1/绵阳市委,某支部,\n"
	f := excelize.NewFile()
	for i, line := range strings.Split(strings.TrimSpace(csv), "\n") {
		cells := strings.Split(line, ",")
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var xlsx bytes.Buffer
	if err := f.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	want := []roster.UnitRow{
		{Line: 2, Number: "S1", Name: "四川省委", Kind: unit.Committee, Leader: "张三"},
		{Line: 3, Name: "绵阳市委", Parent: "S1", Kind: unit.Committee},
		{Line: 6, Name: "某支部", Parent: "S1/绵阳市委", Kind: unit.Grassroots},
	}
	for name, in := range map[string]string{"utf-8": csv, "bom": "\ufeff" + csv, "gb18030": gb, "english": english, "xlsx": xlsx.String()} {
		sh, err := roster.ReadUnits(strings.NewReader(in), cat)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(sh.Errors) > 0 || len(sh.Rows) != len(want) {
			t.Fatalf("%s: %+v", name, sh)
		}
		for i, r := range sh.Rows {
			w := want[i]
			if name == "english" {
				w.Line = 4 + i // under a heading and a blank line
			}
			if r != w {
				t.Errorf("%s row %d: %+v, want %+v", name, i, r, w)
			}
		}
	}
}

// TestReadFileErrors: what is not a sheet, or lacks a required column, is
// an error of the file; nothing is read.
func TestReadFileErrors(t *testing.T) {
	cat := catalog(t)
	for name, c := range map[string]struct {
		in, want string
		users    bool
	}{
		"binary":          {"\x00\x01\x02PK", "err.roster_not_sheet", false},
		"broken workbook": {"PK\x03\x04garbage", "err.roster_not_sheet", false},
		"no titles":       {"a,b,c\n1,2,3\n", "err.roster_no_titles", false},
		"no parent":       {"名称,类别\n四川省委,党委\n", "err.roster_missing_column", false},
		"no grants":       {"登录名,姓名\nzhang,张三\n", "err.roster_missing_column", true},
		"empty":           {"", "err.roster_no_titles", true},
		"bad quotes":      {"名称,上级单位\n\"x,y\n", "err.roster_not_sheet", false},
	} {
		var err error
		if c.users {
			_, err = roster.ReadUsers(strings.NewReader(c.in), cat)
		} else {
			_, err = roster.ReadUnits(strings.NewReader(c.in), cat)
		}
		re := roster.NewRowError(0, roster.File, err)
		if err == nil || re.Err.Key != c.want || re.Err.Field != "file" {
			t.Errorf("%s: %v, want %s on the file", name, err, c.want)
		}
	}
}

// TestReadUsersRows: labels in either language, grants on lines of their
// own or after a full-width semicolon, and each bad cell named.
func TestReadUsersRows(t *testing.T) {
	cat := catalog(t)
	in := "登录名,姓名,手机,邮箱,授权（角色@单位）,启用\n" +
		"Zhang ,张三,+86 138-0000-0000,zhang@example.org,\"admin@S1\n单位书记@S1/绵阳市委；staff@S1\",是\n" +
		"li,李四,,,observer@S1,no\n" +
		"wang,王五,,,admin@S1,\n" +
		"zhang,重复,,,admin@S1,\n"
	sh, err := roster.ReadUsers(strings.NewReader(in), cat)
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Rows) != 3 || len(sh.Errors) != 1 || sh.Errors[0].Line != 5 || sh.Errors[0].Err.Key != "err.roster_duplicate" {
		t.Fatalf("%+v", sh)
	}
	z := sh.Rows[0]
	if z.Login != "zhang" || !z.Active || len(z.Grants) != 3 || z.Grants[1] != (roster.GrantRef{Role: auth.UnitLeader, Unit: "S1/绵阳市委"}) {
		t.Errorf("%+v", z)
	}
	if sh.Rows[1].Active || !sh.Rows[2].Active {
		t.Errorf("active: %+v", sh.Rows[1:])
	}
}

// TestWriterEscapes: a cell that a spreadsheet would take for a formula is
// written as text, in CSV and in a workbook, and reads back as it was.
func TestWriterEscapes(t *testing.T) {
	cat := catalog(t)
	for _, f := range []roster.Format{roster.CSV, roster.XLSX} {
		var b bytes.Buffer
		w, err := roster.NewWriter(&b, f, roster.Units, cat, "en")
		if err != nil {
			t.Fatal(err)
		}
		row := roster.UnitRow{Number: "=1+1", Name: "+cmd", Parent: "@S1", Kind: unit.Other, Leader: "-x"}
		if err := w.Unit(row); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if w.Rows() != 1 {
			t.Errorf("%s: %d rows", f, w.Rows())
		}
		if f == roster.CSV && !strings.Contains(b.String(), "'=1+1,'+cmd,'@S1,Other,'-x") {
			t.Errorf("csv: %q", b.String())
		}
		sh, err := roster.ReadUnits(&b, cat)
		if err != nil || len(sh.Rows) != 1 {
			t.Fatalf("%s: %+v %v", f, sh, err)
		}
		row.Line = 2
		if sh.Rows[0] != row {
			t.Errorf("%s: %+v, want %+v", f, sh.Rows[0], row)
		}
	}
}

// FuzzReadRoster: no input makes either reader panic, and every error it
// returns names a column.
func FuzzReadRoster(f *testing.F) {
	cat := catalog(f)
	f.Add([]byte("编号,名称,上级单位,类别,负责人\nS1,四川省委,,党委,张三\n"))
	f.Add([]byte("登录名,姓名,手机,邮箱,授权,启用\nzhang,张三,,,admin@S1;x@,是\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		us, err := roster.ReadUnits(bytes.NewReader(data), cat)
		if err == nil {
			for _, e := range us.Errors {
				if e.Field == "" || e.Line == 0 {
					t.Errorf("an error without its row or column: %+v", e)
				}
			}
		}
		ps, err := roster.ReadUsers(bytes.NewReader(data), cat)
		if err == nil {
			for _, e := range ps.Errors {
				if e.Field == "" || e.Line == 0 {
					t.Errorf("an error without its row or column: %+v", e)
				}
			}
		}
	})
}
