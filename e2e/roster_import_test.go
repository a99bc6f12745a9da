package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"zeren/internal/store"
)

// unitsNamed counts the units, archived ones too, whose name holds q.
func unitsNamed(t *testing.T, st *store.Store, q string) int {
	t.Helper()
	us, err := st.Units(context.Background(), store.UnitFilter{Scopes: []string{"/"}, Query: q, IncludeArchived: true, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(us)
}

// An admin reaches the import from the unit list, checks a CSV file (the
// planned changes show, nothing is saved), then imports it for real and
// finds the new units in the list.
func TestUnitsImport(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	file := filepath.Join(t.TempDir(), "单位.csv")
	csv := "名称,上级单位,类别\n" +
		"云溪谷党工委,中共绵阳市委/中共涪城区委,园区党工委\n" +
		"云溪谷第一党支部,中共绵阳市委/中共涪城区委/云溪谷党工委,\n"
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var result, changes string
	run(t, ctx,
		login(base, "admin"),
		chromedp.Navigate(base+"/units"),
		chromedp.WaitVisible(chromedp.CSS(`#units-import`)),
		chromedp.Click(chromedp.CSS(`#units-import`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/units/import"] input[type=file]`)),
		shot("units-import-zh"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{file}),
		chromedp.Click(chromedp.CSS(`button[name=dry_run]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-result`)),
		text(`#import-result .flash`, &result),
		text(`#import-result table`, &changes),
		shot("units-import-dry-run-zh"),
	)
	if !strings.Contains(result, "检查通过") || !strings.Contains(changes, "中共绵阳市委/中共涪城区委/云溪谷党工委/云溪谷第一党支部") ||
		strings.Count(changes, "新增") != 2 {
		t.Fatalf("dry run: %q\n%q", result, changes)
	}
	if n := unitsNamed(t, storeOf(ctx), "云溪谷"); n != 0 {
		t.Fatalf("the dry run saved %d units", n)
	}

	var list string
	run(t, ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{file}),
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-result a[href^="/units/"]`)),
		text(`#import-result .flash`, &result),
		shot("units-import-done-zh"),
		chromedp.Navigate(base+"/units?q=云溪谷"),
		chromedp.WaitVisible(chromedp.CSS(`ul.results`)),
		text(`#tree`, &list),
	)
	if !strings.Contains(result, "已导入") || !strings.Contains(list, "云溪谷党工委") || !strings.Contains(list, "云溪谷第一党支部") {
		t.Fatalf("after the import: %q\nlist %q", result, list)
	}
	if n := unitsNamed(t, storeOf(ctx), "云溪谷"); n != 2 {
		t.Fatalf("%d units saved, want 2", n)
	}
}
