package web

import (
	"context"
	"strings"
	"testing"

	"zeren/internal/rectification"
	"zeren/internal/store"
)

// The warning days decide which items the ledger shows yellow; bad values
// are refused with the field named, and change nothing.
func TestWarningDaysSetting(t *testing.T) {
	f := newFixture(t)
	far := f.st.Now().AddDate(0, 0, 20).Format(rectification.Date)
	id := f.ledgerItem("A1", "A", "台账预警天数", rectification.InProgress, far)
	warning := func() rectification.Warning {
		x, err := f.st.Rectification(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return x.Warning
	}
	yellow := func() int {
		n, err := f.st.LedgerCount(context.Background(), store.LedgerFilter{Scopes: []string{"/"}, Warning: rectification.Yellow})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if w, n := warning(), yellow(); w != rectification.Green || n != 0 {
		t.Fatalf("20 days ahead with the default 7 warning days: %s, %d yellow", w, n)
	}
	for _, bad := range []string{"0", "91", "abc", "", "7.5"} {
		resp, body := f.do("admin", "POST", "/settings", "warning_days="+bad)
		if resp.StatusCode != 400 || !strings.Contains(body, "预警天数") || !strings.Contains(body, "1 到 90") {
			t.Fatalf("warning days %q: %d %s", bad, resp.StatusCode, body)
		}
	}
	if resp, _ := f.do("admina", "POST", "/settings", "warning_days=30"); resp.StatusCode != 403 {
		t.Fatalf("an admin of a subtree changed the warning days: %d", resp.StatusCode)
	}
	if f.st.WarningDays() != rectification.DefaultWarningDays {
		t.Fatalf("refused changes changed the warning days to %d", f.st.WarningDays())
	}
	if resp, _ := f.do("admin", "POST", "/settings", "warning_days=30"); resp.StatusCode != 303 {
		t.Fatalf("warning days 30: %d", resp.StatusCode)
	}
	if w, n := warning(), yellow(); w != rectification.Yellow || n != 1 {
		t.Fatalf("20 days ahead with 30 warning days: %s, %d yellow", w, n)
	}
	if _, body := f.do("admin", "GET", "/settings", ""); !strings.Contains(body, `value="30"`) {
		t.Fatal("the settings page does not show the warning days")
	}
	stats, err := f.st.UnitStats(context.Background(), f.units["A"].ID, 0)
	if err != nil || stats.DueSoon != 1 {
		t.Fatalf("A's due-soon figure with 30 warning days: %+v %v", stats, err)
	}
}
