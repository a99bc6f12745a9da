package store_test

import (
	"context"
	"testing"

	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/todo"
)

// raised sums the to-do's raised counters of a unit: items awaiting
// verification and pending extension requests.
func raised(t *testing.T, st *store.Store, unitID int64) (awaiting, extensions int) {
	t.Helper()
	cs, err := st.TodoRaised(context.Background(), []int64{unitID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		switch c.Kind {
		case todo.Verify:
			awaiting += c.Count
		case todo.Extension:
			extensions += c.Count
		}
	}
	return awaiting, extensions
}

// TestTodoCounters: items awaiting verification and pending extensions are
// counted on the raising level and its ancestors, not on the item's unit
// alone; they follow every move, a decision, and a unit moved elsewhere.
func TestTodoCounters(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	county := mustUnit(t, st, city.ID, "中共涪城区委")
	town := mustUnit(t, st, county.ID, "城厢街道党工委")
	other := mustUnit(t, st, city.ID, "中共游仙区委")
	c, _ := st.CreateCycle(ctx, audit.System, city.ID, cycle.Draft{Year: 2020, Title: "2020"})
	item := func(src finding.Source) rectification.Rectification {
		f, err := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: town.ID, CycleID: c.ID, Source: src, Text: "问题" + string(src)})
		if err != nil {
			t.Fatal(err)
		}
		xs, _ := st.FindingRectifications(ctx, f.ID)
		x := xs[0]
		if x, err = st.SavePlan(ctx, leaderA, x.ID, x.Version, plan(st.Now().AddDate(0, 1, 0).Format(rectification.Date))); err != nil {
			t.Fatal(err)
		}
		if x, err = st.MoveRectification(ctx, leaderA, x.ID, x.Version, rectification.Start, ""); err != nil {
			t.Fatal(err)
		}
		return x
	}
	chair, self := item(finding.ChairComment), item(finding.SelfExamination)
	move := func(x *rectification.Rectification, m rectification.Move) {
		t.Helper()
		y, err := st.MoveRectification(ctx, checker, x.ID, x.Version, m, "理由")
		if err != nil {
			t.Fatal(err)
		}
		*x = y
	}
	move(&chair, rectification.Submit)
	move(&self, rectification.Submit)
	for _, tc := range []struct {
		name     string
		unitID   int64
		awaiting int
	}{{"city", city.ID, 2}, {"county", county.ID, 1}, {"town", town.ID, 1}, {"other", other.ID, 0}} {
		if got, _ := raised(t, st, tc.unitID); got != tc.awaiting {
			t.Errorf("%s: %d awaiting, want %d (the chair's item is the city's to verify)", tc.name, got, tc.awaiting)
		}
	}
	move(&chair, rectification.Reject)
	if got, _ := raised(t, st, city.ID); got != 1 {
		t.Errorf("after a rejection the city counts %d", got)
	}
	if err := st.RequestExtension(ctx, leaderA, chair.ID, st.Now().AddDate(0, 2, 0).Format(rectification.Date), "汛期"); err != nil {
		t.Fatal(err)
	}
	if _, ext := raised(t, st, city.ID); ext != 1 {
		t.Errorf("a pending extension: %d", ext)
	}
	if _, ext := raised(t, st, county.ID); ext != 0 {
		t.Errorf("the county counts the city's extension: %d", ext)
	}
	pending, err := st.TodoExtensions(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0].ObjectID != chair.ID || pending[0].RaiserPath != city.Path {
		t.Fatalf("pending extensions %+v %v", pending, err)
	}
	exts, _ := st.Extensions(ctx, chair.ID)
	if err := st.DecideExtension(ctx, checker, exts[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if _, ext := raised(t, st, city.ID); ext != 0 {
		t.Errorf("a decided extension still counts: %d", ext)
	}
	// The county moves under the other district: its township's
	// self-examination item leaves the old ancestors' counters.
	if _, err := st.MoveUnit(ctx, audit.System, county.ID, county.Version, other.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		unitID   int64
		awaiting int
	}{{"city", city.ID, 1}, {"county", county.ID, 1}, {"other", other.ID, 1}} {
		if got, _ := raised(t, st, tc.unitID); got != tc.awaiting {
			t.Errorf("after the move, %s: %d awaiting, want %d", tc.name, got, tc.awaiting)
		}
	}
	move(&self, rectification.Verify)
	if got, _ := raised(t, st, other.ID); got != 0 {
		t.Errorf("a verified item still counts: %d", got)
	}
}

// TestTodoCandidates: the unit's own report, items by state and unanswered
// notice, from the unit's id alone.
func TestTodoCandidates(t *testing.T) {
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	town := mustUnit(t, st, city.ID, "城厢街道党工委")
	c, _ := st.CreateCycle(ctx, audit.System, city.ID, cycle.Draft{Year: 2020, Title: "2020"})
	if err := st.SetParticipants(ctx, audit.System, c.ID, c.Version, []cycle.Participant{{UnitID: town.ID, Mode: cycle.Written}}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	if _, err := st.AdvanceCycle(ctx, audit.System, c.ID, c.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	reports, err := st.TodoReports(ctx, []int64{town.ID})
	if err != nil || len(reports) != 1 || reports[0].Kind != todo.ReportWrite || reports[0].CyclePath != city.Path {
		t.Fatalf("reports %+v %v", reports, err)
	}
	if cs, _ := st.TodoReports(ctx, []int64{city.ID}); len(cs) != 0 {
		t.Errorf("the city gets the town's report: %+v", cs)
	}
	f, _ := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: town.ID, CycleID: c.ID, Source: finding.Supervision, Text: "问题"})
	xs, _ := st.FindingRectifications(ctx, f.ID)
	kinds := func() []todo.Kind {
		cs, err := st.TodoItems(ctx, []int64{town.ID})
		if err != nil {
			t.Fatal(err)
		}
		var out []todo.Kind
		for _, c := range cs {
			out = append(out, c.Kind)
		}
		return out
	}
	if k := kinds(); len(k) != 1 || k[0] != todo.ItemPlan {
		t.Errorf("planning: %v", k)
	}
	x, _ := st.SavePlan(ctx, leaderA, xs[0].ID, xs[0].Version, plan(st.Now().AddDate(0, 1, 0).Format(rectification.Date)))
	x, _ = st.MoveRectification(ctx, leaderA, x.ID, x.Version, rectification.Start, "")
	if k := kinds(); len(k) != 0 {
		t.Errorf("on track: %v", k)
	}
	x, _ = st.MoveRectification(ctx, leaderA, x.ID, x.Version, rectification.Submit, "")
	if _, err := st.MoveRectification(ctx, checker, x.ID, x.Version, rectification.Reject, "证据不足"); err != nil {
		t.Fatal(err)
	}
	if k := kinds(); len(k) != 1 || k[0] != todo.ItemRejected {
		t.Errorf("rejected: %v", k)
	}
	clock.Advance(25 * 24 * 3600e9)
	if k := kinds(); len(k) != 1 || k[0] != todo.ItemRejected {
		t.Errorf("rejected, due soon: %v", k) // the rejection says more
	}
	clock.Advance(10 * 24 * 3600e9)
	if k := kinds(); len(k) != 1 || k[0] != todo.ItemOverdue {
		t.Errorf("overdue: %v", k)
	}
	id, err := st.IssueUrge(ctx, checker, x.ID, rectification.Urge{Level: rectification.RedUrge, Text: "立即整改",
		ReplyBy: st.Now().AddDate(0, 0, 3).Format(rectification.Date)})
	if err != nil {
		t.Fatal(err)
	}
	urges, _ := st.TodoUrges(ctx, []int64{town.ID})
	if len(urges) != 1 || urges[0].ObjectID != id || urges[0].Detail != "red" {
		t.Fatalf("urges %+v", urges)
	}
	if err := st.ReplyUrge(ctx, leaderA, id, "已整改"); err != nil {
		t.Fatal(err)
	}
	if urges, _ := st.TodoUrges(ctx, []int64{town.ID}); len(urges) != 0 {
		t.Errorf("an answered notice: %+v", urges)
	}
}
