package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"zeren/internal/auth"
	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/unit"
)

// TestCatalogHasEveryKey finds every message key used by the templates and
// the Go code and checks that the catalog holds it, so that no page shows a
// raw key in either language.
func TestCatalogHasEveryKey(t *testing.T) {
	cat := mustCatalog(t)
	keys := map[string]string{} // key → where it was seen
	tmplKey := regexp.MustCompile(`\.T "([a-z_]+\.[a-zA-Z0-9_.-]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = p
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goKey := regexp.MustCompile(`"((?:err|flash|title)\.[a-z_]+)"`)
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := os.ReadFile(p)
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = p
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys built at run time with print "kind." and the like.
	for _, k := range unit.Kinds {
		keys["kind."+string(k)] = "unit.Kinds"
	}
	for _, r := range auth.Roles {
		keys["role."+string(r)] = "auth.Roles"
	}
	for _, l := range i18n.Locales {
		keys["locale."+l] = "i18n.Locales"
	}
	for _, src := range finding.Sources {
		keys["source."+string(src)] = "finding.Sources"
	}
	for _, pr := range []finding.Progress{finding.Rectified, finding.InProgress} {
		keys["progress."+string(pr)] = "finding progress"
	}
	for _, o := range auditObjects {
		keys["object."+o] = "auditObjects"
	}
	for _, s := range []string{"400", "401", "403", "404", "409", "413", "429", "500"} {
		keys["status."+s] = "error page"
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys; is the scan broken?", len(keys))
	}
	for k, where := range keys {
		if !cat.Has(k) {
			t.Errorf("%s (used in %s) is not in the catalog", k, where)
		}
	}
}
