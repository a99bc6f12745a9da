package bench

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"zeren/internal/i18n"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
)

func TestShape(t *testing.T) {
	if _, _, err := Shape(4); err == nil {
		t.Fatal("4 units for 5 levels")
	}
	fan, villages, err := Shape(50000)
	if err != nil || fan != [3]int{21, 9, 16} || villages != 50000-1-21-189-3024 {
		t.Fatalf("the province of DESIGN.md: %v %d %v", fan, villages, err)
	}
	for n := 5; n < 3000; n += 7 {
		fan, villages, err := Shape(n)
		total := 1 + fan[0] + fan[0]*fan[1] + fan[0]*fan[1]*fan[2] + villages
		if err != nil || total != n || villages < 1 || fan[0] < 1 || fan[1] < 1 || fan[2] < 1 {
			t.Fatalf("Shape(%d) = %v, %d villages, %v", n, fan, villages, err)
		}
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p := Percentile(ds, 50); p != 50*time.Millisecond {
		t.Errorf("p50 = %v", p)
	}
	if p := Percentile(ds, 95); p != 95*time.Millisecond {
		t.Errorf("p95 = %v", p)
	}
	if p := Percentile(ds[:1], 95); p != 100*time.Millisecond {
		t.Errorf("p95 of one = %v", p)
	}
	if p := Percentile(nil, 95); p != 0 {
		t.Errorf("p95 of none = %v", p)
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("Percentile sorted its argument")
	}
}

func TestVerdict(t *testing.T) {
	for _, c := range []struct {
		r    Result
		want string
	}{
		{Result{P95: 9 * time.Millisecond, Target: 10 * time.Millisecond}, "pass"},
		{Result{P95: 10 * time.Millisecond, Target: 10 * time.Millisecond}, "FAIL"},
		{Result{P95: time.Second}, "—"},
		{Result{Skipped: true, Target: time.Second}, "—"},
	} {
		if got := c.r.Verdict(); got != c.want {
			t.Errorf("%+v: %s, want %s", c.r, got, c.want)
		}
	}
}

// A tiny province goes through Gen and Run: every row is measured, the
// statuses end as they began and the data stays consistent.
func TestGenAndRun(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := Run(ctx, st, RunOptions{N: 1}); err == nil {
		t.Fatal("Run on an empty database")
	}
	res, err := Gen(ctx, st, GenOptions{Units: 60, Items: 600, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Units != 60 || res.Items != 600 || res.Events < 600 || res.AuditEvents < 600 {
		t.Fatalf("gen: %+v", res)
	}
	count := func() (int, rectification.Stats) {
		ids, err := st.BenchItemIDs(ctx, res.CycleID, rectification.InProgress)
		if err != nil {
			t.Fatal(err)
		}
		s, err := st.BenchScanStats(ctx, "/1/", res.CycleID)
		if err != nil {
			t.Fatal(err)
		}
		return len(ids), s
	}
	before, statsBefore := count()

	var out bytes.Buffer
	exported := 0
	rows, err := Run(ctx, st, RunOptions{N: 4, Seed: 9, Out: &out, ExportRows: 123,
		Export: func(ctx context.Context, page LedgerPage, cycleID int64, rows int, w io.Writer) error {
			exported = rows
			_, err := w.Write(make([]byte, 1000))
			return err
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 14 {
		t.Fatalf("%d rows:\n%s", len(rows), out.String())
	}
	for _, r := range rows {
		if r.N < 1 || r.P50 <= 0 || r.P95 < r.P50 {
			t.Errorf("row %+v", r)
		}
	}
	if exported != 123 || !strings.Contains(rows[13].Note, "MB written") {
		t.Errorf("export: %d rows asked, %+v", exported, rows[13:])
	}
	text := out.String()
	for _, want := range []string{"p95", "subtree stats, counters: a county", "ledger page 10", "move: submit", "Excel export: 123 rows", "< 20.00 ms", "dashboard data: cycle overview", "< 100.00 ms",
		"to-do: a county leader", "to-do: the province supervisor"} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	after, statsAfter := count()
	if after != before || statsAfter.InProgress != statsBefore.InProgress || statsAfter.Awaiting != statsBefore.Awaiting ||
		statsAfter.Total != statsBefore.Total {
		t.Fatalf("in progress: %d before, %d after; stats %+v, then %+v", before, after, statsBefore, statsAfter)
	}
	if got, _ := st.UnitStats(ctx, 1, res.CycleID); got.InProgress != statsAfter.InProgress || got.Awaiting != statsAfter.Awaiting {
		t.Fatalf("counters %+v, items %+v", got, statsAfter)
	}
	if _, problem, err := st.VerifyAudit(ctx); problem != nil || err != nil {
		t.Fatalf("audit after run: %v %v", problem, err)
	}

	// Without an exporter the row says so.
	out.Reset()
	rows, err = Run(ctx, st, RunOptions{N: 1, Out: &out})
	if err != nil || !rows[len(rows)-1].Skipped || !strings.Contains(out.String(), "not yet measured") {
		t.Fatalf("no exporter: %v\n%s", err, out.String())
	}
}

// Walking the ledger page by page meets every item of the filter once, in
// the filter's order, as many as LedgerCount counts.
func TestLedgerPagesCoverTheFilter(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	res, err := Gen(ctx, st, GenOptions{Units: 40, Items: 700, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	counties, _ := st.BenchUnitsAt(ctx, 3)
	for _, f := range []store.LedgerFilter{
		{Scopes: []string{"/1/"}, CycleID: res.CycleID},
		{Scopes: []string{"/1/"}, CycleID: res.CycleID, Status: rectification.InProgress, UnitPath: counties[0].Path},
		{Scopes: []string{counties[1].Path}, CycleID: res.CycleID, Sort: "overdue"},
		{Scopes: []string{"/1/"}, CycleID: res.CycleID, Warning: rectification.Red, Source: "supervision"},
		{Scopes: []string{"/1/"}, CycleID: res.CycleID, Text: "党", Limit: 7},
	} {
		if f.Limit == 0 {
			f.Limit = 20
		}
		want, err := st.LedgerCount(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		last, pages := "", 0
		for {
			xs, next, err := st.Ledger(ctx, f)
			if err != nil {
				t.Fatalf("%+v page %d: %v", f, pages, err)
			}
			for _, x := range xs {
				key := x.Deadline
				if key == "" || f.Sort == "overdue" && x.Status == rectification.Closed {
					key = "9999"
				}
				if seen[x.ID] || key < last {
					t.Fatalf("%+v page %d: item %d again or out of order (%s after %s)", f, pages, x.ID, key, last)
				}
				seen[x.ID], last = true, key
			}
			pages++
			if next == "" {
				break
			}
			f.After = next
		}
		if len(seen) != want {
			t.Fatalf("%+v: %d items on %d pages, count %d", f, len(seen), pages, want)
		}
		if pages < 2 && f.Limit == 20 && f.UnitPath == "" && f.Warning == "" && f.Sort == "" {
			t.Errorf("%+v: one page only", f)
		}
	}
}

// The export Run times is the real one: a workbook that reads back with
// exactly the rows asked for.
func TestLedgerExport(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	res, err := Gen(ctx, st, GenOptions{Units: 20, Items: 1200, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, rows := range []int{1100, 5000} { // cut in the third page; more than there are
		var buf bytes.Buffer
		if err := LedgerExport(cat, i18n.Default)(ctx, st.Ledger, res.CycleID, rows, &buf); err != nil {
			t.Fatal(err)
		}
		sheet, err := ledger.Read(&buf, cat)
		if err != nil || len(sheet.Errors) != 0 || len(sheet.Rows) != min(rows, 1200) {
			t.Fatalf("%d rows asked: %d read, %v, %v", rows, len(sheet.Rows), sheet.Errors, err)
		}
	}
}
