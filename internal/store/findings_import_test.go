package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/ledger"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

// importTree is a city with two districts, A (with A1, A2 and a branch
// named alike under each) and B (with a namesake of A1), and a cycle under A.
type importTree struct {
	st                            *store.Store
	city, a, a1, a2, b, b1        unit.Unit
	cycle                         cycle.Cycle
	organizer                     audit.Actor
	everywhere, districtA, onlyA1 []string
}

func newImportTree(t *testing.T) *importTree {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	x := &importTree{st: st, organizer: audit.Actor{Login: "organizer"}}
	x.city = mustUnit(t, st, 0, "中共绵阳市委")
	x.a = mustUnit(t, st, x.city.ID, "中共涪城区委")
	x.a1 = mustUnit(t, st, x.a.ID, "城厢街道党工委")
	x.a2 = mustUnit(t, st, x.a.ID, "工区街道党工委")
	mustUnit(t, st, x.a1.ID, "机关党支部")
	mustUnit(t, st, x.a2.ID, "机关党支部")
	x.b = mustUnit(t, st, x.city.ID, "中共游仙区委")
	x.b1 = mustUnit(t, st, x.b.ID, "游仙街道党工委")
	mustUnit(t, st, x.b.ID, "城厢街道党工委") // a namesake outside the cycle
	var err error
	if x.cycle, err = st.CreateCycle(ctx, audit.System, x.a.ID, cycle.Draft{Year: 2020, Title: "2020年度述职评议"}); err != nil {
		t.Fatal(err)
	}
	x.everywhere, x.districtA, x.onlyA1 = []string{x.city.Path}, []string{x.a.Path}, []string{x.a1.Path}
	return x
}

// findingsOf lists the cycle's findings as "unit/source/area/severity/text/cause".
func (x *importTree) findingsOf(t *testing.T) []string {
	t.Helper()
	xs, _, err := x.st.FindingRecords(context.Background(), store.FindingFilter{Scopes: x.everywhere, CycleID: x.cycle.ID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range xs {
		out = append(out, fmt.Sprintf("%s/%s/%s/%s/%s/%s", f.UnitName, f.Source, f.Area, f.Severity, f.Text, f.RootCause))
	}
	return out
}

func (x *importTree) run(t *testing.T, rows []ledger.FindingRow, record []string, dry bool) ledger.FindingsResult {
	t.Helper()
	res, err := x.st.ImportFindings(context.Background(), x.organizer, store.FindingsImport{CycleID: x.cycle.ID,
		Sheet: ledger.FindingSheet{Rows: rows}, Read: x.everywhere, Record: record, DryRun: dry})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestImportFindings: a dry run records nothing; the import records each
// row as a finding from inspection feedback with its item in planning, its
// audit events and counters; importing the file again records nothing twice.
func TestImportFindings(t *testing.T) {
	x := newImportTree(t)
	ctx := context.Background()
	rows := []ledger.FindingRow{
		{Line: 2, Unit: "城厢街道党工委", Area: "政治建设", Severity: finding.Major, Text: "落实主体责任不到位", RootCause: "压力传导不够"},
		{Line: 3, Unit: fmt.Sprint(x.a2.ID), UnitID: x.a2.ID, Area: cycle.SeedAreas[1], Text: "选人用人把关不严"},
		{Line: 5, Unit: "中共涪城区委", Text: "意识形态工作薄弱", Severity: finding.Minor},
	}
	res := x.run(t, rows, x.districtA, true)
	if len(res.Errors) != 0 || len(res.Findings) != 3 || !res.DryRun || res.Rows != 3 || res.Findings[0].ID != 0 {
		t.Fatalf("dry run: %+v", res)
	}
	if got := x.findingsOf(t); len(got) != 0 {
		t.Fatalf("the dry run recorded %v", got)
	}

	res = x.run(t, rows, x.districtA, false)
	if len(res.Errors) != 0 || len(res.Findings) != 3 || len(res.Existing) != 0 {
		t.Fatalf("import: %+v", res)
	}
	want := []string{
		"城厢街道党工委/inspection_feedback/" + cycle.SeedAreas[0] + "/major/落实主体责任不到位/压力传导不够",
		"工区街道党工委/inspection_feedback/" + cycle.SeedAreas[1] + "//选人用人把关不严/",
		"中共涪城区委/inspection_feedback//minor/意识形态工作薄弱/",
	}
	if got := x.findingsOf(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("findings\n%v\nwant\n%v", got, want)
	}
	for _, nf := range res.Findings {
		xs, err := x.st.FindingRectifications(ctx, nf.ID)
		if err != nil || len(xs) != 1 || xs[0].ID != nf.RectificationID || xs[0].Status != "planning" {
			t.Fatalf("row %d: items %+v %v", nf.Line, xs, err)
		}
	}
	if s, _ := x.st.UnitStats(ctx, x.a.ID, x.cycle.ID); s.Total != 3 || s.Planning != 3 {
		t.Errorf("district counters %+v", s)
	}
	if s, _ := x.st.UnitStats(ctx, x.a1.ID, x.cycle.ID); s.Total != 1 {
		t.Errorf("sub-district counters %+v", s)
	}
	events, err := x.st.AuditEvents(ctx, store.AuditFilter{Scopes: x.everywhere, Action: "finding.create", Limit: 50})
	if err != nil || len(events) != 3 || events[0].Login != "organizer" {
		t.Fatalf("audit events %+v %v", events, err)
	}
	if _, problem, err := x.st.VerifyAudit(ctx); err != nil || problem != nil {
		t.Fatalf("audit chain: %v %v", problem, err)
	}

	// Again, with one more row: only that one is new.
	rows = append(rows, ledger.FindingRow{Line: 6, Unit: "工区街道党工委", Text: "基层组织软弱涣散"})
	res = x.run(t, rows, x.districtA, false)
	if len(res.Errors) != 0 || len(res.Findings) != 1 || len(res.Existing) != 3 || res.Findings[0].Line != 6 {
		t.Fatalf("again: %+v", res)
	}
	if got := x.findingsOf(t); len(got) != 4 {
		t.Fatalf("findings after importing again: %v", got)
	}
}

// TestImportFindingsBadRows: every bad row is reported with its column and
// reason, and nothing is recorded, not even the good rows.
func TestImportFindingsBadRows(t *testing.T) {
	x := newImportTree(t)
	ctx := context.Background()
	sheetErr := ledger.RowError{Line: 4, Err: apperr.Field("severity", "err.findings_unknown_severity")}
	rows := []ledger.FindingRow{
		{Line: 2, Unit: "城厢街道党工委", Text: "好的一行"},
		{Line: 3, Unit: "不存在的单位", Text: "x"},
		{Line: 5, Unit: "游仙街道党工委", Text: "x"},
		{Line: 6, Unit: "工区街道党工委", Text: "x"},
		{Line: 7, Unit: "城厢街道党工委", Text: "  "},
		{Line: 8, Unit: "城厢街道党工委", Text: "x", Area: "巡视整改"},
		{Line: 9, Unit: "城厢街道党工委", Text: "x", Severity: "A类"},
		{Line: 10, Unit: "城厢街道党工委", Text: "好的一行"},
		{Line: 11, Unit: "机关党支部", Text: "x"},
		{Line: 12, Unit: "999999", UnitID: 999999, Text: "x"},
		{Line: 13, Unit: "城厢街道党工委", Text: "x", RootCause: strings.Repeat("因", finding.MaxTextLen+1)},
	}
	res, err := x.st.ImportFindings(ctx, x.organizer, store.FindingsImport{CycleID: x.cycle.ID,
		Sheet: ledger.FindingSheet{Rows: rows, Errors: []ledger.RowError{sheetErr}}, Read: x.everywhere, Record: x.onlyA1})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{
		3:  "unit err.findings_unknown_unit [不存在的单位]",
		4:  "severity err.findings_unknown_severity []",
		5:  "unit err.findings_outside_cycle [游仙街道党工委]",
		6:  "unit err.findings_not_allowed [工区街道党工委]",
		7:  "problem err.required []",
		8:  "area err.findings_unknown_area []",
		9:  "severity err.findings_unknown_severity []",
		10: "problem err.findings_duplicate_row [2]",
		11: "unit err.findings_ambiguous_unit [2 机关党支部]",
		12: "unit err.findings_unknown_unit [999999]",
		13: fmt.Sprintf("root_cause err.too_long [%d]", finding.MaxTextLen),
	}
	if res.Rows != len(rows)+1 || len(res.Errors) != len(want) {
		t.Fatalf("%d rows, errors %+v", res.Rows, res.Errors)
	}
	for i, e := range res.Errors {
		if i > 0 && res.Errors[i-1].Line > e.Line {
			t.Errorf("errors out of order: %+v", res.Errors)
		}
		if got := fmt.Sprintf("%s %s %v", e.Err.Field, e.Err.Key, e.Err.Args); got != want[e.Line] {
			t.Errorf("row %d: %s, want %s", e.Line, got, want[e.Line])
		}
	}
	if got := x.findingsOf(t); len(got) != 0 {
		t.Fatalf("a refused import recorded %v", got)
	}
	if s, _ := x.st.UnitStats(ctx, x.a.ID, x.cycle.ID); s.Total != 0 {
		t.Errorf("a refused import moved the counters: %+v", s)
	}

	// Units the importer cannot see are unknown, not "outside the cycle".
	res, _ = x.st.ImportFindings(ctx, x.organizer, store.FindingsImport{CycleID: x.cycle.ID,
		Sheet: ledger.FindingSheet{Rows: []ledger.FindingRow{{Line: 2, Unit: "游仙街道党工委", Text: "x"},
			{Line: 3, Unit: fmt.Sprint(x.b1.ID), UnitID: x.b1.ID, Text: "x"}}},
		Read: x.districtA, Record: x.districtA})
	if len(res.Errors) != 2 || res.Errors[0].Err.Key != "err.findings_unknown_unit" || res.Errors[1].Err.Key != "err.findings_unknown_unit" {
		t.Fatalf("invisible units: %+v", res.Errors)
	}
	if _, err := x.st.ImportFindings(ctx, x.organizer, store.FindingsImport{CycleID: 999999, Record: x.everywhere}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown cycle: %v", err)
	}
	// Someone who records findings only outside the cycle may not import.
	_, err = x.st.ImportFindings(ctx, x.organizer, store.FindingsImport{CycleID: x.cycle.ID,
		Sheet: ledger.FindingSheet{Rows: rows[:1]}, Read: x.everywhere, Record: []string{x.b.Path}})
	if !apperr.Is(err, apperr.Forbidden) || len(x.findingsOf(t)) != 0 {
		t.Fatalf("outside grants: %v", err)
	}
	for _, tc := range []struct {
		record []string
		want   bool
	}{{x.everywhere, true}, {x.districtA, true}, {x.onlyA1, true}, {[]string{x.b.Path}, false}, {nil, false}} {
		if got := store.RecordsIn(tc.record, x.cycle); got != tc.want {
			t.Errorf("RecordsIn(%v) = %v", tc.record, got)
		}
	}
}

// TestImportFindingsScale: a cycle with a severity scale of its own takes
// its levels, and not the default ones.
func TestImportFindingsScale(t *testing.T) {
	x := newImportTree(t)
	ctx := context.Background()
	if err := x.st.SetSeverities(ctx, audit.System, x.cycle.ID, x.cycle.Version, []string{"A类", "B类"}); err != nil {
		t.Fatal(err)
	}
	res := x.run(t, []ledger.FindingRow{{Line: 2, Unit: "城厢街道党工委", Text: "问题一", Severity: "B类"},
		{Line: 3, Unit: "城厢街道党工委", Text: "问题二", Severity: finding.Major}}, x.districtA, false)
	if len(res.Errors) != 1 || res.Errors[0].Line != 3 || res.Errors[0].Err.Field != "severity" {
		t.Fatalf("errors %+v", res.Errors)
	}
	res = x.run(t, []ledger.FindingRow{{Line: 2, Unit: "城厢街道党工委", Text: "问题一", Severity: "B类"}}, x.districtA, false)
	if len(res.Errors) != 0 || len(res.Findings) != 1 {
		t.Fatalf("%+v", res)
	}
	if got := x.findingsOf(t); len(got) != 1 || got[0] != "城厢街道党工委/inspection_feedback//B类/问题一/" {
		t.Fatalf("findings %v", got)
	}
}
