package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
	"zeren/internal/user"
)

var (
	leaderA = audit.Actor{UserID: 0, Login: "leader"}
	checker = audit.Actor{UserID: 0, Login: "supervisor"}
)

func plan(deadline string) rectification.Plan {
	return rectification.Plan{Measures: "整顿", Owner: "李四", ResponsibleLeader: "王五", Deadline: deadline, Kind: rectification.Immediate}
}

// closeFinding takes a finding's item through plan, start, submit and verify.
func closeFinding(t testing.TB, st *store.Store, findingID int64) rectification.Rectification {
	t.Helper()
	ctx := context.Background()
	xs, err := st.FindingRectifications(ctx, findingID)
	if err != nil || len(xs) != 1 {
		t.Fatalf("items of finding %d: %v %v", findingID, xs, err)
	}
	x := xs[0]
	if x, err = st.SavePlan(ctx, leaderA, x.ID, x.Version, plan(st.Now().AddDate(0, 1, 0).Format(rectification.Date))); err != nil {
		t.Fatal(err)
	}
	for _, m := range []rectification.Move{rectification.Start, rectification.Submit, rectification.Verify} {
		if x, err = st.MoveRectification(ctx, checker, x.ID, x.Version, m, ""); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	return x
}

func TestRectificationLifecycle(t *testing.T) {
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	fc := mustUnit(t, st, city.ID, "中共涪城区委")
	c, _ := st.CreateCycle(ctx, audit.System, city.ID, cycle.Draft{Year: 2020, Title: "2020"})
	f, err := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: fc.ID, CycleID: c.ID, Source: finding.Supervision,
		Text: "基层党组织软弱涣散", RootCause: "责任压得不实", Severity: finding.Major})
	if err != nil {
		t.Fatal(err)
	}
	xs, _ := st.FindingRectifications(ctx, f.ID)
	x := xs[0]
	if x.Status != rectification.Planning || x.Finding.RootCause != "责任压得不实" {
		t.Fatalf("new item: %+v", x)
	}
	today := clock.Now().Format(rectification.Date)
	yesterday := clock.Now().AddDate(0, 0, -1).Format(rectification.Date)
	if _, err := st.SavePlan(ctx, leaderA, x.ID, x.Version, plan(yesterday)); fieldOf(err) != "deadline" {
		t.Fatalf("a deadline before today: %v", err)
	}
	if _, err := st.MoveRectification(ctx, leaderA, x.ID, x.Version, rectification.Start, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("started without a plan: %v", err)
	}
	in10 := clock.Now().AddDate(0, 0, 10).Format(rectification.Date)
	x, err = st.SavePlan(ctx, leaderA, x.ID, x.Version, plan(in10))
	if err != nil || x.OriginalDeadline != in10 || x.Warning != rectification.Green {
		t.Fatalf("plan: %+v %v", x, err)
	}
	if _, err := st.MoveRectification(ctx, leaderA, x.ID, x.Version, rectification.Verify, ""); !apperr.Is(err, apperr.Conflict) ||
		!strings.Contains(err.Error(), "planning") {
		t.Fatalf("verify while planning: %v", err)
	}
	x, _ = st.MoveRectification(ctx, leaderA, x.ID, x.Version, rectification.Start, "")
	if _, err := st.SavePlan(ctx, leaderA, x.ID, x.Version, plan(today)); fieldOf(err) != "deadline" {
		t.Fatalf("deadline moved without an extension: %v", err)
	}
	if err := st.AddUpdate(ctx, leaderA, x.ID, "已整顿3个村", []store.Upload{{Name: "a.pdf", Data: []byte("%PDF-1.4 x")}}, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := st.AddUpdate(ctx, leaderA, x.ID, "x", []store.Upload{{Name: "a.exe", Data: []byte("MZ")}}, 1<<20); fieldOf(err) != "file" {
		t.Fatalf("an executable as evidence: %v", err)
	}

	// Extension: a reason is needed; the original deadline is kept.
	if err := st.RequestExtension(ctx, leaderA, x.ID, in10, "需要时间"); fieldOf(err) != "deadline" {
		t.Fatalf("extension to the same day: %v", err)
	}
	in40 := clock.Now().AddDate(0, 0, 40).Format(rectification.Date)
	if err := st.RequestExtension(ctx, leaderA, x.ID, in40, " "); fieldOf(err) != "reason" {
		t.Fatalf("extension without reason: %v", err)
	}
	if err := st.RequestExtension(ctx, leaderA, x.ID, in40, "涉及项目审批"); err != nil {
		t.Fatal(err)
	}
	exts, _ := st.Extensions(ctx, x.ID)
	if err := st.DecideExtension(ctx, checker, exts[0].ID, true); err != nil {
		t.Fatal(err)
	}
	x, _ = st.Rectification(ctx, x.ID)
	if x.Deadline != in40 || x.OriginalDeadline != in10 || !x.Extended() {
		t.Fatalf("after the extension: %+v", x)
	}

	// Submit as the leader (a real user), verify by the same user: refused.
	u1, _ := st.CreateUser(ctx, audit.System, user.Draft{Login: "leader", Name: "书记"}, "h", nil)
	u2, _ := st.CreateUser(ctx, audit.System, user.Draft{Login: "another", Name: "督导"}, "h", nil)
	submitter := audit.Actor{UserID: u1.ID, Login: u1.Login}
	x, _ = st.MoveRectification(ctx, submitter, x.ID, x.Version, rectification.Submit, "")
	if _, err := st.MoveRectification(ctx, submitter, x.ID, x.Version, rectification.Verify, ""); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("verified by the submitter: %v", err)
	}
	if _, err := st.MoveRectification(ctx, checker, x.ID, x.Version, rectification.Reject, ""); fieldOf(err) != "reason" {
		t.Fatalf("rejected without reason: %v", err)
	}
	x, _ = st.MoveRectification(ctx, checker, x.ID, x.Version, rectification.Reject, "佐证不足")
	x, _ = st.MoveRectification(ctx, submitter, x.ID, x.Version, rectification.Submit, "")
	clock.Advance(5 * 24 * time.Hour)
	x, err = st.MoveRectification(ctx, audit.Actor{UserID: u2.ID, Login: u2.Login}, x.ID, x.Version, rectification.Verify, "")
	if err != nil || x.Status != rectification.Closed || x.ClosedOn != clock.Now().Format(rectification.Date) || x.Finding.Status != finding.Closed {
		t.Fatalf("verify: %+v %v", x, err)
	}
	stats, _ := st.UnitStats(ctx, city.ID, c.ID)
	if stats.Closed != 1 || stats.ClosedOnTime != 1 || *stats.OnTimeRate != 100 || *stats.AvgDaysToClose != 5 {
		t.Fatalf("stats after closing: %+v", stats)
	}
	x, err = st.MoveRectification(ctx, checker, x.ID, x.Version, rectification.Reopen, "群众反映问题反弹")
	if err != nil || x.Round != 2 || x.Finding.Status != finding.Open || x.ClosedOn != "" {
		t.Fatalf("reopen: %+v %v", x, err)
	}
	events, _ := st.Timeline(ctx, x.ID)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	want := "created plan start update extension_request extension_approve submit reject submit verify reopen"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("timeline: %s", strings.Join(kinds, " "))
	}
	if len(events[3].Files) != 1 || events[3].Files[0].Name != "a.pdf" {
		t.Fatalf("evidence: %+v", events[3])
	}
}

func TestUrges(t *testing.T) {
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "市委")
	c, _ := st.CreateCycle(ctx, audit.System, city.ID, cycle.Draft{Year: 2020, Title: "2020"})
	f, _ := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: city.ID, CycleID: c.ID, Source: finding.Supervision, Text: "问题"})
	xs, _ := st.FindingRectifications(ctx, f.ID)
	in3 := clock.Now().AddDate(0, 0, 3).Format(rectification.Date)
	id, err := st.IssueUrge(ctx, checker, xs[0].ID, rectification.Urge{Level: rectification.Blue, Text: "临近期限，请加快进度", ReplyBy: in3})
	if err != nil {
		t.Fatal(err)
	}
	yellow, err := st.EscalateUrge(ctx, checker, id, "未按期回复，升级督办", in3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.EscalateUrge(ctx, checker, id, "again", in3); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("escalated twice: %v", err)
	}
	if err := st.ReplyUrge(ctx, leaderA, yellow, "已制定措施，本周完成"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EscalateUrge(ctx, checker, yellow, "x", in3); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("escalated an answered notice: %v", err)
	}
	us, _ := st.Urges(ctx, xs[0].ID)
	if len(us) != 2 || us[0].Level != rectification.YellowUrge || !us[0].Answered() || us[1].EscalatedTo != yellow {
		t.Fatalf("urges: %+v", us)
	}
}

// The counters agree with the items they count, through every kind of
// change, a unit move included: a GROUP BY over the items is the reference.
func TestRollupsMatchItems(t *testing.T) {
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	root := mustUnit(t, st, 0, "市委")
	a := mustUnit(t, st, root.ID, "甲区")
	a1 := mustUnit(t, st, a.ID, "甲区一镇")
	b := mustUnit(t, st, root.ID, "乙区")
	empty := mustUnit(t, st, root.ID, "丙区")
	c, _ := st.CreateCycle(ctx, audit.System, root.ID, cycle.Draft{Year: 2020, Title: "2020"})
	var items []rectification.Rectification
	for i, u := range []unit.Unit{a, a1, a1, b, b, b} {
		src := []finding.Source{finding.Supervision, finding.SelfExamination}[i%2]
		f, err := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: u.ID, CycleID: c.ID, Source: src, Area: []string{"政治建设", "作风建设", ""}[i%3], Text: "问题"})
		if err != nil {
			t.Fatal(err)
		}
		xs, _ := st.FindingRectifications(ctx, f.ID)
		x := xs[0]
		if i > 0 {
			x, _ = st.SavePlan(ctx, leaderA, x.ID, x.Version, plan(clock.Now().AddDate(0, 0, 2*i).Format(rectification.Date)))
			x, _ = st.MoveRectification(ctx, leaderA, x.ID, x.Version, rectification.Start, "")
		}
		items = append(items, x)
	}
	// Close two, one of them late; leave the rest to run overdue.
	x, _ := st.MoveRectification(ctx, leaderA, items[1].ID, items[1].Version, rectification.Submit, "")
	st.MoveRectification(ctx, checker, x.ID, x.Version, rectification.Verify, "")
	clock.Advance(7 * 24 * time.Hour)
	x, _ = st.MoveRectification(ctx, leaderA, items[3].ID, items[3].Version, rectification.Submit, "")
	st.MoveRectification(ctx, checker, x.ID, x.Version, rectification.Verify, "")

	check := func(when string) {
		t.Helper()
		for _, u := range []unit.Unit{root, a, a1, b, empty} {
			u, _ = st.Unit(ctx, u.ID)
			got, err := st.UnitStats(ctx, u.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := reference(t, st, u.Path, c.ID, clock.Now())
			if got.Total != want.Total || got.Planning != want.Planning || got.InProgress != want.InProgress || got.Closed != want.Closed ||
				got.ClosedOnTime != want.ClosedOnTime || got.Overdue != want.Overdue || got.DueSoon != want.DueSoon || !sameRate(got.OnTimeRate, want.OnTimeRate) {
				t.Fatalf("%s, %s: counters %+v, items %+v", when, u.Name, got, want)
			}
			tallies, err := st.FindingTallies(ctx, u.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			scanned, _ := st.FindingTalliesByScan(ctx, u.Path, c.ID)
			if fmt.Sprint(tallies) != fmt.Sprint(scanned) {
				t.Fatalf("%s, %s: findings counters %v, findings %v", when, u.Name, tallies, scanned)
			}
			// The drill-down's figures of each child are the child's own.
			kids, err := st.ChildStats(ctx, u.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range kids {
				own, _ := st.UnitStats(ctx, k.Unit.ID, c.ID)
				if k.Stats.Total != own.Total || k.Stats.Closed != own.Closed || k.Stats.Overdue != own.Overdue ||
					k.Stats.DueSoon != own.DueSoon || !sameRate(k.Stats.OnTimeRate, own.OnTimeRate) {
					t.Fatalf("%s, child %s: %+v, its own figures %+v", when, k.Unit.Name, k.Stats, own)
				}
				sum := 0
				for _, n := range k.Overdue {
					sum += n
				}
				if sum != own.Overdue {
					t.Fatalf("%s, child %s: overdue by bucket %v, overdue %d", when, k.Unit.Name, k.Overdue, own.Overdue)
				}
			}
		}
	}
	// Moving a finding to another area moves its count.
	rec, _ := st.FindingRecord(ctx, items[0].Finding.ID)
	rec.Area = "干部队伍建设"
	if _, err := st.UpdateFinding(ctx, audit.System, rec.ID, rec.Version, rec.Finding); err != nil {
		t.Fatal(err)
	}
	check("after the changes")
	if s, _ := st.UnitStats(ctx, empty.ID, c.ID); s.Total != 0 || s.OnTimeRate != nil {
		t.Fatalf("a unit without items: %+v", s)
	}
	if s, _ := st.UnitStats(ctx, root.ID, c.ID); s.Overdue == 0 || s.ClosedOnTime != 1 {
		t.Fatalf("the root: %+v", s)
	}
	a1now, _ := st.Unit(ctx, a1.ID)
	if _, err := st.MoveUnit(ctx, audit.System, a1.ID, a1now.Version, b.ID); err != nil {
		t.Fatal(err)
	}
	check("after moving a town from 甲 to 乙")
}

// reference computes a subtree's figures from its items, as a GROUP BY
// would: the test's independent account.
func reference(t *testing.T, st *store.Store, path string, cycleID int64, today time.Time) rectification.Stats {
	t.Helper()
	xs, _, err := st.Ledger(context.Background(), store.LedgerFilter{Scopes: []string{"/"}, CycleID: cycleID, UnitPath: path, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var s rectification.Stats
	for _, x := range xs {
		s.Total++
		switch x.Status {
		case rectification.Planning:
			s.Planning++
		case rectification.InProgress:
			s.InProgress++
		case rectification.AwaitingVerification:
			s.Awaiting++
		case rectification.Closed:
			s.Closed++
			if x.ClosedOn <= x.Deadline {
				s.ClosedOnTime++
			}
		}
		switch rectification.WarningOf(x.Status, x.Deadline, today, rectification.DefaultWarningDays) {
		case rectification.Red:
			s.Overdue++
		case rectification.Yellow:
			s.DueSoon++
		}
	}
	s.Finish()
	return s
}

func sameRate(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func TestLedgerPages(t *testing.T) {
	st, clock := storetest.NewWithClock(t)
	ctx := context.Background()
	root := mustUnit(t, st, 0, "市委")
	a := mustUnit(t, st, root.ID, "甲区")
	b := mustUnit(t, st, root.ID, "乙区")
	c, _ := st.CreateCycle(ctx, audit.System, root.ID, cycle.Draft{Year: 2020, Title: "2020"})
	for i := range 25 {
		u := a
		if i%5 == 0 {
			u = b
		}
		f, _ := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: u.ID, CycleID: c.ID, Source: finding.Supervision, Text: "问题" + string(rune('A'+i))})
		xs, _ := st.FindingRectifications(ctx, f.ID)
		if i%2 == 0 {
			st.SavePlan(ctx, leaderA, xs[0].ID, xs[0].Version, plan(clock.Now().AddDate(0, 0, i%4).Format(rectification.Date)))
		}
	}
	f := store.LedgerFilter{Scopes: []string{root.Path}, CycleID: c.ID, UnitPath: a.Path, Limit: 7}
	seen := map[int64]bool{}
	last := ""
	for page := 0; ; page++ {
		xs, next, err := st.Ledger(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range xs {
			if seen[x.ID] || x.UnitID != a.ID {
				t.Fatalf("page %d: %+v repeated or outside the filter", page, x)
			}
			seen[x.ID] = true
			key := x.Deadline
			if key == "" {
				key = "9999"
			}
			if key < last {
				t.Fatalf("out of order: %s after %s", key, last)
			}
			last = key
		}
		if next == "" {
			break
		}
		f.After = next
	}
	n, _ := st.LedgerCount(ctx, store.LedgerFilter{Scopes: []string{root.Path}, CycleID: c.ID, UnitPath: a.Path})
	if len(seen) != 20 || n != 20 {
		t.Fatalf("%d items paged, %d counted, want 20", len(seen), n)
	}
	for _, bad := range []store.LedgerFilter{{Status: "lost"}, {Warning: "purple"}, {Sort: "random"}, {After: "garbage"}} {
		bad.Scopes = []string{root.Path}
		if _, _, err := st.Ledger(ctx, bad); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("filter %+v: %v", bad, err)
		}
	}
	if xs, _, _ := st.Ledger(ctx, store.LedgerFilter{Scopes: []string{b.Path}, CycleID: c.ID}); len(xs) != 5 {
		t.Fatalf("a reader of 乙区 sees %d items", len(xs))
	}
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Field
	}
	return ""
}
