package demo

import (
	"context"
	"testing"

	"zeren/internal/appraisal"
	"zeren/internal/assessment"
	"zeren/internal/cycle"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
)

// cityCycles are the city committee's cycles, newest first.
func cityCycles(t *testing.T, st *store.Store) []cycle.Cycle {
	all, err := st.Cycles(context.Background(), []string{"/"})
	if err != nil {
		t.Fatal(err)
	}
	var out []cycle.Cycle
	for _, c := range all {
		if c.UnitName == "中共绵阳市委" {
			out = append(out, c)
		}
	}
	return out
}

func TestLoad(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	logins, err := Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 7 {
		t.Fatalf("%d logins", len(logins))
	}
	cycles := cityCycles(t, st)
	if len(cycles) != 2 || cycles[0].Year != 2020 || cycles[0].Status != cycle.Reviewing || cycles[1].Status != cycle.Closed {
		t.Fatalf("cycles: %+v", cycles)
	}
	reports, _ := st.CycleReports(ctx, cycles[0].ID, []string{"/"})
	states := map[report.Status]int{}
	for _, r := range reports {
		states[r.Status]++
	}
	if len(reports) != len(reporting) || states[report.Accepted] == 0 || states[report.Submitted] == 0 || states[report.Draft] != 1 {
		t.Fatalf("2020 reports by state: %v", states)
	}
	files := 0
	for _, r := range reports {
		fs, _ := st.Attachments(ctx, r.ID)
		files += len(fs)
	}
	if files == 0 {
		t.Fatal("no evidence attached in the demo")
	}
	if n, p, err := st.VerifyAudit(ctx); err != nil || p != nil || n == 0 {
		t.Fatalf("audit: %d %v %v", n, p, err)
	}
	if _, err := Load(ctx, st); err == nil {
		t.Fatal("loaded twice")
	}
}

func TestDemoSimilarity(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	cycles := cityCycles(t, st)
	sims, _ := st.Similarities(ctx, cycles[0].ID)
	high := 0
	for _, s := range sims {
		if s.Score > 0.9 {
			high++
			if s.MatchYear != 2019 || s.MatchUnit != "中共盐亭县委" {
				t.Errorf("unexpected copy: %+v", s)
			}
		}
	}
	if high != 1 || len(sims) < 15 {
		t.Fatalf("%d figures, %d copies", len(sims), high)
	}
}

func TestDemoCarryOver(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	cycles := cityCycles(t, st)
	reports, _ := st.CycleReports(ctx, cycles[0].ID, []string{"/"})
	carried := 0
	for _, r := range reports {
		cs, _ := st.CarryOvers(ctx, r.ID)
		for _, c := range cs {
			carried++
			if !c.Answered() || c.Finding.CycleYear != 2019 {
				t.Errorf("%s: %+v", r.UnitName, c)
			}
		}
	}
	if carried != 4 {
		t.Fatalf("%d findings carried into 2020, want the 4 left open in 2019", carried)
	}
}

func TestDemoAppraisalAndComments(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	c := cityCycles(t, st)[0]
	a, err := st.CycleAppraisal(ctx, c.ID)
	if err != nil || a.Status != appraisal.Closed || len(a.Groups) != 3 {
		t.Fatalf("appraisal: %+v %v", a, err)
	}
	results, reports, err := st.Results(ctx, a)
	if err != nil || len(results) != 17 {
		t.Fatalf("results: %d %v", len(results), err)
	}
	scores := map[float64]bool{}
	for i, r := range results {
		if r.Hidden || r.Score == nil || r.Rank == 0 {
			t.Fatalf("%s: %+v", reports[i].UnitName, r)
		}
		scores[*r.Score] = true
	}
	if len(scores) < 5 {
		t.Fatalf("the demo scores hardly differ: %v", scores)
	}
	states, _ := st.CommentStates(ctx, c.ID)
	published := 0
	for _, p := range states {
		if p {
			published++
		}
	}
	if published < len(states)/2 || published == len(states) {
		t.Fatalf("comments: %d of %d published", published, len(states))
	}
	findings := 0
	for _, r := range reports {
		fs, _ := st.ReportFindings(ctx, r.ID)
		findings += len(fs)
	}
	if findings < published {
		t.Fatalf("%d findings from %d published comments", findings, published)
	}
}

func TestDemoRectifications(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	c := cityCycles(t, st)[0]
	xs, _, err := st.Ledger(ctx, store.LedgerFilter{Scopes: []string{"/"}, CycleID: c.ID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, x := range xs {
		states[string(x.Status)]++
		states[string(x.Warning)]++
		if x.Extended() {
			states["extended"]++
		}
		if x.Round > 1 {
			states["reopened"]++
		}
		if us, _ := st.Urges(ctx, x.ID); len(us) > 0 {
			states["urged"]++
		}
	}
	for _, k := range []string{"planning", "in_progress", "awaiting_verification", "closed", "red", "yellow", "green", "extended", "reopened", "urged"} {
		if states[k] == 0 {
			t.Errorf("no %s item in the demo: %v", k, states)
		}
	}
	root := cityCycles(t, st)[0].UnitID
	stats, _ := st.UnitStats(ctx, root, c.ID)
	if stats.Total != len(xs) || stats.Overdue != states["red"] {
		t.Fatalf("stats %+v against %d items, %d red", stats, len(xs), states["red"])
	}
}

// 2019 is assessed and published, with one adjustment and ranks within
// three peer groups; 2020 has its scheme and manual scores, ready to compute.
func TestDemoAssessment(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	cycles := cityCycles(t, st)
	a19, _ := st.Assessment(ctx, cycles[1].ID)
	scores, err := st.Scores(ctx, cycles[1].ID, 0)
	if err != nil || a19.Status != assessment.Published || len(scores) != len(reporting) {
		t.Fatalf("2019: %s, %d scores, %v", a19.Status, len(scores), err)
	}
	groups, adjusted, firsts := map[string]bool{}, 0, 0
	for _, s := range scores {
		groups[s.PeerGroup] = true
		if s.Reason != "" {
			adjusted++
		}
		if s.Rank == 1 {
			firsts++
		}
		if s.Grade == "" || s.NoData {
			t.Fatalf("%s has no grade: %+v", s.UnitName, s)
		}
	}
	if len(groups) != 3 || adjusted != 1 || firsts < 3 {
		t.Fatalf("2019: groups %v, %d adjusted, %d ranked first", groups, adjusted, firsts)
	}
	a20, _ := st.Assessment(ctx, cycles[0].ID)
	manual, _ := st.ManualScores(ctx, cycles[0].ID)
	if a20.ID == 0 || a20.Status != assessment.Draft || len(manual) != len(reporting) {
		t.Fatalf("2020: %+v, %d manual scores", a20, len(manual))
	}
}
