package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zeren/internal/store/storetest"
)

// TestImportExportRoster: the four commands end to end on a migrated
// database: a dry run saves nothing, a bad row fails naming it and saves
// nothing, the import creates with links in the --links file, an export
// imported again changes nothing.
func TestImportExportRoster(t *testing.T) {
	db, data := storetest.DSN(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	units := write("units.csv", "编号,名称,上级单位,类别,负责人\nS1,四川省委,,党委,张三\n,绵阳市委,S1,,\n")
	users := write("users.csv", "登录名,姓名,手机,邮箱,授权,启用\nzhang,张三,,,admin@S1,是\nli,李四,,,leader@S1/绵阳市委,否\n")
	bad := write("bad.csv", "编号,名称,上级单位\n,某县委,S1/没有的市委\n")

	code, out, stderr := zeren(t, db, data, "", "import", "units", units, "--dry-run")
	if code != 0 || !strings.Contains(out, "2 rows: 2 create (dry run, nothing saved)") {
		t.Fatalf("dry run: %d %q %q", code, out, stderr)
	}
	code, out, stderr = zeren(t, db, data, "", "import", "units", bad)
	if code != 1 || !strings.Contains(out, `row 2, Parent: there is no unit "S1/没有的市委"`) || !strings.Contains(stderr, "nothing was imported") {
		t.Fatalf("bad row: %d %q %q", code, out, stderr)
	}
	code, out, stderr = zeren(t, db, data, "", "import", "units", units)
	if code != 0 || !strings.Contains(out, "row 3: 四川省委/绵阳市委: create") {
		t.Fatalf("import units: %d %q %q", code, out, stderr)
	}
	links := filepath.Join(dir, "links.csv")
	code, out, stderr = zeren(t, db, data, "", "import", "users", users, "--links", links, "--base-url", "https://zeren.example.org")
	if code != 0 || !strings.Contains(out, "1 set-password links written") {
		t.Fatalf("import users: %d %q %q", code, out, stderr)
	}
	b, err := os.ReadFile(links)
	if err != nil || !strings.HasPrefix(string(b), "zhang,https://zeren.example.org/password/zpl_") || strings.Contains(string(b), "li,") {
		t.Errorf("links: %q %v", b, err)
	}
	for _, s := range []string{"units", "users"} {
		for _, ext := range []string{".csv", ".xlsx"} {
			file := filepath.Join(dir, "export-"+s+ext)
			code, out, stderr = zeren(t, db, data, "", "export", s, "--out", file)
			if code != 0 || !strings.Contains(out, "2 "+s+" written") {
				t.Fatalf("export %s%s: %d %q %q", s, ext, code, out, stderr)
			}
			code, out, stderr = zeren(t, db, data, "", "import", s, file)
			if code != 0 || !strings.Contains(out, "2 rows: 2 unchanged") {
				t.Errorf("import %s%s again: %d %q %q", s, ext, code, out, stderr)
			}
		}
	}
	code, _, stderr = zeren(t, db, data, "", "import", "units", write("x.txt", "\x00\x01binary"))
	if code != 1 || !strings.Contains(stderr, "not an Excel workbook (.xlsx) or a CSV file") {
		t.Errorf("a binary file: %d %q", code, stderr)
	}
	code, _, _ = zeren(t, db, data, "", "export", "units")
	if code != 2 {
		t.Errorf("export without --out: %d", code)
	}
	code, _, _ = zeren(t, db, data, "", "import", "units", filepath.Join(dir, "missing.csv"))
	if code != 1 {
		t.Errorf("a missing file: %d", code)
	}
}
