package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

func TestCycleWorkflow(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	by := audit.Actor{Login: "test"}
	city := mustUnit(t, st, 0, "中共绵阳市委")
	fc := mustUnit(t, st, city.ID, "中共涪城区委")
	yx := mustUnit(t, st, city.ID, "中共游仙区委")
	other := mustUnit(t, st, 0, "中共德阳市委")

	c, err := st.CreateCycle(ctx, by, city.ID, cycle.Draft{Year: 2020, Title: "2020年度述职评议"})
	if err != nil || c.Status != cycle.Planning {
		t.Fatalf("create: %+v %v", c, err)
	}
	if _, err := st.CreateCycle(ctx, by, city.ID, cycle.Draft{Year: 2020, Title: "again"}); err == nil {
		t.Fatal("two cycles for one year")
	}
	areas, _ := st.Areas(ctx, c.ID)
	if len(areas) != 6 {
		t.Fatalf("seed areas: %d", len(areas))
	}

	// Advancing with no participants says so and changes nothing.
	_, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reporting)
	if e, ok := apperr.As(err); !ok || e.Key != "err.no_participants" {
		t.Fatalf("advance without participants: %v", err)
	}
	if _, err := st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reviewing); err == nil {
		t.Fatal("skipped a step")
	}
	for _, bad := range [][]cycle.Participant{
		{{UnitID: other.ID, Mode: cycle.Written}},
		{{UnitID: city.ID, Mode: cycle.Written}},
		{{UnitID: fc.ID, Mode: "loud"}},
	} {
		if err := st.SetParticipants(ctx, by, c.ID, c.Version, bad); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("participants %+v: %v", bad, err)
		}
	}
	if err := st.SetParticipants(ctx, by, c.ID, c.Version, []cycle.Participant{
		{UnitID: fc.ID, Mode: cycle.OnTheSpot}, {UnitID: yx.ID, Mode: cycle.Written}}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetParticipants(ctx, by, c.ID, c.Version, nil); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("stale participants: %v", err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	if err := st.SetAreas(ctx, by, c.ID, c.Version, []string{"政治建设", "经济社会发展"}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	c, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reporting)
	if err != nil || c.Status != cycle.Reporting {
		t.Fatalf("to reporting: %+v %v", c, err)
	}
	if err := st.SetAreas(ctx, by, c.ID, c.Version, []string{"x"}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("areas edited while reporting: %v", err)
	}
	reports, _ := st.CycleReports(ctx, c.ID, []string{city.Path})
	if len(reports) != 2 || reports[0].UnitID != fc.ID || reports[0].Status != report.Draft {
		t.Fatalf("reports: %+v", reports)
	}
	if mine, _ := st.CycleReports(ctx, c.ID, []string{yx.Path}); len(mine) != 1 || mine[0].UnitID != yx.ID {
		t.Fatalf("Youxian sees: %+v", mine)
	}

	// Reviewing needs every report: the missing ones are named.
	_, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reviewing)
	if e, ok := apperr.As(err); !ok || e.Key != "err.reports_missing" || !strings.Contains(e.Args[1].(string), "中共涪城区委") {
		t.Fatalf("advance with missing reports: %v", err)
	}

	r, _ := st.Report(ctx, reports[0].ID)
	if len(r.Sections) != 2 {
		t.Fatalf("sections: %+v", r.Sections)
	}
	r, err = st.SaveReport(ctx, by, r.ID, r.Version, []report.Section{{AreaID: r.Sections[0].AreaID, Achievements: "完成了……"}})
	if err != nil || r.Sections[0].Achievements != "完成了……" {
		t.Fatalf("save: %v", err)
	}
	if _, err := st.SaveReport(ctx, by, r.ID, r.Version, []report.Section{{AreaID: 999999}}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("foreign area: %v", err)
	}
	if _, err := st.MoveReport(ctx, by, r.ID, r.Version, report.Accept, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("accepting a draft: %v", err)
	}
	r, err = st.MoveReport(ctx, by, r.ID, r.Version, report.Submit, "")
	if err != nil || r.Status != report.Submitted || r.Submissions != 1 {
		t.Fatalf("submit: %+v %v", r, err)
	}
	if _, err := st.SaveReport(ctx, by, r.ID, r.Version, nil); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("edited a submitted report: %v", err)
	}
	if _, err := st.MoveReport(ctx, by, r.ID, r.Version, report.Return, " "); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("return without a reason: %v", err)
	}
	r, err = st.MoveReport(ctx, by, r.ID, r.Version, report.Return, "问题查摆不深")
	if err != nil || r.Status != report.Returned || r.ReturnReason != "问题查摆不深" {
		t.Fatalf("return: %+v %v", r, err)
	}
	r, _ = st.SaveReport(ctx, by, r.ID, r.Version, []report.Section{{AreaID: r.Sections[0].AreaID, Achievements: "完成了，并深入查摆"}})
	r, _ = st.MoveReport(ctx, by, r.ID, r.Version, report.Submit, "")
	r, err = st.MoveReport(ctx, by, r.ID, r.Version, report.Accept, "")
	if err != nil || r.Status != report.Accepted {
		t.Fatalf("accept: %v", err)
	}
	versions, _ := st.ReportVersions(ctx, r.ID)
	if len(versions) != 2 || versions[0].Sections[0].Achievements != "完成了……" || versions[1].Sections[0].Achievements != "完成了，并深入查摆" {
		t.Fatalf("versions: %+v", versions)
	}

	// Youxian is excused: now the cycle may go to reviewing.
	c, _ = st.Cycle(ctx, c.ID)
	if err := st.ExcuseParticipant(ctx, by, c.ID, c.Version, yx.ID, "班子调整"); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	if c, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reviewing); err != nil || c.Status != cycle.Reviewing {
		t.Fatalf("to reviewing: %v", err)
	}
	visible, _ := st.Cycles(ctx, []string{yx.Path})
	if len(visible) != 1 {
		t.Fatalf("a participant does not see its cycle: %+v", visible)
	}
	if none, _ := st.Cycles(ctx, []string{other.Path}); len(none) != 0 {
		t.Fatalf("an outsider sees the cycle: %+v", none)
	}
	if n, p, err := st.VerifyAudit(ctx); err != nil || p != nil || n < 15 {
		t.Fatalf("audit: %d %v %v", n, p, err)
	}
}

func TestSimilarityOnSubmit(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	by := audit.Actor{Login: "test"}
	city := mustUnit(t, st, 0, "中共绵阳市委")
	var parts []cycle.Participant
	for _, n := range []string{"中共涪城区委", "中共游仙区委", "中共安州区委"} {
		parts = append(parts, cycle.Participant{UnitID: mustUnit(t, st, city.ID, n).ID, Mode: cycle.Written})
	}
	c, _ := st.CreateCycle(ctx, by, city.ID, cycle.Draft{Year: 2020, Title: "2020"})
	if err := st.SetParticipants(ctx, by, c.ID, c.Version, parts); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	c, _ = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reporting)
	reports, _ := st.CycleReports(ctx, c.ID, []string{city.Path})
	texts := []string{
		"坚持把党的政治建设摆在首位，常委会第一议题学习习近平总书记重要讲话精神十二次，严格执行重大事项请示报告制度。",
		"坚持把党的政治建设摆在首位，常委会第一议题学习习近平总书记重要讲话精神十二次，严格执行重大事项请示报告制度。", // copied
		"推行党建加网格治理模式，划分网格三百个，配备专兼职网格员，村级集体经济收入全部达到五万元以上。",
	}
	for i, r := range reports {
		full, _ := st.Report(ctx, r.ID)
		full, _ = st.SaveReport(ctx, by, r.ID, full.Version, []report.Section{{AreaID: full.Sections[0].AreaID, Achievements: texts[i]}})
		if _, err := st.MoveReport(ctx, by, r.ID, full.Version, report.Submit, ""); err != nil {
			t.Fatal(err)
		}
	}
	sims, err := st.Similarities(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	first, second, third := sims[reports[0].ID], sims[reports[1].ID], sims[reports[2].ID]
	if second.Score < 0.95 || second.MatchID != reports[0].ID || second.MatchUnit != "中共涪城区委" {
		t.Fatalf("the copy: %+v", second)
	}
	if first.Score < 0.95 || first.MatchID != reports[1].ID {
		t.Fatalf("the copied report was not flagged back: %+v", first)
	}
	if third.Score > 0.2 {
		t.Fatalf("an original report: %+v", third)
	}
}

func TestCarryOver(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	by := audit.Actor{Login: "test"}
	city := mustUnit(t, st, 0, "中共绵阳市委")
	fc := mustUnit(t, st, city.ID, "中共涪城区委")
	c19, _ := st.CreateCycle(ctx, by, city.ID, cycle.Draft{Year: 2019, Title: "2019"})
	open1, err := st.CreateFinding(ctx, by, finding.Finding{UnitID: fc.ID, CycleID: c19.ID, Source: finding.ChairComment, Text: "基层党组织软弱涣散整顿不彻底"})
	if err != nil {
		t.Fatal(err)
	}
	closed, _ := st.CreateFinding(ctx, by, finding.Finding{UnitID: fc.ID, CycleID: c19.ID, Source: finding.ChairComment, Text: "已整改的问题"})
	closeFinding(t, st, closed.ID)
	if _, err := st.CreateFinding(ctx, by, finding.Finding{UnitID: fc.ID, CycleID: c19.ID, Source: "rumour", Text: "x"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown source: %v", err)
	}
	c20, _ := st.CreateCycle(ctx, by, city.ID, cycle.Draft{Year: 2020, Title: "2020"})
	if _, err := st.CreateFinding(ctx, by, finding.Finding{UnitID: fc.ID, CycleID: c20.ID, Source: finding.Supervision, Text: "同一年度的问题"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetParticipants(ctx, by, c20.ID, c20.Version, []cycle.Participant{{UnitID: fc.ID, Mode: cycle.OnTheSpot}}); err != nil {
		t.Fatal(err)
	}
	c20, _ = st.Cycle(ctx, c20.ID)
	if _, err := st.AdvanceCycle(ctx, by, c20.ID, c20.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	reports, _ := st.CycleReports(ctx, c20.ID, []string{city.Path})
	cs, _ := st.CarryOvers(ctx, reports[0].ID)
	if len(cs) != 1 || cs[0].Finding.ID != open1.ID || cs[0].Finding.CycleYear != 2019 {
		t.Fatalf("carried over: %+v", cs)
	}
	// The open finding's item is carried into 2020: the report links it, the
	// 2020 ledger lists it when asked to, and it stays in 2019's ledger.
	items, _ := st.FindingRectifications(ctx, open1.ID)
	closedItems, _ := st.FindingRectifications(ctx, closed.ID)
	if len(cs[0].Items) != 1 || cs[0].Items[0].ID != items[0].ID || cs[0].Items[0].Status != "planning" {
		t.Fatalf("the carried-over finding's items: %+v", cs[0].Items)
	}
	ledgerIDs := func(cycleID int64, carried bool) []int64 {
		f := store.LedgerFilter{Scopes: []string{city.Path}, CycleID: cycleID, Carried: carried}
		xs, _, err := st.Ledger(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		n, err := st.LedgerCount(ctx, f)
		if err != nil || n != len(xs) {
			t.Fatalf("count %d for %d rows: %v", n, len(xs), err)
		}
		var ids []int64
		for _, x := range xs {
			ids = append(ids, x.ID)
		}
		return ids
	}
	with, without := ledgerIDs(c20.ID, true), ledgerIDs(c20.ID, false)
	if len(without) != 1 || len(with) != 2 || !slices.Contains(with, items[0].ID) || slices.Contains(with, closedItems[0].ID) {
		t.Fatalf("2020 ledger: %v with carried items, %v without", with, without)
	}
	if got := ledgerIDs(c19.ID, false); !slices.Contains(got, items[0].ID) {
		t.Fatalf("the carried item left 2019's ledger: %v", got)
	}
	if x, err := st.Rectification(ctx, items[0].ID); err != nil || !slices.Equal(x.CarriedInto, []int{2020}) {
		t.Fatalf("carried into: %v %v", x.CarriedInto, err)
	}
	if x, _ := st.Rectification(ctx, closedItems[0].ID); len(x.CarriedInto) != 0 {
		t.Fatalf("a closed item was carried over: %v", x.CarriedInto)
	}
	r, _ := st.Report(ctx, reports[0].ID)
	_, err = st.MoveReport(ctx, by, r.ID, r.Version, report.Submit, "")
	if e, ok := apperr.As(err); !ok || e.Key != "err.carryover_unanswered" || !strings.Contains(e.Args[1].(string), "软弱涣散") {
		t.Fatalf("submit without answers: %v", err)
	}
	if _, err := st.SaveReport(ctx, by, r.ID, r.Version, nil, store.Answer{FindingID: open1.ID, Response: "x", Progress: "maybe"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("bad progress: %v", err)
	}
	if _, err := st.SaveReport(ctx, by, r.ID, r.Version, nil, store.Answer{FindingID: closed.ID, Response: "x", Progress: finding.Rectified}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("answer to a finding not carried over: %v", err)
	}
	r, err = st.SaveReport(ctx, by, r.ID, r.Version, nil, store.Answer{FindingID: open1.ID, Response: "已完成12个村党组织整顿", Progress: finding.InProgress})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.MoveReport(ctx, by, r.ID, r.Version, report.Submit, ""); err != nil {
		t.Fatalf("submit with answers: %v", err)
	}
}

func TestCandidateUnits(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	fc := mustUnit(t, st, city.ID, "中共涪城区委")
	if _, err := st.CreateUnit(ctx, audit.System, fc.ID, unit.Draft{Name: "城厢街道党工委", Kind: unit.Grassroots}); err != nil {
		t.Fatal(err)
	}
	other := mustUnit(t, st, 0, "中共德阳市委")
	mustUnit(t, st, other.ID, "中共旌阳区委")
	c, _ := st.CreateCycle(ctx, audit.System, fc.ID, cycle.Draft{Year: 2020, Title: "2020"})
	names := func(subtree string, kind unit.Kind) []string {
		us, err := st.CandidateUnits(ctx, c, subtree, kind)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range us {
			out = append(out, u.Name)
		}
		return out
	}
	// The picked subtree is cut to the cycle's, without the cycle's own unit.
	if got := names(city.Path, ""); len(got) != 1 || got[0] != "城厢街道党工委" {
		t.Fatalf("from the city: %v", got)
	}
	if got := names(city.Path, unit.Committee); len(got) != 0 {
		t.Fatalf("committees: %v", got)
	}
	if got := names(other.Path, ""); len(got) != 0 {
		t.Fatalf("another city's units offered: %v", got)
	}
}
