package web

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"zeren/internal/auth"
)

var rosterErrorRow = regexp.MustCompile(`<tr class="import-error"><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>`)

// rosterPageErrors lists the bad rows a page shows as "row|column|reason".
func rosterPageErrors(body string) []string {
	var out []string
	for _, m := range rosterErrorRow.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]+"|"+m[2]+"|"+m[3]))
	}
	return out
}

// TestRosterImportPages: the lists link to the import pages for admins
// only; the pages explain the columns, offer the export in both formats
// and refuse those who may not import.
func TestRosterImportPages(t *testing.T) {
	f := newFixture(t)
	for _, sc := range []scenario{
		{who: "admin", path: "/units", status: 200, has: []string{`href="/units/import"`, "批量导入 / 导出"}},
		{who: "leadera", path: "/units", status: 200, hasNot: []string{`href="/units/import"`}},
		{who: "admina", path: "/users", status: 200, has: []string{`href="/users/import"`}},
		{who: "admin", path: "/units/import", status: 200, has: []string{`enctype="multipart/form-data"`, `href="/units/export?format=xlsx"`,
			`href="/units/export?format=csv"`, "上级单位", "园区党工委", `name="archive_missing"`, `name="dry_run"`, ">检查<", ">导入<"}},
		{who: "admin", path: "/users/import", status: 200, has: []string{`href="/users/export?format=csv"`, "授权（角色@单位）", "单位书记", "停用文件中没有列出的用户"}},
		{who: "leadera", path: "/units/import", status: 403},
		{who: "leadera", path: "/users/import", status: 403},
		{who: "member-a", path: "/users/export", status: 403},
		{who: "admin", path: "/units/export?format=doc", status: 400},
	} {
		resp, body := f.do(sc.who, "GET", sc.path, "")
		if resp.StatusCode != sc.status {
			t.Errorf("%s %s: %d, want %d", sc.who, sc.path, resp.StatusCode, sc.status)
		}
		for _, s := range sc.has {
			if !strings.Contains(body, s) {
				t.Errorf("%s %s lacks %q", sc.who, sc.path, s)
			}
		}
		for _, s := range sc.hasNot {
			if strings.Contains(body, s) {
				t.Errorf("%s %s has %q", sc.who, sc.path, s)
			}
		}
	}
	// English titles for an English reader.
	f.addImporter("admin-en", "en", auth.Grant{Role: auth.Admin, UnitID: f.units["root"].ID})
	if _, body := f.do("admin-en", "GET", "/units/import", ""); !strings.Contains(body, "Import units") || !strings.Contains(body, ">Check<") {
		t.Errorf("English page:\n%s", excerpt(body))
	}
}

// TestRosterImportUnitsPage: a dry run lists the changes and saves
// nothing; bad rows are listed with column and reason and nothing is
// saved; the import creates; an export imported again changes nothing.
func TestRosterImportUnitsPage(t *testing.T) {
	f := newFixture(t)
	resp, body := f.postRaw("admin", "/units/import", []byte(unitsCSV), true, "dry_run", "1")
	if resp.StatusCode != 200 || strings.Count(body, `<tr class="import-change">`) != 2 || !strings.Contains(body, "检查通过（共读取 2 行）") ||
		!strings.Contains(body, `<strong class="import-counts">新增 2</strong>`) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("dry run: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if n := unitCount(t, f.st, "新建"); n != 0 {
		t.Fatalf("the dry run made %d units", n)
	}

	resp, body = f.postRaw("admin", "/units/import", []byte(unitsCSV+"坏单位,中共绵阳市委/没有这个单位,\n另一个,中共绵阳市委,不是类别\n"), true)
	want := []string{"4|上级单位|没有单位“中共绵阳市委/没有这个单位”，或不在您的权限范围内", "5|类别|" + mustCatalog(t).T("zh-CN", "err.unknown_kind")}
	if got := rosterPageErrors(body); resp.StatusCode != 400 || strings.Join(got, "\n") != strings.Join(want, "\n") || !strings.Contains(body, "2 行有误") {
		t.Fatalf("bad rows: %d %q\n%s", resp.StatusCode, got, excerpt(body))
	}
	if n := unitCount(t, f.st, "新建"); n != 0 {
		t.Fatalf("a refused import made %d units", n)
	}

	resp, body = f.postRaw("admin", "/units/import", []byte(unitsCSV), true)
	if resp.StatusCode != 200 || !strings.Contains(body, "已导入（共读取 2 行）") || !strings.Contains(body, `<a href="/units/`) {
		t.Fatalf("import: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if n := unitCount(t, f.st, "新建"); n != 2 {
		t.Fatalf("%d units made, want 2", n)
	}
	if _, body := f.do("admin", "GET", "/units?q=新建", ""); !strings.Contains(body, "新建社区党委") {
		t.Fatalf("the list lacks the new unit:\n%s", excerpt(body))
	}

	for _, format := range []string{"xlsx", "csv"} {
		resp, sheet := f.do("admin", "GET", "/units/export?format="+format, "")
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export %s: %d %s", format, resp.StatusCode, resp.Header)
		}
		resp, body = f.postRaw("admin", "/units/import", []byte(sheet), true)
		if resp.StatusCode != 200 || !strings.Contains(body, "没有需要变更的内容") || strings.Contains(body, `class="import-change"`) {
			t.Fatalf("export %s imported again: %d\n%s", format, resp.StatusCode, excerpt(body))
		}
	}

	// Not a sheet: the file field says so.
	resp, body = f.postRaw("admin", "/units/import", []byte("\x00\x01 nothing"), true)
	if resp.StatusCode != 400 || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, "不是 Excel 工作簿") {
		t.Fatalf("not a sheet: %d\n%s", resp.StatusCode, excerpt(body))
	}
}

// TestRosterImportCountyAdmin: the admin of a county may not put a unit
// under the city nor grant a role on it; the row says so and nothing is
// saved, the good rows neither.
func TestRosterImportCountyAdmin(t *testing.T) {
	f := newFixture(t)
	resp, body := f.postRaw("admina", "/units/import", []byte("名称,上级单位\n县里的单位,中共绵阳市委/中共涪城区委\n市里的单位,中共绵阳市委\n"), true)
	if got := rosterPageErrors(body); resp.StatusCode != 400 || len(got) != 1 || !strings.HasPrefix(got[0], "3|") {
		t.Fatalf("unit under the city: %d %q\n%s", resp.StatusCode, got, excerpt(body))
	}
	if unitCount(t, f.st, "县里的单位")+unitCount(t, f.st, "市里的单位") != 0 {
		t.Fatal("a refused import saved units")
	}
	resp, body = f.postRaw("admina", "/users/import", []byte("登录名,姓名,授权（角色@单位）\nxianli,县里人,staff@中共绵阳市委/中共涪城区委\nshili,市里人,staff@中共绵阳市委\n"), true)
	if got := rosterPageErrors(body); resp.StatusCode != 400 || len(got) != 1 || !strings.HasPrefix(got[0], "3|授权（角色@单位）|") {
		t.Fatalf("grant on the city: %d %q\n%s", resp.StatusCode, got, excerpt(body))
	}
	if userCount(t, f.st, "xianli")+userCount(t, f.st, "shili") != 0 {
		t.Fatal("a refused import saved users")
	}
}

// TestRosterImportUsersPage: the new users' set-password links show after
// the real import only, with the note that they are not shown again.
func TestRosterImportUsersPage(t *testing.T) {
	f := newFixture(t)
	csv := "登录名,姓名,授权（角色@单位）\nzhangsan,张三,单位工作人员@中共绵阳市委/中共涪城区委/城厢街道党工委\nleadera,用户leadera,单位书记@中共绵阳市委/中共涪城区委\n"
	resp, body := f.postRaw("admin", "/users/import", []byte(csv), true, "dry_run", "1")
	if resp.StatusCode != 200 || strings.Contains(body, "/password/") || strings.Count(body, `<tr class="import-change">`) != 1 || userCount(t, f.st, "zhangsan") != 0 {
		t.Fatalf("dry run: %d\n%s", resp.StatusCode, excerpt(body))
	}
	resp, body = f.postRaw("admin", "/users/import", []byte(csv), true)
	links := regexp.MustCompile(`<tr class="import-link"><td>([^<]+)</td><td><code class="secret">([^<]+)</code>`).FindAllStringSubmatch(body, -1)
	if resp.StatusCode != 200 || len(links) != 1 || links[0][1] != "zhangsan" || !strings.HasPrefix(links[0][2], f.ts.URL+"/password/") ||
		!strings.Contains(body, "只在此显示这一次") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("import: %d %q\n%s", resp.StatusCode, links, excerpt(body))
	}
	if userCount(t, f.st, "zhangsan") != 1 {
		t.Fatal("zhangsan was not made")
	}
	resp, _ = f.postRaw("leadera", "/users/import", []byte(csv), true)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("leader: %d", resp.StatusCode)
	}
}

// TestRosterImportArchiveMissing: with the box ticked, a dry run lists the
// units the file does not name as archived, keeps the box ticked, and
// archives nothing.
func TestRosterImportArchiveMissing(t *testing.T) {
	f := newFixture(t)
	csv := "名称,上级单位\n中共涪城区委,中共绵阳市委\n城厢街道党工委,中共绵阳市委/中共涪城区委\n"
	resp, body := f.postRaw("admina", "/units/import", []byte(csv), true, "dry_run", "1", "archive_missing", "1")
	if resp.StatusCode != 200 || !strings.Contains(body, `name="archive_missing" value="1" checked`) ||
		!regexp.MustCompile(`文件中未列出</small></td>\s*<td>中共绵阳市委/中共涪城区委/工区街道党工委</td>\s*<td>撤销</td>`).MatchString(body) {
		t.Fatalf("dry run: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if u, _ := f.st.Unit(context.Background(), f.units["A2"].ID); u.Archived {
		t.Fatal("the dry run archived A2")
	}
}
