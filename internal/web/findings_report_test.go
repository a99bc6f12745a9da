package web

import (
	"strings"
	"testing"
)

// A finding recorded in the browser may name only its unit's report of
// its cycle: another unit's report, or none at all, is a field error, never
// a 500, and nothing is recorded.
func TestFindingReportChecked(t *testing.T) {
	f := newFixture(t)
	before := f.findingCount()
	for _, report := range []string{"99999", "{report:sA}"} {
		resp, body := f.do("role-organizer", "POST", "/findings",
			"unit_id={A1}&cycle_id={cycle:A}&source=supervision&text=问题&report_id="+report)
		if resp.StatusCode != 400 || !strings.Contains(body, "不是该单位本年度的述职报告") {
			t.Fatalf("report %s: %d", report, resp.StatusCode)
		}
	}
	if n := f.findingCount(); n != before {
		t.Fatalf("refused findings were recorded: %d, before %d", n, before)
	}
	if resp, _ := f.do("role-organizer", "POST", "/findings",
		"unit_id={A1}&cycle_id={cycle:A}&source=supervision&text=问题&report_id={report:A}"); resp.StatusCode != 303 {
		t.Fatalf("the unit's own report: %d", resp.StatusCode)
	}
}

// A JSON body of the wrong shape names JSON's types, never Go's.
func TestJSONTypeMessage(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do("role-organizer", "PUT", "/api/v1/cycles/{cycle:vA}/assessment/scheme", "[]", "Content-Type", "application/json")
	if resp.StatusCode != 400 || !strings.Contains(body, "object") || strings.Contains(body, "api.") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
