package ledger

import (
	"bytes"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zeren/internal/apperr"
	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/rectification"
)

// item is a planned item in progress, as the store returns one.
func item(id int64) rectification.Rectification {
	return rectification.Rectification{ID: id, Version: 3, UnitName: "中共涪城区委", Status: rectification.InProgress,
		Finding: finding.Finding{Text: "基层党组织软弱涣散", Source: finding.Supervision},
		Plan: rectification.Plan{Measures: "整顿软弱涣散村党组织", Owner: "李四", ResponsibleLeader: "王五",
			Deadline: "2021-03-31", Kind: rectification.LongTerm},
		Progress: "已整顿3个村"}
}

func TestColumns(t *testing.T) {
	want := []Field{Serial, Problem, Source, Measures, Leader, Unit, Owner, Deadline, Progress, Status, ClosedOn, Kind, ItemID, Version}
	var got []Field
	keys := map[string]bool{}
	for _, c := range Columns {
		got = append(got, c.Field)
		keys[c.Key()] = true
		if c.Hidden != (c.Field == ItemID || c.Field == Version) {
			t.Errorf("%s hidden: %v", c.Field, c.Hidden)
		}
	}
	if !reflect.DeepEqual(got, want) || len(keys) != len(Columns) {
		t.Fatalf("columns %v, want the standard ledger's order %v", got, want)
	}
	editable := map[Field]bool{Measures: true, Leader: true, Owner: true, Deadline: true, Progress: true, Kind: true}
	for _, c := range Columns {
		if c.Editable != editable[c.Field] {
			t.Errorf("%s editable: %v", c.Field, c.Editable)
		}
	}
}

func TestCells(t *testing.T) {
	cat := catalog(t)
	x := item(42)
	x.Status, x.ClosedOn = rectification.Closed, "2021-03-30"
	row := Cells(cat, "zh-CN", 7, x)
	byField := map[Field]any{}
	for i, c := range Columns {
		byField[c.Field] = row[i]
	}
	for f, want := range map[Field]any{
		Serial: 7, Problem: "基层党组织软弱涣散", Source: cat.T("zh-CN", "source.supervision"), Measures: "整顿软弱涣散村党组织",
		Leader: "王五", Unit: "中共涪城区委", Owner: "李四", Deadline: "2021-03-31", Progress: "已整顿3个村",
		Status: cat.T("zh-CN", "rect_status.closed"), ClosedOn: "2021-03-30", Kind: cat.T("zh-CN", "rect_kind.long_term"),
		ItemID: int64(42), Version: int64(3),
	} {
		if byField[f] != want {
			t.Errorf("%s: %#v, want %#v", f, byField[f], want)
		}
	}
	// An item still being planned has no kind yet: the cell stays empty.
	x.Kind = ""
	if got := Cells(cat, "en", 1, x)[11]; got != "" {
		t.Errorf("no kind: %q", got)
	}
	if h := Header(cat, "en"); len(h) != len(Columns) || h[0] != cat.T("en", "ledger.col.serial") {
		t.Errorf("header %v", h)
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{"", "", false},
		{"2021-03-31", "2021-03-31", false},
		{" 2021-3-1 ", "2021-03-01", false},
		{"2021/3/31", "2021-03-31", false},
		{"2021.3.31", "2021-03-31", false},
		{"2021年3月31日", "2021-03-31", false},
		{"2021-03-31 00:00:00", "2021-03-31", false},
		{"44286", "2021-03-31", false},   // a date cell, as a spreadsheet stores it
		{"44286.5", "2021-03-31", false}, // with a time of day
		{"2021-02-30", "", true},
		{"2021-13-01", "", true},
		{"31/03/2021", "", true},
		{"2021", "", true}, // a year is not a day (and not serial 2021, in 1905)
		{"-44286", "", true},
		{"9999999", "", true},
		{"next week", "", true},
		{"NaN", "", true},
	} {
		got, err := ParseDate(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q, bad %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestReadLayout(t *testing.T) {
	cat := catalog(t)
	zh := func(f Field) string { return cat.T("zh-CN", Column{Field: f}.Key()) }
	en := func(f Field) string { return cat.T("en", Column{Field: f}.Key()) }
	for _, tc := range []struct {
		name   string
		titles []string
		want   map[Field]int
		err    string
	}{
		{"chinese, in order", []string{zh(Serial), zh(Measures), zh(ItemID)}, map[Field]int{Serial: 0, Measures: 1, ItemID: 2}, ""},
		{"english, moved, with a column of one's own", []string{"备注", en(ItemID), " " + en(Deadline) + " ", en(Kind)},
			map[Field]int{ItemID: 1, Deadline: 2, Kind: 3}, ""},
		{"mixed languages and field names", []string{"ITEM_ID", zh(Owner), en(Progress)}, map[Field]int{ItemID: 0, Owner: 1, Progress: 2}, ""},
		{"no id column", []string{zh(Serial), zh(Measures)}, nil, "err.ledger_no_id_column"},
		{"a column twice", []string{zh(ItemID), zh(Owner), en(Owner)}, nil, "err.ledger_duplicate_column"},
		{"empty", nil, nil, "err.ledger_no_id_column"},
	} {
		l, err := ReadLayout(cat, tc.titles)
		if tc.err != "" {
			if e, ok := apperr.As(err); !ok || e.Key != tc.err || e.Field != "file" {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(l.index, tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, l.index, err, tc.want)
		}
	}
}

// layout is a sheet with every column, titled in Chinese.
func layout(t testing.TB) Layout {
	t.Helper()
	cat := catalog(t)
	var titles []string
	for _, c := range Columns {
		titles = append(titles, cat.T("zh-CN", c.Key()))
	}
	l, err := ReadLayout(cat, titles)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// cells is a row of the full layout with the given cells set.
func cells(set map[Field]string) []string {
	row := make([]string, len(Columns))
	for i, c := range Columns {
		row[i] = set[c.Field]
	}
	return row
}

func TestRow(t *testing.T) {
	l := layout(t)
	cat := catalog(t)
	for _, tc := range []struct {
		name  string
		cells []string
		blank bool
		field Field // of the error
		check func(Row) bool
	}{
		{name: "blank", cells: cells(map[Field]string{Serial: " "}), blank: true},
		{name: "short row", cells: []string{}, blank: true},
		{name: "a note in a column of one's own", cells: append(cells(nil), "合计：共35项"), blank: true},
		{name: "full", cells: cells(map[Field]string{ItemID: "12", Version: "3", Measures: " 措施\r\n第二行 ", Owner: "李四",
			Leader: "王五", Deadline: "2021/3/31", Kind: cat.T("en", "rect_kind.immediate"), Progress: "进展", Unit: "涪城"}),
			check: func(r Row) bool {
				return r.ID == 12 && r.Version == 3 && r.Plan == rectification.Plan{Measures: "措施\n第二行", Owner: "李四",
					ResponsibleLeader: "王五", Deadline: "2021-03-31", Kind: rectification.Immediate} && r.Progress == "进展" && r.Unit == "涪城"
			}},
		{name: "id as a number cell", cells: cells(map[Field]string{ItemID: "12.0", Kind: "long_term"}),
			check: func(r Row) bool { return r.ID == 12 && r.Version == 0 && r.Plan.Kind == rectification.LongTerm }},
		{name: "kind in chinese", cells: cells(map[Field]string{ItemID: "1", Kind: cat.T("zh-CN", "rect_kind.long_term")}),
			check: func(r Row) bool { return r.Plan.Kind == rectification.LongTerm }},
		{name: "no id", cells: cells(map[Field]string{Measures: "措施"}), field: ItemID},
		{name: "id not a number", cells: cells(map[Field]string{ItemID: "十二"}), field: ItemID},
		{name: "id fractional", cells: cells(map[Field]string{ItemID: "12.5"}), field: ItemID},
		{name: "id negative", cells: cells(map[Field]string{ItemID: "-12"}), field: ItemID},
		{name: "bad version", cells: cells(map[Field]string{ItemID: "12", Version: "v3"}), field: Version},
		{name: "bad date", cells: cells(map[Field]string{ItemID: "12", Deadline: "2021-02-30"}), field: Deadline},
		{name: "unknown kind", cells: cells(map[Field]string{ItemID: "12", Kind: "随便改改"}), field: Kind},
		{name: "huge cell", cells: cells(map[Field]string{ItemID: "12", Measures: strings.Repeat("长", MaxCellLen+1)}), field: Measures},
	} {
		r, ok, err := l.Row(5, tc.cells)
		switch {
		case tc.blank:
			if ok || err != nil {
				t.Errorf("%s: read as a row: %+v %v", tc.name, r, err)
			}
		case tc.field != "":
			if e, _ := apperr.As(err); e == nil || e.Field != string(tc.field) {
				t.Errorf("%s: error %v, want one on %s", tc.name, err, tc.field)
			}
		case err != nil || !ok || r.Line != 5 || !tc.check(r):
			t.Errorf("%s: %+v %v", tc.name, r, err)
		}
	}
}

func TestRowAgainstItem(t *testing.T) {
	cat := catalog(t)
	full := layout(t)
	narrow, err := ReadLayout(cat, []string{"item_id", "progress"}) // a sheet of its own: id and progress only
	if err != nil {
		t.Fatal(err)
	}
	x := item(12)
	same := map[Field]string{ItemID: "12", Measures: x.Measures, Owner: x.Owner, Leader: x.ResponsibleLeader,
		Deadline: x.Deadline, Kind: "long_term", Progress: x.Progress, Problem: x.Finding.Text, Unit: x.UnitName}
	with := func(f Field, v string) map[Field]string {
		m := map[Field]string{}
		for k, w := range same {
			m[k] = w
		}
		m[f] = v
		return m
	}
	for _, tc := range []struct {
		name     string
		l        Layout
		cells    []string
		fields   []Field
		progress string
		mismatch Field
	}{
		{name: "unchanged", l: full, cells: cells(same)},
		{name: "new progress", l: full, cells: cells(with(Progress, "又整顿2个村")), progress: "又整顿2个村"},
		{name: "progress emptied: nothing to take back", l: full, cells: cells(with(Progress, ""))},
		{name: "measures and deadline", l: full, cells: cells(with(Deadline, "2021-04-30")), fields: []Field{Deadline}},
		{name: "kind", l: full, cells: cells(with(Kind, "immediate")), fields: []Field{Kind}},
		{name: "owner emptied", l: full, cells: cells(with(Owner, "")), fields: []Field{Owner}},
		{name: "missing columns keep the item's values", l: narrow, cells: []string{"12", "新进展"}, progress: "新进展"},
		{name: "another problem: misaligned", l: full, cells: cells(with(Problem, "另一个问题")), mismatch: Problem},
		{name: "another unit: misaligned", l: full, cells: cells(with(Unit, "中共游仙区委")), mismatch: Unit},
		{name: "empty read-only cells say nothing", l: full, cells: cells(with(Unit, ""))},
	} {
		r, _, err := tc.l.Row(2, tc.cells)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := r.PlanChanges(x); !reflect.DeepEqual(got, tc.fields) {
			t.Errorf("%s: plan changes %v, want %v", tc.name, got, tc.fields)
		}
		if got, ok := r.NewProgress(x); got != tc.progress || ok != (tc.progress != "") {
			t.Errorf("%s: progress %q, want %q", tc.name, got, tc.progress)
		}
		if got := r.Mismatch(x); got != tc.mismatch {
			t.Errorf("%s: mismatch %q, want %q", tc.name, got, tc.mismatch)
		}
		if tc.l.Has(Measures) && r.PlanFor(x).Measures != r.Plan.Measures || !tc.l.Has(Measures) && r.PlanFor(x) != x.Plan {
			t.Errorf("%s: plan for the item %+v", tc.name, r.PlanFor(x))
		}
	}
}

// TestRoundTrip writes items across several pages, reads the workbook back
// and gets the same plans, progress and ids, in both languages.
func TestRoundTrip(t *testing.T) {
	cat := catalog(t)
	var items []rectification.Rectification
	for i := 1; i <= 1234; i++ {
		x := item(int64(1000 + i))
		x.Measures += strconv.Itoa(i)
		x.Progress = "第" + strconv.Itoa(i) + "次进展\n含换行"
		if i%3 == 0 {
			x.Kind, x.Deadline, x.Status = "", "", rectification.Planning
		}
		items = append(items, x)
	}
	for _, loc := range i18n.Locales {
		w, err := NewWriter(cat, loc)
		if err != nil {
			t.Fatal(err)
		}
		pages := 0
		err = w.AddAll(func(after string) ([]rectification.Rectification, string, error) {
			pages++
			start, _ := strconv.Atoi(after)
			end := min(start+PageSize, len(items))
			next := ""
			if end < len(items) {
				next = strconv.Itoa(end)
			}
			return items[start:end], next, nil
		})
		if err != nil || w.Rows() != len(items) || pages != 3 {
			t.Fatalf("%s: wrote %d rows in %d pages: %v", loc, w.Rows(), pages, err)
		}
		var buf bytes.Buffer
		n, err := w.WriteTo(&buf)
		w.Close()
		if err != nil || n != int64(buf.Len()) || n == 0 {
			t.Fatalf("%s: WriteTo %d of %d bytes: %v", loc, n, buf.Len(), err)
		}
		sh, err := Read(bytes.NewReader(buf.Bytes()), cat)
		if err != nil || len(sh.Errors) > 0 || len(sh.Rows) != len(items) {
			t.Fatalf("%s: read %d rows, errors %v: %v", loc, len(sh.Rows), sh.Errors, err)
		}
		for i, r := range sh.Rows {
			x := items[i]
			if r.Line != i+2 || r.ID != x.ID || r.Version != x.Version || r.Plan != x.Plan || r.Progress != x.Progress ||
				r.Problem != x.Finding.Text || r.Unit != x.UnitName {
				t.Fatalf("%s: row %d: %+v, want item %+v", loc, i+2, r, x)
			}
			if fs := r.PlanChanges(x); len(fs) > 0 {
				t.Fatalf("%s: an untouched row changes %v", loc, fs)
			}
			if _, ok := r.NewProgress(x); ok {
				t.Fatalf("%s: an untouched row reports progress", loc)
			}
		}
		f, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		sheet := f.GetSheetList()[0]
		if sheet != cat.T(loc, "ledger.sheet") {
			t.Errorf("%s: sheet %q", loc, sheet)
		}
		for col, c := range Columns {
			name, _ := excelize.ColumnNumberToName(col + 1)
			if visible, _ := f.GetColVisible(sheet, name); visible == c.Hidden {
				t.Errorf("%s: column %s (%s) visible: %v", loc, name, c.Field, visible)
			}
		}
		f.Close()
	}
}

// TestRead covers workbooks people make of an export: a heading above the
// table, blank rows, bad rows among good ones, and files that are no ledger.
func TestRead(t *testing.T) {
	cat := catalog(t)
	book := func(rows ...[]any) []byte {
		f := excelize.NewFile()
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
	deadline := time.Date(2021, 3, 31, 0, 0, 0, 0, time.UTC)
	b := book([]any{"2020年度整改台账"}, []any{}, []any{"事项编号", "整改时限", "整改进展"},
		[]any{12, deadline, "进展"}, // a real date cell
		[]any{}, []any{"x", "2021-03-31"}, []any{13, "2021-02-30"}, []any{14, "", "另一条"})
	sh, err := Read(bytes.NewReader(b), cat)
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Rows) != 2 || sh.Rows[0].Line != 4 || sh.Rows[0].ID != 12 || sh.Rows[0].Plan.Deadline != "2021-03-31" ||
		sh.Rows[1].Line != 8 || sh.Rows[1].Progress != "另一条" {
		t.Fatalf("rows %+v", sh.Rows)
	}
	if len(sh.Errors) != 2 || sh.Errors[0].Line != 6 || sh.Errors[0].Err.Field != "item_id" ||
		sh.Errors[1].Line != 7 || sh.Errors[1].ID != 13 || sh.Errors[1].Err.Field != "deadline" {
		t.Fatalf("errors %+v", sh.Errors)
	}
	if msg := Message(cat, "en", sh.Errors[1]); !strings.HasPrefix(msg, cat.T("en", "ledger.col.deadline")+": ") {
		t.Errorf("message %q does not name the column", msg)
	}
	for name, data := range map[string][]byte{
		"not a workbook": []byte("序号,问题\n1,x\n"),
		"no id column":   book([]any{"序号", "问题"}, []any{1, "x"}),
		"empty":          book(),
	} {
		if _, err := Read(bytes.NewReader(data), cat); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseQuery(t *testing.T) {
	q, err := ParseQuery(url.Values{"unit": {"7"}, "status": {"in_progress"}, "kind": {"immediate"}, "warning": {"red"},
		"source": {"supervision"}, "area": {" 基层组织建设 "}, "q": {"村"}, "sort": {"overdue"}, "after": {"x"}})
	want := Query{UnitID: 7, Status: rectification.InProgress, Kind: rectification.Immediate, Warning: rectification.Red,
		Source: finding.Supervision, Area: "基层组织建设", Text: "村", Sort: "overdue"}
	if err != nil || q != want {
		t.Fatalf("%+v %v", q, err)
	}
	for _, bad := range []string{"x", "-1", "0", "1.5"} {
		if _, err := ParseQuery(url.Values{"unit": {bad}}); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("unit=%s: %v", bad, err)
		}
	}
}

// FuzzLedgerRow feeds the row parser any cells: it never panics, and what
// it accepts is well-formed (a positive id, a real date, a known kind).
func FuzzLedgerRow(f *testing.F) {
	l := layout(f)
	f.Add("12", "3", "措施", "2021-03-31", "立行立改", "进展")
	f.Add("12.0", "", "", "44286", "long_term", "")
	f.Add("", "", "", "2021年2月30日", "x", "")
	f.Add("9223372036854775808", "-1", "\r\n", "1e9", "IMMEDIATE", "\x00")
	f.Fuzz(func(t *testing.T, id, version, measures, deadline, kind, progress string) {
		r, ok, err := l.Row(9, cells(map[Field]string{ItemID: id, Version: version, Measures: measures,
			Deadline: deadline, Kind: kind, Progress: progress}))
		if err != nil {
			if e, isApp := apperr.As(err); !isApp || e.Field == "" {
				t.Fatalf("error without a field: %v", err)
			}
			return
		}
		if !ok {
			return
		}
		if r.ID <= 0 || r.Version < 0 || r.Line != 9 {
			t.Fatalf("accepted id %d version %d", r.ID, r.Version)
		}
		if r.Plan.Deadline != "" {
			if _, err := time.Parse(rectification.Date, r.Plan.Deadline); err != nil {
				t.Fatalf("accepted deadline %q as %q", deadline, r.Plan.Deadline)
			}
		}
		if r.Plan.Kind != "" && !r.Plan.Kind.Valid() {
			t.Fatalf("accepted kind %q", r.Plan.Kind)
		}
		if r.Plan.Measures != strings.TrimSpace(r.Plan.Measures) || r.Progress != strings.TrimSpace(r.Progress) {
			t.Fatalf("untrimmed cells %q %q", r.Plan.Measures, r.Progress)
		}
	})
}
