package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

// closeItem takes one item through plan, start, submit and verify.
func closeItem(t testing.TB, st *store.Store, id int64, deadline string) {
	t.Helper()
	ctx := context.Background()
	x, err := st.Rectification(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if x, err = st.SavePlan(ctx, leaderA, x.ID, x.Version, plan(deadline)); err != nil {
		t.Fatal(err)
	}
	for _, m := range []rectification.Move{rectification.Start, rectification.Submit, rectification.Verify} {
		if x, err = st.MoveRectification(ctx, checker, x.ID, x.Version, m, ""); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
}

// A finding split into two items: each is planned and closed on its own,
// the finding closes with the last, the counters count both, and a closed
// finding is not split again.
func TestSplitFinding(t *testing.T) {
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	root := mustUnit(t, st, 0, "市委")
	a := mustUnit(t, st, root.ID, "甲区")
	a1 := mustUnit(t, st, a.ID, "甲区一镇")
	c, _ := st.CreateCycle(ctx, audit.System, root.ID, cycle.Draft{Year: 2020, Title: "2020"})
	f, err := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: a1.ID, CycleID: c.ID, Source: finding.Supervision,
		Text: "基层党组织软弱涣散，制度不健全"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, u := range []unit.Unit{root, a, a1} {
			got, err := st.UnitStats(ctx, u.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := reference(t, st, u.Path, c.ID, clock.Now())
			if got.Total != want.Total || got.Planning != want.Planning || got.InProgress != want.InProgress || got.Closed != want.Closed ||
				got.ClosedOnTime != want.ClosedOnTime || got.Overdue != want.Overdue || !sameRate(got.OnTimeRate, want.OnTimeRate) {
				t.Fatalf("%s, %s: counters %+v, items %+v", when, u.Name, got, want)
			}
		}
	}

	if _, err := st.SplitFinding(ctx, checker, f.ID, strings.Repeat("长", rectification.MaxTextLen+1)); fieldOf(err) != "note" {
		t.Fatalf("a note too long: %v", err)
	}
	if _, err := st.SplitFinding(ctx, checker, 999999, ""); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("an unknown finding: %v", err)
	}
	second, err := st.SplitFinding(ctx, checker, f.ID, "  建立制度，长期坚持  ")
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := st.FindingRecord(ctx, f.ID)
	if len(rec.RectificationIDs) != 2 || rec.RectificationIDs[1] != second {
		t.Fatalf("items of the finding: %v, new %d", rec.RectificationIDs, second)
	}
	first := rec.RectificationIDs[0]
	x, _ := st.Rectification(ctx, second)
	if x.Status != rectification.Planning || x.Finding.ID != f.ID || x.UnitID != a1.ID || x.CycleID != c.ID {
		t.Fatalf("the new item: %+v", x)
	}
	events, _ := st.Timeline(ctx, second)
	if len(events) != 2 || events[0].Kind != "created" || events[1].Kind != "split" || events[1].Text != "建立制度，长期坚持" {
		t.Fatalf("the new item's timeline: %+v", events)
	}
	audited, _ := st.AuditEvents(ctx, store.AuditFilter{Unscoped: true, Scopes: []string{"/"}, ObjectType: "finding", ObjectID: f.ID, Limit: 10})
	if len(audited) == 0 || audited[0].Action != "finding.split" {
		t.Fatalf("the split is not audited: %+v", audited)
	}
	check("after the split")

	// The items go their own ways; the finding waits for both.
	in10 := clock.Now().AddDate(0, 0, 10).Format(rectification.Date)
	in30 := clock.Now().AddDate(0, 0, 30).Format(rectification.Date)
	closeItem(t, st, first, in10)
	if rec, _ = st.FindingRecord(ctx, f.ID); rec.Status != finding.Open {
		t.Fatalf("the finding closed with one item of two: %s", rec.Status)
	}
	x, _ = st.Rectification(ctx, second)
	if x.Status != rectification.Planning || x.Deadline != "" {
		t.Fatalf("the other item moved with the first: %+v", x)
	}
	check("one item closed")
	closeItem(t, st, second, in30)
	if rec, _ = st.FindingRecord(ctx, f.ID); rec.Status != finding.Closed {
		t.Fatalf("the finding stays open after both items: %s", rec.Status)
	}
	check("both items closed")
	if _, err := st.SplitFinding(ctx, checker, f.ID, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a closed finding split: %v", err)
	}
	// Reopening one item opens the finding again, and it may be split again.
	x, _ = st.Rectification(ctx, first)
	if _, err := st.MoveRectification(ctx, checker, first, x.Version, rectification.Reopen, "问题反弹"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SplitFinding(ctx, checker, f.ID, ""); err != nil {
		t.Fatalf("split after reopening: %v", err)
	}
	check("reopened and split again")
}

// A ballot's comment becomes a finding once the appraisal is closed, once,
// on the report it rates; ballot ids survive the closing's reshuffle.
func TestPromoteComment(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	by := audit.Actor{Login: "organizer"}
	city := mustUnit(t, st, 0, "中共绵阳市委")
	c, units := reviewing(t, st, city, 2020, 2)
	reports, _ := st.CycleReports(ctx, c.ID, []string{city.Path})
	setup := appraisal.Default()
	setup.MinBallots = 2
	setup.Groups = []appraisal.RaterGroup{{Name: "全体", Weight: 100}}
	a, err := st.CreateAppraisal(ctx, by, c.ID, setup)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := st.CreateCodes(ctx, by, a.ID, a.Groups[0].ID, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = st.MoveAppraisal(ctx, by, a.ID, a.Version, appraisal.Open); err != nil {
		t.Fatal(err)
	}
	// Two valid ballots on the first report, each with a comment; one
	// valid ballot on the second, whose comment is therefore never shown.
	ballots := [][]appraisal.Ballot{
		{{ReportID: reports[0].ID, Grade: 1, Comment: "测评意见：带头作用不够"}, {ReportID: reports[1].ID, Grade: 2, Comment: "测评意见：少数人"}},
		{{ReportID: reports[0].ID, Grade: 3, Comment: "测评意见：整改要实"}, {ReportID: reports[1].ID, Grade: appraisal.DontKnow}},
	}
	for i, code := range codes {
		v, _ := st.CodeVoter(ctx, code.Code)
		if _, err := st.Vote(ctx, by, v, "s", ballots[i]); err != nil {
			t.Fatal(err)
		}
	}
	ids := func() []string {
		rows, err := st.DumpForTest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			if r.Table == "ballots" {
				out = append(out, r.Values[0])
			}
		}
		slices.Sort(out)
		return out
	}
	before := ids()
	// While voting is open nothing is promoted.
	for _, id := range before {
		if b, err := st.BallotComment(ctx, id); err == nil {
			_, err = st.PromoteComment(ctx, by, b.BallotID, finding.Finding{Text: "x"})
			wantKey(t, err, "err.ballot_not_closed")
		}
	}
	if a, err = st.MoveAppraisal(ctx, by, a.ID, a.Version, appraisal.Closed); err != nil {
		t.Fatal(err)
	}
	if after := ids(); !slices.Equal(before, after) {
		t.Fatalf("ballot ids changed on closing: %v → %v", before, after)
	}
	results, _, err := st.Results(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	r0, r1 := results[0], results[1]
	if len(r0.Comments) != 2 || len(r0.CommentRefs) != 2 || !r1.Hidden || r1.CommentRefs != nil {
		t.Fatalf("results: %+v / %+v", r0, r1)
	}
	ref := r0.CommentRefs[0]
	if ref.FindingID != 0 || !slices.Contains(before, ref.BallotID) {
		t.Fatalf("comment ref: %+v", ref)
	}
	// The hidden report's comment is not promoted: it was never shown.
	var hidden string
	for _, id := range before {
		if id != r0.CommentRefs[0].BallotID && id != r0.CommentRefs[1].BallotID {
			if b, err := st.BallotComment(ctx, id); err == nil && b.Text != "" {
				hidden = id
			}
		}
	}
	if _, err := st.PromoteComment(ctx, by, hidden, finding.Finding{Text: "x"}); fieldOf(err) != "ballot_id" {
		t.Fatalf("a hidden report's comment: %v", err)
	}

	// Refusals: an unknown ballot, another report, another unit, another source, no text.
	bad := []struct {
		ballot string
		f      finding.Finding
		field  string
	}{
		{"nope", finding.Finding{Text: "x"}, "ballot_id"},
		{"", finding.Finding{Text: "x"}, "ballot_id"},
		{ref.BallotID, finding.Finding{Text: "x", ReportID: reports[1].ID}, "ballot_id"},
		{ref.BallotID, finding.Finding{Text: "x", UnitID: units[1].ID}, "ballot_id"},
		{ref.BallotID, finding.Finding{Text: "x", Source: finding.Supervision}, "source"},
		{ref.BallotID, finding.Finding{Text: "  "}, "text"},
	}
	for _, b := range bad {
		if _, err := st.PromoteComment(ctx, by, b.ballot, b.f); fieldOf(err) != b.field {
			t.Fatalf("%q %+v: %v, want a %s error", b.ballot, b.f, err, b.field)
		}
	}

	f, err := st.PromoteComment(ctx, by, ref.BallotID, finding.Finding{Text: "班子成员带头作用不够", Area: "政治建设"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := st.FindingRecord(ctx, f.ID)
	if rec.Source != finding.Appraisal || rec.ReportID != reports[0].ID || rec.UnitID != units[0].ID || rec.CycleID != c.ID ||
		rec.BallotID != ref.BallotID || len(rec.RectificationIDs) != 1 {
		t.Fatalf("the promoted finding: %+v", rec)
	}
	_, err = st.PromoteComment(ctx, by, ref.BallotID, finding.Finding{Text: "再来一次"})
	wantKey(t, err, "err.ballot_promoted")
	results, _, _ = st.Results(ctx, a)
	got := results[0].CommentRefs[0]
	if got.BallotID != ref.BallotID || got.FindingID != f.ID || got.RectificationID != rec.RectificationIDs[0] || results[0].CommentRefs[1].FindingID != 0 {
		t.Fatalf("results after promoting: %+v", results[0].CommentRefs)
	}
	if b, _ := st.BallotComment(ctx, ref.BallotID); b.FindingID != f.ID || b.Check() == nil {
		t.Fatalf("the promoted comment: %+v", b)
	}
}

// A finding is split into MaxItemsPerFinding items at most.
func TestSplitBounded(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	root := mustUnit(t, st, 0, "市委")
	c, _ := st.CreateCycle(ctx, audit.System, root.ID, cycle.Draft{Year: 2020, Title: "2020"})
	f, err := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: root.ID, CycleID: c.ID, Source: finding.Supervision, Text: "问题"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < store.MaxItemsPerFinding; i++ {
		if _, err := st.SplitFinding(ctx, audit.System, f.ID, ""); err != nil {
			t.Fatalf("split %d: %v", i, err)
		}
	}
	_, err = st.SplitFinding(ctx, audit.System, f.ID, "")
	if e, ok := apperr.As(err); !ok || e.Key != "err.too_many_items" {
		t.Fatalf("split past the bound: %v", err)
	}
}
