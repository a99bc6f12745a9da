package cli

import (
	"strings"
	"testing"

	"zeren/internal/store/storetest"
)

func TestBenchUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench"}, "missing subcommand"},
		{[]string{"bench", "gen"}, "--units is required"},
		{[]string{"bench", "gen", "--units", "100"}, "--items is required"},
		{[]string{"bench", "gen", "--items", "100"}, "--units is required"},
		{[]string{"bench", "gen", "--units", "4", "--items", "100"}, "at least 5"},
		{[]string{"bench", "gen", "--units", "100", "--items", "-1"}, "--items must be positive"},
		{[]string{"bench", "gen", "--units", "many", "--items", "100"}, "invalid value"},
		{[]string{"bench", "gen", "--units", "100", "--items", "100", "extra"}, "unexpected argument"},
		{[]string{"bench", "run", "--n", "0"}, "--n must be at least 1"},
		{[]string{"bench", "run", "--seed", "-3"}, "invalid value"},
		{[]string{"bench", "run", "--export-rows", "0"}, "--export-rows must be at least 1"},
	} {
		code, _, stderr := zeren(t, "", t.TempDir(), "", c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, %q; want 2 and one line with %q", c.args, code, stderr, c.want)
		}
	}
	t.Setenv("ZEREN_UNITS", "3")
	if code, _, stderr := zeren(t, "", t.TempDir(), "", "bench", "gen", "--items", "10"); code != 2 || !strings.Contains(stderr, "at least 5") {
		t.Errorf("ZEREN_UNITS=3: exit %d, %q", code, stderr)
	}
}

// bench gen fills an empty database and refuses one that is not; bench run
// measures it.
func TestBenchGenAndRun(t *testing.T) {
	db, data := storetest.DSN(t)
	if code, _, stderr := zeren(t, db, data, "", "bench", "run", "--n", "2"); code != 1 || !strings.Contains(stderr, "bench gen") {
		t.Fatalf("bench run on an empty database: exit %d, %q", code, stderr)
	}
	code, out, stderr := zeren(t, db, data, "", "bench", "gen", "--units", "40", "--items", "300", "--seed", "2")
	if code != 0 || !strings.Contains(out, "generated 40 units, 300 items") || !strings.Contains(out, "MB") ||
		!strings.Contains(stderr, "] 100% ") {
		t.Fatalf("bench gen: exit %d\n%s\n%q", code, out, stderr)
	}
	code, _, stderr = zeren(t, db, data, "", "bench", "gen", "--units", "40", "--items", "300")
	if code != 2 || !strings.Contains(stderr, "not empty") || !strings.Contains(stderr, "40 units") ||
		strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("bench gen on a full database: exit %d, %q", code, stderr)
	}
	if code, out, stderr := zeren(t, db, data, "", "audit", "verify"); code != 0 {
		t.Fatalf("audit verify after bench gen: exit %d, %s %s", code, out, stderr)
	}
	code, out, stderr = zeren(t, db, data, "", "bench", "run", "--n", "3")
	if code != 0 || !strings.Contains(out, "subtree stats, counters: root") || !strings.Contains(out, "Excel export: 300 rows") {
		t.Fatalf("bench run: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr := zeren(t, db, data, "", "audit", "verify"); code != 0 {
		t.Fatalf("audit verify after bench run: exit %d, %s", code, stderr)
	}

	// A database with anything in it is refused, the first unit will do.
	db, data = storetest.DSN(t)
	if code, _, stderr := zeren(t, db, data, "", "unit", "add", "中共某市委"); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr = zeren(t, db, data, "", "bench", "gen", "--units", "40", "--items", "300")
	if code != 2 || !strings.Contains(stderr, "not empty") {
		t.Fatalf("bench gen after a unit: exit %d, %q", code, stderr)
	}
}
