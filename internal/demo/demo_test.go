package demo

import (
	"context"
	"testing"

	"zeren/internal/cycle"
	"zeren/internal/report"
	"zeren/internal/store/storetest"
)

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
	cycles, _ := st.Cycles(ctx, []string{"/"})
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
	cycles, _ := st.Cycles(ctx, []string{"/"})
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
	cycles, _ := st.Cycles(ctx, []string{"/"})
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
