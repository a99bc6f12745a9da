package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/ledger"
	"zeren/internal/store"
)

// findingsFile writes the findings template with rows under its title row.
func findingsFile(t *testing.T, path string, rows ...[]any) {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := ledger.WriteFindingsTemplate(out, cat, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	out.Close()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = x.SetSheetRow(x.GetSheetList()[0], cell, &r)
	}
	if err := x.Save(); err != nil {
		t.Fatal(err)
	}
}

// inspectionFindings counts the cycle's findings from inspection feedback.
func (l *ledgerDB) inspectionFindings(t *testing.T) int {
	t.Helper()
	st := l.open(t)
	defer st.Close()
	xs, _, err := st.FindingRecords(context.Background(), store.FindingFilter{Scopes: everyUnit, CycleID: l.cycle.ID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range xs {
		if x.Source == finding.InspectionFeedback {
			n++
		}
	}
	return n
}

func TestImportFindings(t *testing.T) {
	l := newLedgerDB(t, 0)
	dir := t.TempDir()
	id := strconv.FormatInt(l.cycle.ID, 10)
	good := filepath.Join(dir, "巡视反馈.xlsx")
	findingsFile(t, good, []any{"中共涪城区委", "政治建设", "严重", "落实主体责任不到位"},
		[]any{l.unit.ID, "", "", "选人用人把关不严", "把关不严"})

	code, stdout, stderr := l.zeren(t, "import", "findings", good, "--cycle", id, "--dry-run")
	if code != 0 || !strings.Contains(stdout, "dry run, nothing saved: 2 findings recorded, 0 rows imported before") {
		t.Fatalf("dry run: %d %q %q", code, stdout, stderr)
	}
	if n := l.inspectionFindings(t); n != 0 {
		t.Fatalf("the dry run recorded %d findings", n)
	}
	code, stdout, stderr = l.zeren(t, "import", "findings", good, "--cycle", id)
	if code != 0 || !strings.Contains(stdout, "row 3: finding ") || !strings.Contains(stdout, "imported: 2 findings recorded") {
		t.Fatalf("import: %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = l.zeren(t, "import", "findings", good, "--cycle", id)
	if code != 0 || !strings.Contains(stdout, "imported: 0 findings recorded, 2 rows imported before") || l.inspectionFindings(t) != 2 {
		t.Fatalf("again: %d %q", code, stdout)
	}

	// Bad rows: every error named, by row and column, nothing recorded, exit 1.
	bad := filepath.Join(dir, "bad.xlsx")
	findingsFile(t, bad, []any{"中共涪城区委", "", "", "新的问题"}, []any{"不存在的单位", "", "", "x"},
		[]any{"中共涪城区委", "不是领域", "", "x"}, []any{"中共涪城区委", "", "很严重", "x"})
	code, stdout, stderr = l.zeren(t, "import", "findings", bad, "--cycle", id)
	if code != 1 || strings.Contains(stdout, "row 2") || !strings.Contains(stdout, "row 3: Responsible unit: ") ||
		!strings.Contains(stdout, "row 4: Area: ") || !strings.Contains(stdout, "row 5: Severity: ") ||
		!strings.Contains(stderr, "3 of 4 rows have errors; nothing was imported") {
		t.Fatalf("bad rows: %d %q %q", code, stdout, stderr)
	}
	if n := l.inspectionFindings(t); n != 2 {
		t.Fatalf("a refused import left %d findings", n)
	}
	code, _, stderr = l.zeren(t, "import", "findings", good, "--cycle", "999999")
	if code != 1 || !strings.Contains(stderr, "cycle") {
		t.Fatalf("unknown cycle: %d %q", code, stderr)
	}
	code, _, stderr = l.zeren(t, "import", "findings", filepath.Join(dir, "nope.xlsx"), "--cycle", id)
	if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("missing file: %d %q", code, stderr)
	}
	for _, args := range [][]string{
		{"import", "findings", "--cycle", id},
		{"import", "findings", good},
		{"import", "findings", good, good, "--cycle", id},
	} {
		if code, _, stderr := l.zeren(t, args...); code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: %d %q, want a usage error", args, code, stderr)
		}
	}
}
