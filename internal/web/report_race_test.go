package web

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/report"
)

// An autosave that leaves before the last answers are typed makes the
// submit's version stale; the submit still stores those answers and goes
// through, instead of refusing the report for answers it just sent.
func TestSubmitAfterAutosaveKeepsAnswers(t *testing.T) {
	f := newFixture(t)
	ctx, by := context.Background(), audit.System
	old, err := f.st.CreateFinding(ctx, by, finding.Finding{UnitID: f.units["A1"].ID, CycleID: f.cycles["vA"].ID, Source: finding.Supervision, Text: "旧问题"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.st.CreateCycle(ctx, by, f.units["A"].ID, cycle.Draft{Year: 2022, Title: "2022"})
	if err := f.st.SetParticipants(ctx, by, c.ID, c.Version, []cycle.Participant{{UnitID: f.units["A1"].ID, Mode: cycle.Written}}); err != nil {
		t.Fatal(err)
	}
	c, _ = f.st.Cycle(ctx, c.ID)
	if _, err := f.st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	reports, _ := f.st.CycleReports(ctx, c.ID, []string{f.units["A"].Path})
	r, _ := f.st.Report(ctx, reports[0].ID)
	path := "/reports/" + strconv.FormatInt(r.ID, 10)
	v := strconv.FormatInt(r.Version, 10)
	area := strconv.FormatInt(r.Sections[0].AreaID, 10)
	text := "achievements_" + area + "=成绩"
	empty, answered := "", ""
	cs, _ := f.st.CarryOvers(ctx, r.ID)
	for _, c := range cs {
		fid := strconv.FormatInt(c.Finding.ID, 10)
		empty += "&response_" + fid + "="
		answered += "&response_" + fid + "=已整改&progress_" + fid + "=rectified"
	}
	if len(cs) == 0 || cs[len(cs)-1].Finding.ID != old.ID {
		t.Fatalf("carried over: %+v", cs)
	}
	if resp, body := f.do("leadera", "POST", path, "version="+v+"&"+text+empty, "HX-Request", "true"); resp.StatusCode != 200 {
		t.Fatalf("autosave: %d %s", resp.StatusCode, excerpt(body))
	}
	resp, body := f.do("leadera", "POST", path+"/submit", "version="+v+"&"+text+answered)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit after the autosave: %d %s", resp.StatusCode, excerpt(body))
	}
	if r, _ = f.st.Report(ctx, r.ID); r.Status != report.Submitted {
		t.Fatalf("status %s", r.Status)
	}
}
