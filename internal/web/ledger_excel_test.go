package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/finding"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/user"
)

// ledgerItem makes a finding on a unit in a cycle and takes its item to a
// status: planning (no plan, or with plan when deadline is set), in
// progress, or closed. It returns the item's id.
func (f *fixture) ledgerItem(unitKey, cycleKey, text string, status rectification.Status, deadline string) int64 {
	f.t.Helper()
	ctx, sys := context.Background(), audit.System
	fd, err := f.st.CreateFinding(ctx, sys, finding.Finding{UnitID: f.units[unitKey].ID, CycleID: f.cycles[cycleKey].ID,
		Source: finding.ChairComment, Area: "基层组织建设", Text: text})
	if err != nil {
		f.t.Fatal(err)
	}
	xs, err := f.st.FindingRectifications(ctx, fd.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	x := xs[0]
	if deadline == "" {
		return x.ID
	}
	p := rectification.Plan{Measures: "措施：" + text, Owner: "李四", ResponsibleLeader: "王五", Deadline: deadline, Kind: rectification.Immediate}
	if x, err = f.st.SavePlan(ctx, sys, x.ID, x.Version, p); err != nil {
		f.t.Fatal(err)
	}
	var moves []rectification.Move
	switch status {
	case rectification.InProgress:
		moves = []rectification.Move{rectification.Start}
	case rectification.Closed:
		moves = []rectification.Move{rectification.Start, rectification.Submit, rectification.Verify}
	}
	for _, m := range moves {
		if x, err = f.st.MoveRectification(ctx, sys, x.ID, x.Version, m, ""); err != nil {
			f.t.Fatal(err)
		}
	}
	return x.ID
}

// itemState is an item as the ledger shows it, with its timeline.
type itemState struct {
	X      rectification.Rectification
	Events []string // kind: text
}

// ledgerState reads every item of a cycle with its timeline.
func ledgerState(t testing.TB, st *store.Store, cycleID int64) map[int64]itemState {
	t.Helper()
	ctx := context.Background()
	out := map[int64]itemState{}
	f := store.LedgerFilter{Scopes: []string{"/"}, CycleID: cycleID, Limit: 500}
	for {
		xs, next, err := st.Ledger(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range xs {
			events, err := st.Timeline(ctx, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			s := itemState{X: x}
			for _, e := range events {
				s.Events = append(s.Events, e.Kind+": "+e.Text)
			}
			out[x.ID] = s
		}
		if next == "" {
			return out
		}
		f.After = next
	}
}

// sameExcept fails unless before and after are equal but for the items
// listed.
func sameExcept(t testing.TB, before, after map[int64]itemState, changed ...int64) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("%d items before, %d after", len(before), len(after))
	}
	skip := map[int64]bool{}
	for _, id := range changed {
		skip[id] = true
	}
	for id, b := range before {
		if !skip[id] && !reflect.DeepEqual(b, after[id]) {
			t.Errorf("item %d changed:\nbefore %+v\nafter  %+v", id, b, after[id])
		}
	}
}

// exportLedger downloads a workbook and checks that it is one.
func (f *fixture) exportLedger(who, path string, header ...string) []byte {
	f.t.Helper()
	resp, body := f.do(who, "GET", path, "", header...)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != xlsxType ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
		f.t.Fatalf("export %s as %s: %d %s\n%s", path, who, resp.StatusCode, resp.Header, excerpt(body))
	}
	return []byte(body)
}

// sheetEdit opens an exported workbook for changes to the rows of items.
type sheetEdit struct {
	t     testing.TB
	x     *excelize.File
	sheet string
	rowOf map[int64]int // item → row number
	last  int
}

func editLedger(t testing.TB, data []byte) *sheetEdit {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	e := &sheetEdit{t: t, x: x, sheet: x.GetSheetList()[0], rowOf: map[int64]int{}}
	rows, err := x.GetRows(e.sheet)
	if err != nil {
		t.Fatal(err)
	}
	idCol := column(ledger.ItemID) - 1
	for i, r := range rows[1:] {
		id, err := strconv.ParseInt(r[idCol], 10, 64)
		if err != nil {
			t.Fatalf("row %d: id %q", i+2, r[idCol])
		}
		e.rowOf[id] = i + 2
	}
	e.last = len(rows)
	return e
}

func column(f ledger.Field) int {
	for i, c := range ledger.Columns {
		if c.Field == f {
			return i + 1
		}
	}
	panic("no column " + f)
}

// set writes a cell of an item's row.
func (e *sheetEdit) set(id int64, f ledger.Field, v any) {
	e.t.Helper()
	row, ok := e.rowOf[id]
	if !ok {
		e.t.Fatalf("item %d is not in the sheet", id)
	}
	cell, _ := excelize.CoordinatesToCellName(column(f), row)
	if err := e.x.SetCellValue(e.sheet, cell, v); err != nil {
		e.t.Fatal(err)
	}
}

// add appends a row naming an item with the given cells.
func (e *sheetEdit) add(id int64, cells map[ledger.Field]any) int {
	e.last++
	e.rowOf[id] = e.last
	e.set(id, ledger.ItemID, id)
	for f, v := range cells {
		e.set(id, f, v)
	}
	return e.last
}

func (e *sheetEdit) bytes() []byte {
	e.t.Helper()
	b, err := e.x.WriteToBuffer()
	if err != nil {
		e.t.Fatal(err)
	}
	return b.Bytes()
}

// importLedger uploads a workbook as who, past the fixture's placeholder
// expansion, which must not touch a binary file.
func (f *fixture) importLedger(who string, cycleID int64, data []byte, dryRun bool) (*http.Response, string) {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "台账.xlsx")
	_, _ = fw.Write(data)
	if dryRun {
		_ = mw.WriteField("dry_run", "1")
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", f.ts.URL+"/cycles/"+strconv.FormatInt(cycleID, 10)+"/ledger/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.cookie[who]})
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var importRow = regexp.MustCompile(`<tr class="import-(error|change)">\s*<td>(\d+)</td>\s*<td>(?:<a [^>]*>)?(\d*)(?:</a>)?</td>\s*<td>(.*?)</td>`)

// importRows maps the row numbers listed on an import page to their first
// cell after the id: the reason of an error, the unit of a change.
func importRows(body, kind string) map[int]string {
	out := map[int]string{}
	for _, m := range importRow.FindAllStringSubmatch(body, -1) {
		if m[1] == kind {
			n, _ := strconv.Atoi(m[2])
			out[n] = html.UnescapeString(m[4])
		}
	}
	return out
}

// TestLedgerExcelRoundTrip exports a cycle's ledger, changes the progress
// in three rows, and imports it: a dry run changes nothing; the import adds
// exactly three updates and changes nothing else; importing the same file
// again changes nothing.
func TestLedgerExcelRoundTrip(t *testing.T) {
	f := newFixture(t)
	vA := f.cycles["vA"].ID
	planning := f.ledgerItem("A1", "vA", "党员发展程序不规范", rectification.Planning, "")
	planned := f.ledgerItem("A2", "vA", "三会一课落实不到位", rectification.Planning, "2021-03-31")
	started := f.ledgerItem("A1", "vA", "村级组织活动场所闲置", rectification.InProgress, "2021-02-28")
	started2 := f.ledgerItem("A2", "vA", "软弱涣散村党组织整顿不力", rectification.InProgress, "2021-04-30")
	closed := f.ledgerItem("A1", "vA", "党费收缴不及时", rectification.Closed, "2021-01-20")
	before := ledgerState(t, f.st, vA)

	data := f.exportLedger("leadera", "/cycles/{cycle:vA}/ledger.xlsx")
	e := editLedger(t, data)
	if len(e.rowOf) != len(before) {
		t.Fatalf("exported %d rows, the cycle has %d items", len(e.rowOf), len(before))
	}
	for _, id := range []int64{planning, planned, started, started2, closed} {
		if _, ok := e.rowOf[id]; !ok {
			t.Fatalf("item %d is not exported", id)
		}
	}
	// The cells hold the items' values.
	cell := func(id int64, fl ledger.Field) string {
		c, _ := excelize.CoordinatesToCellName(column(fl), e.rowOf[id])
		v, _ := e.x.GetCellValue(e.sheet, c)
		return v
	}
	if cell(started, ledger.Measures) != "措施：村级组织活动场所闲置" || cell(started, ledger.Deadline) != "2021-02-28" ||
		cell(started, ledger.Unit) != "城厢街道党工委" || cell(closed, ledger.ClosedOn) != "2021-01-12" ||
		cell(planning, ledger.Deadline) != "" || cell(started, ledger.Problem) != "村级组织活动场所闲置" {
		t.Fatalf("cells of the export: %q %q %q %q", cell(started, ledger.Measures), cell(started, ledger.Deadline),
			cell(started, ledger.Unit), cell(closed, ledger.ClosedOn))
	}
	news := map[int64]string{planned: "已制定三会一课台账", started: "场所已重新启用", started2: "已整顿2个村"}
	for id, text := range news {
		e.set(id, ledger.Progress, text)
	}
	edited := e.bytes()

	resp, body := f.importLedger("leadera", vA, edited, true)
	if resp.StatusCode != http.StatusOK || len(importRows(body, "change")) != 3 || len(importRows(body, "error")) != 0 {
		t.Fatalf("dry run: %d\n%s", resp.StatusCode, excerpt(body))
	}
	sameExcept(t, before, ledgerState(t, f.st, vA))

	resp, body = f.importLedger("leadera", vA, edited, false)
	changes := importRows(body, "change")
	if resp.StatusCode != http.StatusOK || len(changes) != 3 {
		t.Fatalf("import: %d %v\n%s", resp.StatusCode, changes, excerpt(body))
	}
	after := ledgerState(t, f.st, vA)
	sameExcept(t, before, after, planned, started, started2)
	for id, text := range news {
		b, a := before[id], after[id]
		if len(a.Events) != len(b.Events)+1 || a.Events[len(a.Events)-1] != "update: "+text {
			t.Errorf("item %d: timeline %v, want one update %q more than %v", id, a.Events, text, b.Events)
		}
		want := b.X
		want.Progress = text
		if !reflect.DeepEqual(a.X, want) {
			t.Errorf("item %d: %+v, want only the progress changed", id, a.X)
		}
	}

	// The same file again, after one more update on the item page: the
	// progress in the file is either the items' own or older, never news.
	if err := f.st.AddUpdate(context.Background(), audit.System, started, "场所已对外开放", nil, 1<<20); err != nil {
		t.Fatal(err)
	}
	after = ledgerState(t, f.st, vA)
	for _, copy := range [][]byte{edited, data} {
		resp, body = f.importLedger("leadera", vA, copy, false)
		if resp.StatusCode != http.StatusOK || len(importRows(body, "change")) != 0 {
			t.Fatalf("import again: %d\n%s", resp.StatusCode, excerpt(body))
		}
		sameExcept(t, after, ledgerState(t, f.st, vA))
	}
}

// TestLedgerImportPlans imports plans: a new plan for an item in planning
// is saved as SavePlan saves it (original deadline, timeline, counters); a
// plan edited on a copy older than the item's last change is refused.
func TestLedgerImportPlans(t *testing.T) {
	f := newFixture(t)
	vA := f.cycles["vA"].ID
	fresh := f.ledgerItem("A1", "vA", "党员发展程序不规范", rectification.Planning, "")
	planned := f.ledgerItem("A2", "vA", "三会一课落实不到位", rectification.Planning, "2021-03-31")
	started := f.ledgerItem("A1", "vA", "村级组织活动场所闲置", rectification.InProgress, "2021-02-28")
	ctx := context.Background()
	statsBefore, err := f.st.UnitStats(ctx, f.units["A"].ID, vA)
	if err != nil {
		t.Fatal(err)
	}
	data := f.exportLedger("member-a", "/cycles/{cycle:vA}/ledger.xlsx")
	e := editLedger(t, data)
	e.set(fresh, ledger.Measures, "规范发展党员程序")
	e.set(fresh, ledger.Owner, "组织委员 张三")
	e.set(fresh, ledger.Leader, "书记 王五")
	e.set(fresh, ledger.Deadline, "2021/1/15") // within the warning days
	e.set(fresh, ledger.Kind, mustCatalog(t).T("en", "rect_kind.long_term"))
	e.set(started, ledger.Owner, "副书记 赵六") // the deadline stays: allowed once started
	before := ledgerState(t, f.st, vA)
	resp, body := f.importLedger("member-a", vA, e.bytes(), false)
	if resp.StatusCode != http.StatusOK || len(importRows(body, "change")) != 2 {
		t.Fatalf("import: %d\n%s", resp.StatusCode, excerpt(body))
	}
	after := ledgerState(t, f.st, vA)
	sameExcept(t, before, after, fresh, started)
	x := after[fresh].X
	if x.Plan != (rectification.Plan{Measures: "规范发展党员程序", Owner: "组织委员 张三", ResponsibleLeader: "书记 王五",
		Deadline: "2021-01-15", Kind: rectification.LongTerm}) || x.OriginalDeadline != "2021-01-15" || x.Version != before[fresh].X.Version+1 {
		t.Fatalf("the new plan: %+v", x)
	}
	if ev := after[fresh].Events; ev[len(ev)-1] != "plan: 规范发展党员程序" {
		t.Fatalf("timeline %v", ev)
	}
	if y := after[started].X; y.Owner != "副书记 赵六" || y.Deadline != "2021-02-28" || y.Measures != before[started].X.Measures {
		t.Fatalf("the started item: %+v", y)
	}
	statsAfter, err := f.st.UnitStats(ctx, f.units["A"].ID, vA)
	if err != nil || statsAfter.DueSoon != statsBefore.DueSoon+1 || statsAfter.Total != statsBefore.Total {
		t.Fatalf("counters: %+v, before %+v (%v)", statsAfter, statsBefore, err)
	}

	// Someone changes the plan after the export: the copy's plan is stale.
	p := before[planned].X.Plan
	p.Owner = "另一位责任人"
	if _, err := f.st.SavePlan(ctx, audit.System, planned, before[planned].X.Version, p); err != nil {
		t.Fatal(err)
	}
	e = editLedger(t, data)
	e.set(planned, ledger.Measures, "旧副本上的修改")
	resp, body = f.importLedger("member-a", vA, e.bytes(), false)
	errs := importRows(body, "error")
	cat := mustCatalog(t)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(errs[e.rowOf[planned]], cat.T("zh-CN", "err.stale_version")) {
		t.Fatalf("stale copy: %d %v\n%s", resp.StatusCode, errs, excerpt(body))
	}
}

// TestLedgerImportRejects imports a file with bad rows among a good one:
// each bad row is named with its reason, and nothing is imported.
func TestLedgerImportRejects(t *testing.T) {
	f := newFixture(t)
	vA := f.cycles["vA"].ID
	items := map[string]int64{
		"unknown":   f.ledgerItem("A1", "vA", "问题一", rectification.Planning, ""),
		"baddate":   f.ledgerItem("A1", "vA", "问题二", rectification.InProgress, "2021-03-31"),
		"misplaced": f.ledgerItem("A2", "vA", "问题三", rectification.InProgress, "2021-03-31"),
		"past":      f.ledgerItem("A2", "vA", "问题四", rectification.Planning, "2021-03-31"),
		"extension": f.ledgerItem("A1", "vA", "问题五", rectification.InProgress, "2021-03-31"),
		"closed":    f.ledgerItem("A1", "vA", "问题六", rectification.Closed, "2021-03-31"),
		"partial":   f.ledgerItem("A2", "vA", "问题七", rectification.Planning, ""),
		"good":      f.ledgerItem("A2", "vA", "问题八", rectification.InProgress, "2021-03-31"),
	}
	other := f.ledgerItem("B1", "vB", "游仙的问题", rectification.InProgress, "2021-03-31")
	otherCycle := f.ledgerItem("A1", "A", "另一年度的问题", rectification.InProgress, "2021-03-31")
	before := ledgerState(t, f.st, vA)
	beforeB := ledgerState(t, f.st, f.cycles["vB"].ID)

	e := editLedger(t, f.exportLedger("leadera", "/cycles/{cycle:vA}/ledger.xlsx"))
	rows := map[string]int{}
	for k, id := range items {
		rows[k] = e.rowOf[id]
	}
	e.set(items["unknown"], ledger.ItemID, 999999)
	e.set(items["baddate"], ledger.Deadline, "2021-02-30")
	e.set(items["misplaced"], ledger.Unit, "中共游仙区委")
	e.set(items["past"], ledger.Deadline, "2021-01-11") // the clock says 2021-01-12
	e.set(items["extension"], ledger.Deadline, "2021-06-30")
	e.set(items["closed"], ledger.Progress, "销号后又有进展")
	e.set(items["partial"], ledger.Measures, "只写了措施")
	e.set(items["good"], ledger.Progress, "这一行本身没有问题")
	rows["invisible"] = e.add(other, map[ledger.Field]any{ledger.Progress: "别的单位的进展"})
	rows["other_cycle"] = e.add(otherCycle, map[ledger.Field]any{ledger.Progress: "别的年度的进展"})
	rows["twice"] = e.add(items["good"], map[ledger.Field]any{ledger.Progress: "同一事项又一行"})
	e.last++
	rows["no_id"] = e.last
	cellName, _ := excelize.CoordinatesToCellName(column(ledger.Progress), rows["no_id"])
	_ = e.x.SetCellValue(e.sheet, cellName, "没有编号的一行")
	data := e.bytes()

	cat := mustCatalog(t)
	zh := func(key string, args ...any) string { return cat.T("zh-CN", key, args...) }
	col := func(fl ledger.Field) string { return zh(ledger.Column{Field: fl}.Key()) + ": " }
	want := map[string]string{
		"unknown":     col(ledger.ItemID) + zh("err.ledger_no_such_item", 999999),
		"baddate":     col(ledger.Deadline) + zh("err.bad_date"),
		"misplaced":   col(ledger.Unit) + zh("err.ledger_mismatch", items["misplaced"]),
		"past":        col(ledger.Deadline) + zh("err.deadline_past"),
		"extension":   col(ledger.Deadline) + zh("err.deadline_by_extension"),
		"closed":      zh("err.rect_closed"),
		"partial":     col(ledger.Owner) + zh("err.required"),
		"invisible":   col(ledger.ItemID) + zh("err.ledger_no_such_item", other),
		"other_cycle": col(ledger.ItemID) + zh("err.ledger_other_cycle", otherCycle),
		"twice":       col(ledger.ItemID) + zh("err.ledger_duplicate_row", items["good"], rows["good"]),
		"no_id":       col(ledger.ItemID) + zh("err.required"),
	}
	for _, dry := range []bool{true, false} {
		resp, body := f.importLedger("leadera", vA, data, dry)
		errs := importRows(body, "error")
		if resp.StatusCode != http.StatusBadRequest || len(errs) != len(want) {
			t.Fatalf("dry run %v: %d, %d errors %v\n%s", dry, resp.StatusCode, len(errs), errs, excerpt(body))
		}
		for k, msg := range want {
			if errs[rows[k]] != msg {
				t.Errorf("%s (row %d): %q, want %q", k, rows[k], errs[rows[k]], msg)
			}
		}
		if len(importRows(body, "change")) != 0 || !strings.Contains(body, zh("ledger_import.rejected", len(want), e.last-1)) {
			t.Errorf("the page does not say that nothing was imported\n%s", excerpt(body))
		}
		sameExcept(t, before, ledgerState(t, f.st, vA))
		sameExcept(t, beforeB, ledgerState(t, f.st, f.cycles["vB"].ID))
	}
}

// TestLedgerImportScopes: a row may change only the items of units whose
// plans the importer keeps; visible items of other units may stay as they
// are. Readers who keep no plans may not import at all.
func TestLedgerImportScopes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	vA := f.cycles["vA"].ID
	own := f.ledgerItem("A2", "vA", "自己单位的问题", rectification.InProgress, "2021-03-31")
	theirs := f.ledgerItem("A1", "vA", "兄弟单位的问题", rectification.InProgress, "2021-03-31")
	u, err := f.st.CreateUser(ctx, audit.System, user.Draft{Login: "mixed", Name: "工区书记", Locale: "zh-CN"}, testHash(),
		[]auth.Grant{{Role: auth.UnitLeader, UnitID: f.units["A2"].ID}, {Role: auth.Observer, UnitID: f.units["root"].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if f.cookie["mixed"], err = f.st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: u.Login}, ""); err != nil {
		t.Fatal(err)
	}
	data := f.exportLedger("mixed", "/cycles/{cycle:vA}/ledger.xlsx")
	before := ledgerState(t, f.st, vA)
	e := editLedger(t, data)
	if _, ok := e.rowOf[theirs]; !ok {
		t.Fatal("the observer's export lacks a visible item")
	}
	e.set(theirs, ledger.Progress, "替兄弟单位填的进展")
	e.set(own, ledger.Progress, "自己单位的进展")
	resp, body := f.importLedger("mixed", vA, e.bytes(), false)
	errs := importRows(body, "error")
	if resp.StatusCode != http.StatusBadRequest || len(errs) != 1 ||
		errs[e.rowOf[theirs]] != mustCatalog(t).T("zh-CN", "err.ledger_not_editable", "城厢街道党工委") {
		t.Fatalf("%d %v\n%s", resp.StatusCode, errs, excerpt(body))
	}
	sameExcept(t, before, ledgerState(t, f.st, vA))
	e = editLedger(t, data) // the other unit's row untouched
	e.set(own, ledger.Progress, "自己单位的进展")
	if resp, body := f.importLedger("mixed", vA, e.bytes(), false); resp.StatusCode != http.StatusOK {
		t.Fatalf("%d\n%s", resp.StatusCode, excerpt(body))
	}
	sameExcept(t, before, ledgerState(t, f.st, vA), own)
	if resp, _ := f.importLedger("observer", vA, data, false); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an observer imported: %d", resp.StatusCode)
	}
	if resp, _ := f.importLedger("leadera", f.cycles["vB"].ID, data, false); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a cycle out of sight: %d", resp.StatusCode)
	}
}

// TestLedgerImportBadFiles: what is no ledger is refused as a whole.
func TestLedgerImportBadFiles(t *testing.T) {
	f := newFixture(t)
	vA := f.cycles["vA"].ID
	noID := excelize.NewFile()
	_ = noID.SetSheetRow("Sheet1", "A1", &[]any{"序号", "问题", "整改进展"})
	b, _ := noID.WriteToBuffer()
	cat := mustCatalog(t)
	for name, tc := range map[string]struct {
		data []byte
		key  string
	}{
		"csv":          {[]byte("事项编号,整改进展\n1,x\n"), "err.ledger_not_xlsx"},
		"no id column": {b.Bytes(), "err.ledger_no_id_column"},
	} {
		resp, body := f.importLedger("leadera", vA, tc.data, false)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), cat.T("zh-CN", tc.key)) {
			t.Errorf("%s: %d\n%s", name, resp.StatusCode, excerpt(body))
		}
	}
	resp, body := f.do("leadera", "POST", "/cycles/{cycle:vA}/ledger/import", "dry_run=1")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no file: %d\n%s", resp.StatusCode, excerpt(body))
	}
	resp, body = f.do("leadera", "GET", "/cycles/{cycle:vA}/ledger/import", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="dry_run"`) || !strings.Contains(body, `/ledger.xlsx"`) {
		t.Errorf("form: %d\n%s", resp.StatusCode, excerpt(body))
	}
}

// TestLedgerExportFilters: the export takes the ledger page's filters and
// shows only the items of the reader's grants, in the reader's language.
func TestLedgerExportFilters(t *testing.T) {
	f := newFixture(t)
	a1 := f.ledgerItem("A1", "vA", "城厢的问题", rectification.InProgress, "2021-03-31")
	a2 := f.ledgerItem("A2", "vA", "工区的问题", rectification.Planning, "")
	a2closed := f.ledgerItem("A2", "vA", "工区已销号的问题", rectification.Closed, "2021-03-31")
	cat := mustCatalog(t)
	ids := func(data []byte) map[int64]bool {
		sh, err := ledger.Read(bytes.NewReader(data), cat)
		if err != nil || len(sh.Errors) > 0 {
			t.Fatalf("read the export: %v %v", err, sh.Errors)
		}
		out := map[int64]bool{}
		for _, r := range sh.Rows {
			out[r.ID] = true
		}
		return out
	}
	all := ids(f.exportLedger("leadera", "/cycles/{cycle:vA}/ledger.xlsx"))
	if !all[a1] || !all[a2] || !all[a2closed] {
		t.Fatalf("whole ledger: %v", all)
	}
	sub := ids(f.exportLedger("leadera", "/cycles/{cycle:vA}/ledger.xlsx?unit={A2}"))
	if sub[a1] || !sub[a2] || !sub[a2closed] {
		t.Fatalf("A2's subtree: %v", sub)
	}
	open := ids(f.exportLedger("leadera", "/cycles/{cycle:vA}/ledger.xlsx?unit={A2}&status=planning&q=工区"))
	if len(open) != 1 || !open[a2] {
		t.Fatalf("A2's items in planning: %v", open)
	}
	closedOnly := ids(f.exportLedger("leadera", "/cycles/{cycle:vA}/ledger.xlsx?status=closed&sort=overdue&source=chair_comment&kind=immediate"))
	if len(closedOnly) != 1 || !closedOnly[a2closed] {
		t.Fatalf("closed items: %v", closedOnly)
	}
	for path, field := range map[string]string{
		"/cycles/{cycle:vA}/ledger.xlsx?status=bogus": "status",
		"/cycles/{cycle:vA}/ledger.xlsx?unit={B}":     "unit",
		"/cycles/{cycle:vA}/ledger.xlsx?unit=abc":     "unit",
		"/cycles/{cycle:vA}/ledger.xlsx?sort=bogus":   "sort",
	} {
		if resp, body := f.do("leadera", "GET", path, ""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400 on %s\n%s", path, resp.StatusCode, field, excerpt(body))
		}
	}

	// The API: the same workbook, titled in the Accept-Language; errors as JSON.
	data := f.exportLedger("leadera", "/api/v1/cycles/{cycle:vA}/ledger.xlsx?unit={A2}", "Accept-Language", "en")
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	head, _ := x.GetRows(x.GetSheetList()[0])
	if len(head) != 3 || head[0][column(ledger.Measures)-1] != cat.T("en", "ledger.col.measures") {
		t.Fatalf("API export: %v", head)
	}
	resp, body := f.do("leadera", "GET", "/api/v1/cycles/{cycle:vA}/ledger.xlsx?warning=purple", "")
	var eb struct {
		Error struct{ Code, Field string }
	}
	if resp.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(body), &eb) != nil || eb.Error.Field != "warning" {
		t.Fatalf("API bad filter: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do("leadera", "GET", "/api/v1/cycles/{cycle:vB}/ledger.xlsx", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("API cycle out of sight: %d", resp.StatusCode)
	}
}
