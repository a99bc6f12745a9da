package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/comment"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// reviewing makes a cycle of city under review with n handed-in reports,
// returning the cycle and its participating units in agenda order.
func reviewing(t testing.TB, st *store.Store, city unit.Unit, year, n int) (cycle.Cycle, []unit.Unit) {
	t.Helper()
	ctx := context.Background()
	by := audit.System
	c, err := st.CreateCycle(ctx, by, city.ID, cycle.Draft{Year: year, Title: fmt.Sprint(year)})
	if err != nil {
		t.Fatal(err)
	}
	var units []unit.Unit
	var ps []cycle.Participant
	for i := range n {
		u := mustUnit(t, st, city.ID, fmt.Sprintf("单位%d-%d", year, i))
		units = append(units, u)
		ps = append(ps, cycle.Participant{UnitID: u.ID, Mode: cycle.OnTheSpot, Position: i})
	}
	if err := st.SetParticipants(ctx, by, c.ID, c.Version, ps); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	if c, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	reports, _ := st.CycleReports(ctx, c.ID, []string{city.Path})
	for _, r := range reports {
		if _, err := st.MoveReport(ctx, by, r.ID, r.Version, report.Submit, ""); err != nil {
			t.Fatal(err)
		}
	}
	c, _ = st.Cycle(ctx, c.ID)
	if c, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Reviewing); err != nil {
		t.Fatal(err)
	}
	return c, units
}

func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	if e, ok := apperr.As(err); !ok || e.Key != key {
		t.Fatalf("got %v, want %s", err, key)
	}
}

func TestAppraisal(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	by := audit.Actor{Login: "test"}
	city := mustUnit(t, st, 0, "中共绵阳市委")
	c, units := reviewing(t, st, city, 2020, 3)
	other, _ := reviewing(t, st, city, 2021, 1)
	otherReports, _ := st.CycleReports(ctx, other.ID, []string{city.Path})
	reports, _ := st.CycleReports(ctx, c.ID, []string{city.Path})

	setup := appraisal.Default()
	setup.MinBallots = 2
	setup.Groups = []appraisal.RaterGroup{{Name: "市领导", Weight: 60}, {Name: "基层代表", Weight: 30}}
	if _, err := st.CreateAppraisal(ctx, by, c.ID, setup); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("weights summing to 90: %v", err)
	}
	setup.Groups[1].Weight = 40
	a, err := st.CreateAppraisal(ctx, by, c.ID, setup)
	if err != nil || len(a.Groups) != 2 || a.Status != appraisal.Setup {
		t.Fatalf("create: %+v %v", a, err)
	}
	if _, err := st.CreateAppraisal(ctx, by, c.ID, setup); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("second appraisal: %v", err)
	}
	leaders, grassroots := a.Groups[0].ID, a.Groups[1].ID
	_, err = st.MoveAppraisal(ctx, by, a.ID, a.Version, appraisal.Open)
	wantKey(t, err, "err.open_needs_voters")

	// A user of the first unit votes in the leaders' group; codes for the rest.
	u, _ := st.CreateUser(ctx, by, user.Draft{Login: "voter", Name: "投票人"}, "h", []auth.Grant{{Role: auth.UnitLeader, UnitID: units[0].ID}})
	if n, err := st.AddVoters(ctx, by, a.ID, leaders, []string{"voter"}, "", ""); err != nil || n != 1 {
		t.Fatalf("add voter: %d %v", n, err)
	}
	if _, err := st.AddVoters(ctx, by, a.ID, leaders, []string{"nobody"}, "", ""); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("unknown login: %v", err)
	}
	codes, err := st.CreateCodes(ctx, by, a.ID, grassroots, 0, 4)
	if err != nil || len(codes) != 4 {
		t.Fatal(err)
	}
	own, _ := st.CreateCodes(ctx, by, a.ID, grassroots, units[1].ID, 1)
	if _, err := st.CreateCodes(ctx, by, a.ID, 999999, 0, 1); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("codes for an unknown group: %v", err)
	}

	all := func(grade int, except ...int64) []appraisal.Ballot {
		var bs []appraisal.Ballot
		for _, r := range reports {
			skip := false
			for _, e := range except {
				skip = skip || r.UnitID == e
			}
			if !skip {
				bs = append(bs, appraisal.Ballot{ReportID: r.ID, Grade: grade})
			}
		}
		return bs
	}
	v, _ := st.CodeVoter(ctx, codes[0].Code)
	_, err = st.Vote(ctx, by, v, "s0", all(1))
	wantKey(t, err, "err.voting_not_open")

	a, _ = st.Appraisal(ctx, a.ID)
	if _, err := st.UpdateAppraisal(ctx, by, a.ID, a.Version, a); err != nil {
		t.Fatalf("update in setup: %v", err)
	}
	a, _ = st.Appraisal(ctx, a.ID)
	if a, err = st.MoveAppraisal(ctx, by, a.ID, a.Version, appraisal.Open); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateAppraisal(ctx, by, a.ID, a.Version, a); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("setup changed while open: %v", err)
	}

	// Bad codes and bad ballots are refused and record nothing.
	for _, bad := range []string{"", "x", "ABCD-EFGH-JKLM"} {
		if _, err := st.CodeVoter(ctx, bad); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("code %q: %v", bad, err)
		}
	}
	v, _ = st.CodeVoter(ctx, codes[0].Code)
	_, err = st.Vote(ctx, by, v, "s0", all(5))
	wantKey(t, err, "err.grade_outside_scale")
	_, err = st.Vote(ctx, by, v, "s0", append(all(1), appraisal.Ballot{ReportID: otherReports[0].ID, Grade: 1}))
	wantKey(t, err, "err.report_not_offered")
	ov, _ := st.CodeVoter(ctx, own[0].Code)
	_, err = st.Vote(ctx, by, ov, "s9", all(1))
	wantKey(t, err, "err.report_not_offered")
	if got, _ := st.Turnout(ctx, a); got[1].Voted != 0 || got[1].Eligible != 5 {
		t.Fatalf("turnout after refusals: %+v", got)
	}

	// A vote, its retry, and a second vote with the same code.
	if ok, err := st.Vote(ctx, by, v, "s0", all(1)); err != nil || !ok {
		t.Fatalf("vote: %v %v", ok, err)
	}
	if ok, err := st.Vote(ctx, by, v, "s0", all(4)); err != nil || ok {
		t.Fatalf("retry: %v %v", ok, err)
	}
	_, err = st.Vote(ctx, by, v, "s1", all(4))
	wantKey(t, err, "err.code_spent")
	if v, _ = st.CodeVoter(ctx, codes[0].Code); !v.Voted {
		t.Fatal("a spent code is not marked")
	}

	// Own unit's report: offered to nobody of that unit.
	uv, err := st.UserVoter(ctx, a.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	offered, _ := st.Offered(ctx, uv.Appraisal, uv.OwnUnits)
	if len(offered) != 2 || offered[0].UnitID == units[0].ID {
		t.Fatalf("offered to the voter: %+v", offered)
	}
	_, err = st.Vote(ctx, by, uv, "u", all(2))
	wantKey(t, err, "err.report_not_offered")
	commented := all(2, units[0].ID)
	commented[0].Comment = "投票意见：整改要实"
	if _, err := st.Vote(ctx, by, uv, "u", commented); err != nil {
		t.Fatal(err)
	}
	_, err = st.Vote(ctx, by, uv, "u2", all(2, units[0].ID))
	wantKey(t, err, "err.already_voted")
	if _, err := st.UserVoter(ctx, a.ID, 999999); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a user not invited: %v", err)
	}

	// Concurrent voters, and one code sent twice at once: each counted once.
	var wg sync.WaitGroup
	results := make([]error, 6)
	for i, code := range []string{codes[1].Code, codes[2].Code, codes[3].Code, codes[3].Code, own[0].Code, codes[1].Code} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := st.CodeVoter(ctx, code)
			if err == nil {
				_, err = st.Vote(ctx, by, v, fmt.Sprint("t", i), all(3, v.OwnUnits...))
			}
			results[i] = err
		}()
	}
	wg.Wait()
	var ok, spent int
	for _, err := range results {
		switch {
		case err == nil:
			ok++
		case strings.Contains(err.Error(), "err.code_spent"):
			spent++
		default:
			t.Fatalf("concurrent vote: %v", err)
		}
	}
	if ok != 4 || spent != 2 {
		t.Fatalf("%d counted, %d spent", ok, spent)
	}
	turnout, _ := st.Turnout(ctx, a)
	if turnout[0].Voted != 1 || turnout[0].Eligible != 1 || turnout[1].Voted != 5 || turnout[1].Eligible != 5 {
		t.Fatalf("turnout: %+v", turnout)
	}
	if _, _, err := st.Results(ctx, a); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("results while open: %v", err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	_, err = st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Rectifying)
	wantKey(t, err, "err.appraisal_still_open")

	a, err = st.MoveAppraisal(ctx, by, a.ID, a.Version, appraisal.Closed)
	if err != nil {
		t.Fatal(err)
	}
	late, _ := st.CodeVoter(ctx, codes[0].Code)
	_, err = st.Vote(ctx, by, late, "late", all(1))
	wantKey(t, err, "err.voting_closed")
	res, rs, err := st.Results(ctx, a)
	if err != nil || len(res) != 3 || rs[0].ID != reports[0].ID {
		t.Fatalf("results: %+v %v", res, err)
	}
	// Report 0 (unit 0): 5 code ballots, 1 good + 4 average from grassroots; the
	// leaders' group (the unit's own voter) gave none, so grassroots alone count.
	r0 := res[0]
	if r0.Ballots != 5 || r0.Counts[1] != 1 || r0.Counts[3] != 4 || *r0.Score != 68 {
		t.Fatalf("report 0: %+v score %v", r0, *r0.Score)
	}
	// Report 1: the own-unit code did not rate it: 4 grassroots + 1 leader.
	r1 := res[1]
	if r1.Ballots != 5 || *r1.Score != 0.6*80+0.4*((100+60*3)/4.0) {
		t.Fatalf("report 1: %+v score %v", r1, *r1.Score)
	}

	// Nothing stored links a voter to a grade: the marks hold no grade, the
	// ballots no voter, and the vote events neither.
	events, _ := st.AuditEvents(ctx, store.AuditFilter{Unscoped: true, Scopes: []string{city.Path}, Action: "appraisal.vote", Limit: 100})
	votes := 0
	for _, e := range events {
		if e.Action != "appraisal.vote" {
			continue
		}
		votes++
		if len(e.Before) > 0 && string(e.Before) != "null" || len(e.After) > 0 && string(e.After) != "null" {
			t.Fatalf("a vote event carries content: %s %s", e.Before, e.After)
		}
	}
	if votes != 6 {
		t.Fatalf("vote events: %d", votes)
	}
	anonymity(t, st, u.ID)
}

// anonymity searches the whole database: the only rows holding a ballot's
// comment are ballots, which hold nothing of a voter, and the voter marks
// hold nothing of a grade.
func anonymity(t *testing.T, st *store.Store, userID int64) {
	rows, err := st.DumpForTest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	voter := appraisal.VoterKey(userID, "")
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Table] = true
		joined := strings.Join(r.Values, "\x00")
		switch r.Table {
		case "ballots":
			if strings.Join(r.Columns, ",") != "id,appraisal_id,report_id,group_id,grade,area_grades,comment" {
				t.Fatalf("ballot columns: %v", r.Columns)
			}
		case "voter_marks":
			if strings.Join(r.Columns, ",") != "appraisal_id,voter,group_id,submission" {
				t.Fatalf("voter mark columns: %v", r.Columns)
			}
		}
		if strings.Contains(joined, "投票意见") && r.Table != "ballots" {
			t.Fatalf("a ballot comment in %s: %v", r.Table, r.Values)
		}
		if strings.Contains(joined, voter) && r.Table != "voter_marks" {
			t.Fatalf("the voter in %s: %v", r.Table, r.Values)
		}
	}
	if !seen["ballots"] || !seen["voter_marks"] {
		t.Fatalf("tables: %v", seen)
	}
}

func TestComment(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	by := audit.Actor{Login: "test"}
	city := mustUnit(t, st, 0, "中共绵阳市委")
	c, units := reviewing(t, st, city, 2020, 1)
	reports, _ := st.CycleReports(ctx, c.ID, []string{city.Path})
	rid := reports[0].ID
	areas, _ := st.Areas(ctx, c.ID)

	draft := comment.Comment{ReportID: rid, Affirmations: "全面从严治党主体责任落实有力",
		Problems: []comment.Problem{
			{Area: areas[2].Name, Severity: finding.Major, Text: "基层党组织建设存在薄弱环节"},
			{Severity: finding.Minor, Text: "意识形态工作责任制落实不够到位"},
		}, Requirements: "限期整改", Direction: "持之以恒"}
	bad := draft
	bad.Problems = []comment.Problem{{Severity: "grave", Text: "x"}}
	if _, err := st.SaveComment(ctx, by, bad); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("unknown severity: %v", err)
	}
	bad.Problems = []comment.Problem{{Area: "不存在的领域", Severity: finding.Minor, Text: "x"}}
	if _, err := st.SaveComment(ctx, by, bad); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("unknown area: %v", err)
	}
	saved, err := st.SaveComment(ctx, by, draft)
	if err != nil || saved.Version != 1 || len(saved.Problems) != 2 || saved.Published() {
		t.Fatalf("save: %+v %v", saved, err)
	}
	if _, err := st.SaveComment(ctx, by, draft); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("stale save: %v", err)
	}
	if fs, _ := st.ReportFindings(ctx, rid); len(fs) != 0 {
		t.Fatalf("findings before publishing: %+v", fs)
	}
	pub, err := st.PublishComment(ctx, by, rid, saved.Version)
	if err != nil || !pub.Published() || pub.Problems[0].FindingID == 0 {
		t.Fatalf("publish: %+v %v", pub, err)
	}
	fs, _ := st.ReportFindings(ctx, rid)
	if len(fs) != 2 || fs[0].Source != finding.ChairComment || fs[0].UnitID != units[0].ID || fs[0].Severity != finding.Major || fs[0].Area != areas[2].Name {
		t.Fatalf("findings: %+v", fs)
	}
	if _, err := st.PublishComment(ctx, by, rid, pub.Version); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("published twice: %v", err)
	}
	pub.Affirmations = "改写"
	if _, err := st.SaveComment(ctx, by, pub); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("edited after publishing: %v", err)
	}
	states, _ := st.CommentStates(ctx, c.ID)
	if !states[rid] {
		t.Fatalf("states: %v", states)
	}
	c, _ = st.Cycle(ctx, c.ID)
	if _, err := st.AdvanceCycle(ctx, by, c.ID, c.Version, cycle.Rectifying); err != nil {
		t.Fatalf("to rectifying with every comment published: %v", err)
	}
}

func TestReviewEndsWithDraftsPublished(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	c, _ := reviewing(t, st, city, 2020, 1)
	reports, _ := st.CycleReports(ctx, c.ID, []string{city.Path})
	if _, err := st.SaveComment(ctx, audit.System, comment.Comment{ReportID: reports[0].ID, Affirmations: "草稿"}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	_, err := st.AdvanceCycle(ctx, audit.System, c.ID, c.Version, cycle.Rectifying)
	wantKey(t, err, "err.comments_unpublished")
}
