package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zeren/internal/store/storetest"
)

// zeren backup and zeren restore: a usage mistake is one line and exit 2;
// a backup restores into a fresh database, which then passes zeren audit
// verify; a second restore into it, a foreign file and a cut archive are
// refused, naming why; bench backup times both.
func TestBackupRestoreCommands(t *testing.T) {
	db, data := storetest.DSN(t)
	for _, args := range [][]string{{"backup"}, {"backup", "--out"}, {"restore"}, {"restore", "a", "b"},
		{"serve", "--backup-keep", "0"}, {"serve", "--backup-dir", t.TempDir(), "--jobs=false"}} {
		if code, _, stderr := zeren(t, db, data, "", args...); code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if code, _, stderr := zeren(t, db, data, "", "bench", "gen", "--units", "40", "--items", "300", "--seed", "2"); code != 0 {
		t.Fatal(stderr)
	}
	file := filepath.Join(t.TempDir(), "zeren.tar.gz")
	code, out, stderr := zeren(t, db, data, "", "backup", "--out", file)
	if code != 0 || !strings.Contains(out, "backup written to "+file) {
		t.Fatalf("backup: exit %d\n%s\n%s", code, out, stderr)
	}
	db2, data2 := storetest.DSN(t)
	code, out, stderr = zeren(t, db2, data2, "", "restore", file)
	if code != 0 || !strings.Contains(out, "audit chain intact") || !strings.Contains(out, "counters match") {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, stderr = zeren(t, db2, data2, "", "audit", "verify"); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify after restore: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, _, stderr = zeren(t, db2, data2, "", "restore", file); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Fatalf("second restore: exit %d\n%s", code, stderr)
	}
	text := filepath.Join(t.TempDir(), "units.csv")
	b, _ := os.ReadFile(file)
	cut := filepath.Join(t.TempDir(), "cut.tar.gz")
	if err := os.WriteFile(text, []byte("name\n涪城区委\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{text: "is not a zeren backup", cut: "cannot be restored", "/nonexistent/x": "cannot read"} {
		db3, data3 := storetest.DSN(t)
		if code, _, stderr := zeren(t, db3, data3, "", "restore", file); code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("restore %s: exit %d, %q, want %q", file, code, stderr, want)
		}
	}
	code, out, stderr = zeren(t, db, data, "", "bench", "backup", "--writers", "2")
	if code != 0 || !strings.Contains(out, "backup: ") || !strings.Contains(out, "restore into sqlite") {
		t.Fatalf("bench backup: exit %d\n%s\n%s", code, out, stderr)
	}
}
