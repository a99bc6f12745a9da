package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/comment"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/report"
	"zeren/internal/store"
)

// demoGroups are the 2020 appraisal's rater groups: how many attendees of
// each voted with a one-time code, and their weight.
var demoGroups = []struct {
	name   string
	weight int
	codes  int
}{
	{"市级领导", 40, 11},
	{"县（市、区）和部门主要负责同志", 35, 18},
	{"党代表、人大代表、政协委员和基层代表", 25, 16},
}

// loadAppraisal gives the 2020 cycle a closed appraisal: ballots from three
// rater groups, drawn around a merit per unit so that the results differ;
// the county heads' codes are tied to their own units, whose reports they
// are not offered. The participant account voted too.
func loadAppraisal(ctx context.Context, st *store.Store, ids map[string]int64, c cycle.Cycle) error {
	setup := appraisal.Default()
	for _, g := range demoGroups {
		setup.Groups = append(setup.Groups, appraisal.RaterGroup{Name: g.name, Weight: g.weight})
	}
	a, err := st.CreateAppraisal(ctx, actor, c.ID, setup)
	if err != nil {
		return fmt.Errorf("demo appraisal: %w", err)
	}
	if _, err := st.AddVoters(ctx, actor, a.ID, a.Groups[0].ID, []string{"participant"}, "", ""); err != nil {
		return err
	}
	var codes []appraisal.Code
	for i, g := range demoGroups {
		if i == 1 {
			// Each county head's code excludes their own county's report.
			for j := range g.codes {
				made, err := st.CreateCodes(ctx, actor, a.ID, a.Groups[i].ID, ids[reporting[j%12].name], 1)
				if err != nil {
					return err
				}
				codes = append(codes, made...)
			}
			continue
		}
		made, err := st.CreateCodes(ctx, actor, a.ID, a.Groups[i].ID, 0, g.codes)
		if err != nil {
			return err
		}
		codes = append(codes, made...)
	}
	if a, err = st.MoveAppraisal(ctx, actor, a.ID, a.Version, appraisal.Open); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2020, 12))
	vote := func(v store.BallotVoter, by audit.Actor) error {
		offered, err := st.Offered(ctx, v.Appraisal, v.OwnUnits)
		if err != nil {
			return err
		}
		var bs []appraisal.Ballot
		for _, r := range offered {
			bs = append(bs, appraisal.Ballot{ReportID: r.ID, Grade: demoGrade(rng, merit(r.UnitName)), Comment: demoComment(rng, r.UnitName)})
		}
		_, err = st.Vote(ctx, by, v, "", bs)
		return err
	}
	for _, k := range codes {
		v, err := st.CodeVoter(ctx, k.Code)
		if err != nil {
			return err
		}
		if err := vote(v, appraisal.CodeActor); err != nil {
			return fmt.Errorf("demo vote: %w", err)
		}
	}
	u, _, err := st.UserByLogin(ctx, "participant")
	if err != nil {
		return err
	}
	v, err := st.UserVoter(ctx, a.ID, u.ID)
	if err != nil {
		return err
	}
	if err := vote(v, audit.Actor{UserID: u.ID, Login: u.Login}); err != nil {
		return err
	}
	_, err = st.MoveAppraisal(ctx, actor, a.ID, a.Version, appraisal.Closed)
	return err
}

// merit is a unit's standing in the demo, from 0 (poor) to 1 (good).
func merit(unit string) float64 {
	switch unit {
	case "中共涪城区委", "中共江油市委", "绵阳高新区党工委", "市教育和体育局党组":
		return 0.85
	case "中共盐亭县委", "仙海区党工委":
		return 0.35
	case "中共平武县委":
		return 0.5
	}
	return 0.65
}

// demoGrade draws a grade: good with about the unit's merit, then fairly
// good, average, poor; one in twenty do not know.
func demoGrade(rng *rand.Rand, m float64) int {
	x := rng.Float64()
	switch {
	case x < 0.05:
		return appraisal.DontKnow
	case x < 0.05+0.95*m*m:
		return 1
	case x < 0.05+0.95*m:
		return 2
	case x < 0.97:
		return 3
	}
	return 4
}

var ballotComments = []string{
	"建议进一步压实基层党组织书记责任，加强对村（社区）党组织的指导。",
	"整改措施要具体，避免“一般化”表态。",
	"亮点突出，经验值得推广。",
	"希望在减轻基层负担方面多下功夫。",
	"报告对问题的剖析还可以更深入一些。",
}

func demoComment(rng *rand.Rand, unit string) string {
	if rng.IntN(12) != 0 {
		return ""
	}
	return ballotComments[rng.IntN(len(ballotComments))]
}

// demoProblems are the problems the chair points out, by area (the 2020
// cycle keeps the seed areas, in their order).
var demoProblems = []struct {
	area     int
	severity finding.Severity
	text     string
}{
	{2, finding.Major, "部分村（社区）党组织软弱涣散问题整顿不彻底，“三会一课”制度落实不严格"},
	{0, finding.Minor, "落实“第一议题”制度有时流于形式，学习研讨与推动工作结合不够紧密"},
	{1, finding.Major, "年轻干部储备不足，乡镇领导班子结构有待优化"},
	{3, finding.Serious, "形式主义、官僚主义问题仍有反弹，基层反映的“文山会海”问题尚未根本解决"},
	{4, finding.Minor, "意识形态工作责任制落实不够到位，网络舆情应对处置能力有待提升"},
	{5, finding.Major, "党建引领产业发展的路径不多，重点项目推进缓慢"},
	{3, finding.Major, "巡察反馈问题整改不到位，个别问题整改“虚化”“空转”"},
}

// loadComments records the chair's comment on each handed-in 2020 report in
// agenda order: published on most, the last few still drafts.
func loadComments(ctx context.Context, st *store.Store, c cycle.Cycle) error {
	areas, err := st.Areas(ctx, c.ID)
	if err != nil {
		return err
	}
	reports, err := st.CycleReports(ctx, c.ID, []string{"/"})
	if err != nil {
		return err
	}
	n := 0
	for _, r := range reports {
		if !r.Status.Done() {
			continue
		}
		k := comment.Comment{ReportID: r.ID,
			Affirmations: fmt.Sprintf("%s认真履行全面从严治党主体责任，党委（党组）书记第一责任人职责落实有力，各项工作取得明显成效。", r.UnitName),
			Requirements: "对点评指出的问题，要对号入座、认领销号，1个月内报送整改方案，立行立改与建章立制相结合，整改情况纳入年度考核。",
			Direction:    "坚持以党的政治建设为统领，持续推动全面从严治党向纵深发展，以高质量党建引领高质量发展。"}
		for j := range 1 + n%3 {
			p := demoProblems[(n+j*3)%len(demoProblems)]
			k.Problems = append(k.Problems, comment.Problem{Area: areas[p.area].Name, Severity: p.severity, Text: p.text})
		}
		saved, err := st.SaveComment(ctx, actor, k)
		if err != nil {
			return fmt.Errorf("demo comment: %w", err)
		}
		if n < 12 {
			if _, err := st.PublishComment(ctx, actor, r.ID, saved.Version); err != nil {
				return err
			}
		}
		n++
	}
	return nil
}

// loadTownships adds Fucheng district's own 2020 review of its townships,
// under review with its appraisal set up but not yet open: in the demo one
// can make code slips, open voting and vote with them.
func loadTownships(ctx context.Context, st *store.Store, ids map[string]int64) error {
	c, err := st.CreateCycle(ctx, actor, ids["中共涪城区委"], cycle.Draft{Year: 2020, Title: "2020年度涪城区乡镇（街道）党（工）委书记抓基层党建述职评议"})
	if err != nil {
		return err
	}
	var parts []cycle.Participant
	for i, name := range []string{"城厢街道党工委", "工区街道党工委", "吴家镇党委"} {
		parts = append(parts, cycle.Participant{UnitID: ids[name], Mode: cycle.OnTheSpot, Position: i})
	}
	if err := st.SetParticipants(ctx, actor, c.ID, c.Version, parts); err != nil {
		return err
	}
	if c, err = advance(ctx, st, c.ID, cycle.Reporting); err != nil {
		return err
	}
	reports, err := st.CycleReports(ctx, c.ID, []string{"/"})
	if err != nil {
		return err
	}
	for i, r := range reports {
		full, err := st.Report(ctx, r.ID)
		if err != nil {
			return err
		}
		if full, err = st.SaveReport(ctx, actor, r.ID, r.Version, reportText(full, 2020, 20+i)); err != nil {
			return err
		}
		if _, err = st.MoveReport(ctx, actor, r.ID, full.Version, report.Submit, ""); err != nil {
			return err
		}
	}
	if c, err = advance(ctx, st, c.ID, cycle.Reviewing); err != nil {
		return err
	}
	setup := appraisal.Default()
	setup.Groups = []appraisal.RaterGroup{{Name: "区级领导和代表", Weight: 100}}
	a, err := st.CreateAppraisal(ctx, actor, c.ID, setup)
	if err != nil {
		return err
	}
	_, err = st.AddVoters(ctx, actor, a.ID, a.Groups[0].ID, []string{"participant", "supervisor"}, "", "")
	return err
}

// loadRectifications puts the items of the 2020 findings (and those still
// open from 2019) into every state: planning, on track, due soon, overdue
// with urge notices (one escalated, one answered), awaiting verification,
// closed, extended, and reopened.
func loadRectifications(ctx context.Context, st *store.Store, c19, c20 cycle.Cycle) error {
	sup, _, err := st.UserByLogin(ctx, "supervisor")
	if err != nil {
		return err
	}
	org, _, err := st.UserByLogin(ctx, "organizer")
	if err != nil {
		return err
	}
	checker := audit.Actor{UserID: sup.ID, Login: sup.Login}
	organizer := audit.Actor{UserID: org.ID, Login: org.Login}
	var items []rectification.Rectification
	for _, c := range []cycle.Cycle{c19, c20} {
		xs, _, err := st.Ledger(ctx, store.LedgerFilter{Scopes: []string{"/"}, CycleID: c.ID, Status: rectification.Planning, Limit: 500})
		if err != nil {
			return err
		}
		items = append(items, xs...)
	}
	day := func(n int) string { return st.Now().AddDate(0, 0, n).Format(rectification.Date) }
	plans := []string{"召开专题会议研究部署，制定整改清单，逐项明确责任人和时限。", "建立健全长效机制，出台相关制度文件并抓好落实。",
		"开展专项整治行动，对照问题清单逐一销号。", "加强督促检查，定期通报整改进展。"}
	// The demo's leader works for Fucheng: its items show the states that
	// need the unit's hand (overdue and urged, on track, extended).
	fucheng := []int{3, 1, 6, 4}
	for i, x := range items {
		step := i % 8
		if x.UnitName == "中共涪城区委" && len(fucheng) > 0 {
			step, fucheng = fucheng[0], fucheng[1:]
		}
		if step == 0 {
			continue // still planning
		}
		deadline := map[int]int{1: 60, 2: 4, 3: 20, 4: 30, 5: 25, 6: 10, 7: 15}[step]
		p := rectification.Plan{Measures: plans[i%len(plans)], Owner: "办公室主任", ResponsibleLeader: "分管副书记", Deadline: day(deadline),
			Kind: []rectification.Kind{rectification.Immediate, rectification.LongTerm}[i%2]}
		if x, err = st.SavePlan(ctx, actor, x.ID, x.Version, p); err != nil {
			return fmt.Errorf("demo plan: %w", err)
		}
		if x, err = st.MoveRectification(ctx, actor, x.ID, x.Version, rectification.Start, ""); err != nil {
			return err
		}
		if err := st.AddUpdate(ctx, actor, x.ID, "已召开专题会议，印发整改方案，正在逐项推进。", nil, 0); err != nil {
			return err
		}
		switch step {
		case 3: // overdue, urged, escalated and not yet answered
			if err := st.AgeForDemo(ctx, actor, x.ID, day(-12)); err != nil {
				return err
			}
			u, err := st.IssueUrge(ctx, checker, x.ID, rectification.Urge{Level: rectification.Blue, Text: "整改时限临近，请加快推进并报送进展。", ReplyBy: day(0)})
			if err != nil {
				return err
			}
			if _, err := st.EscalateUrge(ctx, checker, u, "未按期回复且已逾期，请于3日内报送整改情况。", day(3)); err != nil {
				return err
			}
		case 4, 5, 7:
			if x, err = st.MoveRectification(ctx, actor, x.ID, x.Version, rectification.Submit, ""); err != nil {
				return err
			}
			if step == 4 {
				continue
			}
			if x, err = st.MoveRectification(ctx, checker, x.ID, x.Version, rectification.Verify, ""); err != nil {
				return err
			}
			if step == 7 {
				if _, err = st.MoveRectification(ctx, checker, x.ID, x.Version, rectification.Reopen, "回访发现问题有反弹，需巩固整改成效。"); err != nil {
					return err
				}
				if err := st.AgeForDemo(ctx, actor, x.ID, day(-3)); err != nil {
					return err
				}
				u, err := st.IssueUrge(ctx, checker, x.ID, rectification.Urge{Level: rectification.RedUrge, Text: "问题反弹且已逾期，请立即整改。", ReplyBy: day(2)})
				if err != nil {
					return err
				}
				if err := st.ReplyUrge(ctx, actor, u, "已成立专班，正在逐村复查，一周内报送结果。"); err != nil {
					return err
				}
			}
		case 6: // extended
			if err := st.RequestExtension(ctx, actor, x.ID, day(40), "涉及项目审批，需延长整改期限。"); err != nil {
				return err
			}
			exts, _ := st.Extensions(ctx, x.ID)
			if err := st.DecideExtension(ctx, organizer, exts[0].ID, true); err != nil {
				return err
			}
		}
	}
	return nil
}
