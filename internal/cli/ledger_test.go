package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

// ledgerDB is a test database with a unit, a cycle and items of it: the
// first planned and started, the others in planning.
type ledgerDB struct {
	db, data string
	unit     unit.Unit
	cycle    cycle.Cycle
	items    []int64
}

func newLedgerDB(t testing.TB, items int) *ledgerDB {
	t.Helper()
	ctx := context.Background()
	l := &ledgerDB{}
	l.db, l.data = storetest.DSN(t)
	st := l.open(t)
	defer st.Close()
	root, err := st.CreateUnit(ctx, audit.System, 0, unit.Draft{Name: "中共绵阳市委", Kind: unit.Committee})
	if err != nil {
		t.Fatal(err)
	}
	if l.unit, err = st.CreateUnit(ctx, audit.System, root.ID, unit.Draft{Name: "中共涪城区委", Kind: unit.Committee}); err != nil {
		t.Fatal(err)
	}
	if l.cycle, err = st.CreateCycle(ctx, audit.System, root.ID, cycle.Draft{Year: 2020, Title: "2020年度述职评议"}); err != nil {
		t.Fatal(err)
	}
	for i := range items {
		fd, err := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: l.unit.ID, CycleID: l.cycle.ID,
			Source: finding.ChairComment, Text: "问题" + strconv.Itoa(i+1)})
		if err != nil {
			t.Fatal(err)
		}
		xs, _ := st.FindingRectifications(ctx, fd.ID)
		l.items = append(l.items, xs[0].ID)
	}
	if items > 0 {
		x, _ := st.Rectification(ctx, l.items[0])
		x, err = st.SavePlan(ctx, audit.System, x.ID, x.Version, rectification.Plan{Measures: "整顿", Owner: "李四",
			ResponsibleLeader: "王五", Deadline: "2099-12-31", Kind: rectification.Immediate})
		if err == nil {
			_, err = st.MoveRectification(ctx, audit.System, x.ID, x.Version, rectification.Start, "")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func (l *ledgerDB) open(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), l.db, l.data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// bulk adds n items in planning behind the store's back, fast, for the
// tests and benchmark of large exports.
func (l *ledgerDB) bulk(t testing.TB, n int) {
	t.Helper()
	storetest.Exec(t, l.db, l.data, fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
		INSERT INTO findings (unit_id, cycle_id, source, area, text, raised_by, created_at, updated_at)
		SELECT %d, %d, 'supervision', '基层组织建设', '基层党组织建设存在薄弱环节，部分村党组织软弱涣散，战斗堡垒作用发挥不够（' || i || '）', %d, 0, 0 FROM n`,
		n, l.unit.ID, l.cycle.ID, l.cycle.UnitID))
	storetest.Exec(t, l.db, l.data, fmt.Sprintf(`INSERT INTO rectifications (finding_id, unit_id, cycle_id, status, measures, owner,
		responsible_leader, kind, deadline, original_deadline, progress, created_at, updated_at)
		SELECT f.id, f.unit_id, f.cycle_id, 'in_progress', '逐村排查整顿，建立问题清单和整改台账，每月调度一次（' || f.id || '）',
		'组织委员 李四', '书记 王五', 'long_term', '2099-06-30', '2099-06-30', '已完成第一批整顿，正在开展回头看（' || f.id || '）', 0, 0
		FROM findings f WHERE f.cycle_id = %d AND NOT EXISTS (SELECT 1 FROM rectifications r WHERE r.finding_id = f.id)`, l.cycle.ID))
}

func (l *ledgerDB) zeren(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return zeren(t, l.db, l.data, "", args...)
}

func TestLedgerExportImport(t *testing.T) {
	l := newLedgerDB(t, 3)
	dir := t.TempDir()
	out := filepath.Join(dir, "台账.xlsx")
	id := strconv.FormatInt(l.cycle.ID, 10)
	code, stdout, stderr := l.zeren(t, "export", "ledger", "--cycle", id, "--out", out, "--locale", "en")
	if code != 0 || !strings.Contains(stdout, "3 items") {
		t.Fatalf("export: %d %q %q", code, stdout, stderr)
	}
	x, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sheet := x.GetSheetList()[0]
	rows, _ := x.GetRows(sheet)
	if len(rows) != 4 || rows[1][len(ledger.Columns)-2] != strconv.FormatInt(l.items[0], 10) {
		t.Fatalf("exported rows %v", rows)
	}
	set := func(row int, f ledger.Field, v any) {
		for i, c := range ledger.Columns {
			if c.Field == f {
				cell, _ := excelize.CoordinatesToCellName(i+1, row)
				_ = x.SetCellValue(sheet, cell, v)
			}
		}
	}
	set(2, ledger.Progress, "已整顿3个村")
	set(2, ledger.Owner, "组织委员 张三")
	set(3, ledger.Progress, "正在制定方案")
	edited := filepath.Join(dir, "edited.xlsx")
	if err := x.SaveAs(edited); err != nil {
		t.Fatal(err)
	}
	x.Close()
	events := func() map[int64][]string {
		st := l.open(t)
		defer st.Close()
		out := map[int64][]string{}
		for _, id := range l.items {
			tl, err := st.Timeline(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range tl {
				out[id] = append(out[id], e.Kind+" "+e.UserName+" "+e.Text)
			}
		}
		return out
	}
	before := events()

	code, stdout, stderr = l.zeren(t, "import", "ledger", edited, "--cycle", id, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "dry run, nothing saved: 2 items changed (1 plans, 2 progress updates)") {
		t.Fatalf("dry run: %d %q %q", code, stdout, stderr)
	}
	if after := events(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("the dry run changed the timelines: %v", after)
	}
	code, stdout, stderr = l.zeren(t, "import", "ledger", edited, "--cycle", id)
	if code != 0 || !strings.Contains(stdout, "imported: 2 items changed") {
		t.Fatalf("import: %d %q %q", code, stdout, stderr)
	}
	after := events()
	first, second := after[l.items[0]], after[l.items[1]]
	if len(first) != len(before[l.items[0]])+2 || !strings.HasPrefix(first[len(first)-2], "plan cli:") ||
		!strings.HasPrefix(first[len(first)-1], "update cli:") || !strings.HasSuffix(first[len(first)-1], "已整顿3个村") ||
		len(second) != len(before[l.items[1]])+1 || fmt.Sprint(after[l.items[2]]) != fmt.Sprint(before[l.items[2]]) {
		t.Fatalf("timelines after the import: %v", after)
	}

	// A bad row: every error named, nothing imported, exit 1.
	x, _ = excelize.OpenFile(edited)
	set(3, ledger.Deadline, "下周")
	set(4, ledger.Progress, "新进展")
	_ = x.SaveAs(edited)
	x.Close()
	code, stdout, stderr = l.zeren(t, "import", "ledger", edited, "--cycle", id)
	if code != 1 || !strings.Contains(stdout, "row 3: ") || strings.Contains(stdout, "row 4") ||
		!strings.Contains(stderr, "1 of 3 rows have errors; nothing was imported") {
		t.Fatalf("bad row: %d %q %q", code, stdout, stderr)
	}
	if again := events(); fmt.Sprint(again) != fmt.Sprint(after) {
		t.Fatalf("a refused import changed the timelines: %v", again)
	}
	code, _, stderr = l.zeren(t, "import", "ledger", filepath.Join(dir, "nope.xlsx"), "--cycle", id)
	if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("missing file: %d %q", code, stderr)
	}
	code, _, stderr = l.zeren(t, "export", "ledger", "--cycle", "999999", "--out", out)
	if code != 1 || !strings.Contains(stderr, "cycle") {
		t.Fatalf("unknown cycle: %d %q", code, stderr)
	}
	for _, args := range [][]string{
		{"export", "ledger", "--out", out},
		{"export", "ledger", "--cycle", id},
		{"export", "ledger", "--cycle", id, "--out", out, "--locale", "fr"},
		{"export", "ledger", "--cycle", id, "--out", out, "extra"},
		{"import", "ledger", "--cycle", id},
		{"import", "ledger", edited},
		{"import", "ledger", edited, edited, "--cycle", id},
	} {
		if code, _, stderr := l.zeren(t, args...); code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: %d %q, want a usage error", args, code, stderr)
		}
	}
}

// TestLedgerExportPages exports more items than a page holds, for one
// subtree: every item once, in order, with a serial number running on.
func TestLedgerExportPages(t *testing.T) {
	l := newLedgerDB(t, 1)
	l.bulk(t, 1234)
	out := filepath.Join(t.TempDir(), "l.xlsx")
	code, stdout, stderr := l.zeren(t, "export", "ledger", "--cycle", strconv.FormatInt(l.cycle.ID, 10),
		"--unit", strconv.FormatInt(l.unit.ID, 10), "--out", out)
	if code != 0 || !strings.Contains(stdout, "1235 items") {
		t.Fatalf("export: %d %q %q", code, stdout, stderr)
	}
	cat, _ := i18n.Load()
	file, _ := os.Open(out)
	defer file.Close()
	sh, err := ledger.Read(file, cat)
	if err != nil || len(sh.Errors) > 0 || len(sh.Rows) != 1235 {
		t.Fatalf("read back %d rows: %v %v", len(sh.Rows), err, sh.Errors)
	}
	seen := map[int64]bool{}
	for _, r := range sh.Rows {
		if seen[r.ID] {
			t.Fatalf("item %d twice", r.ID)
		}
		seen[r.ID] = true
	}
	x, _ := excelize.OpenFile(out)
	defer x.Close()
	last, _ := x.GetCellValue(x.GetSheetList()[0], "A1236")
	if last != "1235" {
		t.Fatalf("last serial %q", last)
	}
}

// BenchmarkLedgerExport exports a ledger of ZEREN_BENCH_ROWS items (10,000
// by default) with the command, as an operator would, and reports rows/s
// and the peak of the Go heap during the export (B/op is what it allocated
// in all, which grows with the rows; the peak must not).
func BenchmarkLedgerExport(b *testing.B) {
	n := 10000
	if s := os.Getenv("ZEREN_BENCH_ROWS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			b.Fatalf("ZEREN_BENCH_ROWS=%q", s)
		}
	}
	l := newLedgerDB(b, 0)
	l.bulk(b, n)
	out := filepath.Join(b.TempDir(), "ledger.xlsx")
	args := []string{"zeren", "export", "ledger", "--cycle", strconv.FormatInt(l.cycle.ID, 10), "--out", out, "--data", l.data}
	if l.db != "" {
		args = append(args, "--db", l.db)
	}
	peak := heapPeak()
	b.ResetTimer()
	for range b.N {
		if code := Run(args, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatalf("export: exit %d", code)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
	if fi, err := os.Stat(out); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "file-MB")
	}
}

// heapPeak samples the live heap until the returned function is called,
// which returns the largest sample.
func heapPeak() func() uint64 {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				metrics.Read(sample)
				mu.Lock()
				peak = max(peak, sample[0].Value.Uint64())
				mu.Unlock()
			}
		}
	}()
	return func() uint64 {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}
