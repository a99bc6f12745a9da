package ledger

import (
	"testing"

	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/rectification"
)

// sheetKeys are the catalog entries the sheet uses (zh-CN, en), so that
// these tests read real titles before and after they reach the catalog.
var sheetKeys = map[string][2]string{
	"ledger.sheet":                  {"整改台账", "Rectification ledger"},
	"ledger.col.serial":             {"序号", "No."},
	"ledger.col.problem":            {"问题", "Problem"},
	"ledger.col.source":             {"问题来源", "Source"},
	"ledger.col.measures":           {"整改措施", "Measures"},
	"ledger.col.responsible_leader": {"责任领导", "Responsible leader"},
	"ledger.col.unit":               {"责任单位", "Responsible unit"},
	"ledger.col.owner":              {"责任人", "Owner"},
	"ledger.col.deadline":           {"整改时限", "Deadline"},
	"ledger.col.progress":           {"整改进展", "Progress"},
	"ledger.col.status":             {"整改状态", "Status"},
	"ledger.col.closed_on":          {"销号日期", "Closure date"},
	"ledger.col.kind":               {"整改类型", "Kind"},
	"ledger.col.item_id":            {"事项编号", "Item no."},
	"ledger.col.version":            {"版本", "Version"},
	"rect_kind.immediate":           {"立行立改", "Immediate"},
	"rect_kind.long_term":           {"长期坚持", "Long-term"},
}

// overlay is the real catalog with sheetKeys filling what it lacks.
type overlay struct{ *i18n.Catalog }

func (o overlay) T(locale, key string, args ...any) string {
	if v, ok := sheetKeys[key]; ok && !o.Has(key) {
		if locale == "en" {
			return v[1]
		}
		return v[0]
	}
	return o.Catalog.T(locale, key, args...)
}

func catalog(t testing.TB) overlay {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return overlay{cat}
}

// TestCatalogHasTheSheetKeys fails while a title or label of the sheet is
// missing from the catalog: the sheet would show the raw key.
func TestCatalogHasTheSheetKeys(t *testing.T) {
	cat := catalog(t).Catalog
	keys := []string{"ledger.sheet"}
	for _, c := range Columns {
		keys = append(keys, c.Key())
	}
	for _, k := range []rectification.Kind{rectification.Immediate, rectification.LongTerm} {
		keys = append(keys, KindKey(k))
	}
	for _, s := range rectification.Statuses {
		keys = append(keys, StatusKey(s))
	}
	for _, s := range finding.Sources {
		keys = append(keys, "source."+string(s))
	}
	for _, k := range keys {
		if !cat.Has(k) {
			t.Errorf("%s is not in the catalog", k)
		}
	}
}
