package store_test

import (
	"context"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/assessment"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

// assessingCycle makes a city cycle with two counties taking part, their
// reports handed in, moved on to assessing.
func assessingCycle(t *testing.T, st *store.Store) (cycle.Cycle, unit.Unit, unit.Unit) {
	t.Helper()
	ctx, by := context.Background(), audit.System
	city := mustUnit(t, st, 0, "中共绵阳市委")
	a := mustUnit(t, st, city.ID, "中共涪城区委")
	b := mustUnit(t, st, city.ID, "中共游仙区委")
	c, err := st.CreateCycle(ctx, by, city.ID, cycle.Draft{Year: 2020, Title: "2020"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetParticipants(ctx, by, c.ID, c.Version, []cycle.Participant{{UnitID: a.ID, Mode: cycle.OnTheSpot}, {UnitID: b.ID, Mode: cycle.OnTheSpot}}); err != nil {
		t.Fatal(err)
	}
	advance := func(to cycle.Status) {
		t.Helper()
		cur, _ := st.Cycle(ctx, c.ID)
		if _, err := st.AdvanceCycle(ctx, by, c.ID, cur.Version, to); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	advance(cycle.Reporting)
	reports, _ := st.CycleReports(ctx, c.ID, []string{city.Path})
	for _, r := range reports {
		full, _ := st.Report(ctx, r.ID)
		full, err = st.SaveReport(ctx, by, r.ID, full.Version, []report.Section{{AreaID: full.Sections[0].AreaID, Achievements: "履职尽责"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.MoveReport(ctx, by, r.ID, full.Version, report.Submit, ""); err != nil {
			t.Fatal(err)
		}
	}
	advance(cycle.Reviewing)
	if _, err := st.CreateFinding(ctx, by, finding.Finding{UnitID: a.ID, CycleID: c.ID, Source: finding.Supervision, Text: "问题一"}); err != nil {
		t.Fatal(err)
	}
	closed, _ := st.CreateFinding(ctx, by, finding.Finding{UnitID: a.ID, CycleID: c.ID, Source: finding.Supervision, Text: "问题二"})
	closeFinding(t, st, closed.ID)
	advance(cycle.Rectifying)
	c, _ = st.Cycle(ctx, c.ID)
	return c, a, b
}

func TestAssessment(t *testing.T) {
	st := storetest.New(t)
	ctx, by := context.Background(), audit.System
	c, a, b := assessingCycle(t, st)
	wantConflict := func(err error, key string) {
		t.Helper()
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Conflict || e.Key != key {
			t.Fatalf("got %v, want conflict %s", err, key)
		}
	}
	// Computing before the cycle reaches assessing is refused.
	_, err := st.ComputeAssessment(ctx, by, c.ID)
	wantConflict(err, "err.assess_status")
	if _, err := st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Assessing); err != nil {
		t.Fatal(err)
	}
	// A scheme whose points do not add up is refused, naming the field.
	bad := assessment.DefaultScheme()
	bad.Indicators[0].Points += 5
	_, err = st.SaveScheme(ctx, by, c.ID, 0, bad)
	wantField(t, err, "indicators")
	got, _ := st.Assessment(ctx, c.ID)
	if got.ID != 0 {
		t.Fatalf("a refused scheme was stored: %+v", got)
	}
	// A peer group of a unit not taking part is refused.
	stray := assessment.DefaultScheme()
	stray.PeerGroups = []assessment.PeerGroup{{Name: "县区", Units: []int64{a.ID, c.UnitID}}}
	_, err = st.SaveScheme(ctx, by, c.ID, 0, stray)
	wantField(t, err, "peer_groups")
	saved, err := st.SaveScheme(ctx, by, c.ID, 0, assessment.DefaultScheme())
	if err != nil || saved.ID == 0 || saved.Status != assessment.Draft {
		t.Fatalf("save scheme: %+v %v", saved, err)
	}
	// A manual score out of range is refused; a good one is used.
	over := 99.0
	wantField(t, st.SetManual(ctx, by, c.ID, a.ID, "party_building", &over), "manual")
	fifteen := 15.0
	if err := st.SetManual(ctx, by, c.ID, a.ID, "party_building", &fifteen); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ComputeAssessment(ctx, by, c.ID); err != nil {
		t.Fatal(err)
	}
	scores, err := st.Scores(ctx, c.ID, 0)
	if err != nil || len(scores) != 2 {
		t.Fatalf("scores: %+v %v", scores, err)
	}
	byUnit := map[int64]assessment.Score{}
	for _, s := range scores {
		byUnit[s.UnitID] = s
	}
	// Fucheng: one finding closed of two, no red notice, party building 15;
	// no appraisal. Youxian: no findings, nothing entered.
	fa := byUnit[a.ID]
	if fa.NoData || fa.Grade == "" || len(fa.Lines) != 5 || len(fa.Missing) != 0 {
		t.Fatalf("Fucheng: %+v", fa)
	}
	for _, l := range fa.Lines {
		if l.Key == "closed_share" && (l.Earned == nil || *l.Earned != 7.5 || l.Count != 1 || l.Of != 2) {
			t.Fatalf("closed share: %+v", l)
		}
	}
	if fb := byUnit[b.ID]; len(fb.Missing) != 1 || fb.Missing[0] != "party_building" {
		t.Fatalf("Youxian: %+v", fb)
	}
	// An adjustment needs a reason; with one, it changes the final score.
	wantField(t, st.AdjustScore(ctx, by, c.ID, a.ID, assessment.Adjustment{Points: -3}), "reason")
	before := fa.Final
	if err := st.AdjustScore(ctx, by, c.ID, a.ID, assessment.Adjustment{Points: -3, Reason: "发生安全生产事故"}); err != nil {
		t.Fatal(err)
	}
	adjusted, _ := st.Scores(ctx, c.ID, a.ID)
	if len(adjusted) != 1 || adjusted[0].Final != before-3 || adjusted[0].Reason != "发生安全生产事故" {
		t.Fatalf("adjusted: %+v (before %v)", adjusted, before)
	}
	// Published results are fixed until reopened with a reason; the cycle
	// closes only with its assessment published.
	cur, _ := st.Cycle(ctx, c.ID)
	_, err = st.AdvanceCycle(ctx, by, c.ID, cur.Version, cycle.Closed)
	wantConflict(err, "err.assessment_unpublished")
	asm, _ := st.Assessment(ctx, c.ID)
	if err := st.PublishAssessment(ctx, by, c.ID, asm.Version); err != nil {
		t.Fatal(err)
	}
	_, err = st.ComputeAssessment(ctx, by, c.ID)
	wantConflict(err, "err.assessment_published")
	wantConflict(st.AdjustScore(ctx, by, c.ID, a.ID, assessment.Adjustment{Points: 1, Reason: "x"}), "err.assessment_published")
	asm, _ = st.Assessment(ctx, c.ID)
	wantField(t, st.ReopenAssessment(ctx, by, c.ID, asm.Version, " "), "reason")
	if err := st.ReopenAssessment(ctx, by, c.ID, asm.Version, "复核整改数据"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ComputeAssessment(ctx, by, c.ID); err != nil {
		t.Fatalf("recompute after reopening: %v", err)
	}
	asm, _ = st.Assessment(ctx, c.ID)
	if err := st.PublishAssessment(ctx, by, c.ID, asm.Version); err != nil {
		t.Fatal(err)
	}
	cur, _ = st.Cycle(ctx, c.ID)
	if _, err := st.AdvanceCycle(ctx, by, c.ID, cur.Version, cycle.Closed); err != nil {
		t.Fatalf("close with the assessment published: %v", err)
	}
	// A closed cycle takes no more findings: its figures were assessed.
	_, err = st.CreateFinding(ctx, by, finding.Finding{UnitID: a.ID, CycleID: c.ID, Source: finding.Supervision, Text: "结束后的问题"})
	wantConflict(err, "err.cycle_closed")
	// The unit's history: its items' figures and its published score.
	hist, err := st.UnitHistory(ctx, a.ID)
	if err != nil || len(hist) != 1 {
		t.Fatalf("history: %+v %v", hist, err)
	}
	h := hist[0]
	if h.Year != 2020 || h.Findings != 2 || h.Stats.Closed != 1 || h.Final == nil || *h.Final != before-3 || h.Grade == "" || !h.Published {
		t.Fatalf("history row: %+v", h)
	}
	if hist, _ := st.UnitHistory(ctx, b.ID); len(hist) != 1 || hist[0].Findings != 0 || hist[0].Final == nil {
		t.Fatalf("Youxian's history: %+v", hist)
	}
}
