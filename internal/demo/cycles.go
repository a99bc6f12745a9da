package demo

import (
	"context"
	"fmt"

	"zeren/internal/assessment"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/report"
	"zeren/internal/store"
)

// reporting lists the units that report to the city committee: the
// counties, districts and parks on the spot, in this order; the
// departments in writing.
var reporting = []struct {
	name string
	mode cycle.Mode
}{
	{"中共涪城区委", cycle.OnTheSpot}, {"中共游仙区委", cycle.OnTheSpot}, {"中共安州区委", cycle.OnTheSpot},
	{"中共江油市委", cycle.OnTheSpot}, {"中共三台县委", cycle.OnTheSpot}, {"中共盐亭县委", cycle.OnTheSpot},
	{"中共梓潼县委", cycle.OnTheSpot}, {"中共平武县委", cycle.OnTheSpot}, {"中共北川羌族自治县委", cycle.OnTheSpot},
	{"绵阳高新区党工委", cycle.OnTheSpot}, {"绵阳经开区党工委", cycle.OnTheSpot}, {"科技城新区党工委", cycle.OnTheSpot},
	{"仙海区党工委", cycle.Written}, {"市教育和体育局党组", cycle.Written}, {"市卫生健康委党组", cycle.Written},
	{"市住房城乡建设局党组", cycle.Written}, {"市国资委党委", cycle.Written}, {"市公安局党委", cycle.Written},
}

// loadCycles adds the 2019 cycle, assessed and closed, and the 2020 cycle
// at the review stage, its assessment scheme ready: most reports accepted, some submitted, one returned and handed in
// again, and one unit excused whose draft stays unfinished.
func loadCycles(ctx context.Context, st *store.Store, ids map[string]int64) (c19, c20 cycle.Cycle, err error) {
	if c19, err = loadCycle(ctx, st, ids, 2019, cycle.Assessing); err != nil {
		return c19, c20, err
	}
	if err := loadFindings(ctx, st, ids, c19); err != nil {
		return c19, c20, err
	}
	if err := loadAssessment(ctx, st, ids, c19, true); err != nil {
		return c19, c20, err
	}
	if c19, err = advance(ctx, st, c19.ID, cycle.Closed); err != nil {
		return c19, c20, err
	}
	if c20, err = loadCycle(ctx, st, ids, 2020, cycle.Reviewing); err != nil {
		return c19, c20, err
	}
	return c19, c20, loadAssessment(ctx, st, ids, c20, false)
}

// loadAssessment sets up a cycle's assessment with the default scheme,
// peer groups for counties, parks and departments, and the party-building
// scores entered by hand; computed and published when publish is set,
// else ready to compute once the cycle reaches assessing.
func loadAssessment(ctx context.Context, st *store.Store, ids map[string]int64, c cycle.Cycle, publish bool) error {
	scheme := assessment.DefaultScheme()
	groups := []assessment.PeerGroup{{Name: "县（市、区）"}, {Name: "园区"}, {Name: "市直部门"}}
	for i, r := range reporting {
		g := 0
		switch {
		case i >= 13:
			g = 2
		case i >= 9:
			g = 1
		}
		groups[g].Units = append(groups[g].Units, ids[r.name])
	}
	scheme.PeerGroups = groups
	a, err := st.SaveScheme(ctx, actor, c.ID, 0, scheme)
	if err != nil {
		return fmt.Errorf("demo scheme %d: %w", c.Year, err)
	}
	for i, r := range reporting {
		score := float64(10 + (i*7+c.Year)%6) // 10 to 15 of 15
		if err := st.SetManual(ctx, actor, c.ID, ids[r.name], "party_building", &score); err != nil {
			return fmt.Errorf("demo manual score: %w", err)
		}
	}
	if !publish {
		return nil
	}
	if _, err := st.ComputeAssessment(ctx, actor, c.ID); err != nil {
		return fmt.Errorf("demo compute %d: %w", c.Year, err)
	}
	err = st.AdjustScore(ctx, actor, c.ID, ids["中共江油市委"], assessment.Adjustment{Points: -2,
		Reason: "巡察反馈问题整改“虚化”，经市委常委会研究扣减 2 分"})
	if err != nil {
		return fmt.Errorf("demo adjustment: %w", err)
	}
	if a, err = st.Assessment(ctx, c.ID); err != nil {
		return err
	}
	return st.PublishAssessment(ctx, actor, c.ID, a.Version)
}

// findings2019 are problems the chair pointed out in the 2019 review; the
// closed ones were rectified, the others are carried into 2020.
var findings2019 = []struct {
	unit, area, text string
	closed           bool
}{
	{"中共涪城区委", "基层组织建设", "部分村（社区）党组织书记年龄偏大，后备力量不足", false},
	{"中共涪城区委", "作风建设", "个别部门文山会海问题反弹，基层减负成效不明显", true},
	{"中共游仙区委", "干部队伍建设", "年轻干部选拔培养力度不够，乡镇领导班子结构不优", false},
	{"中共江油市委", "作风建设和党风廉政建设", "巡察反馈问题整改不到位，部分问题整改“虚化”", false},
	{"中共三台县委", "经济社会发展", "招商引资项目落地率低，党建引领产业发展作用不明显", true},
	{"绵阳高新区党工委", "基层组织建设", "非公企业党组织覆盖率偏低，党建工作与生产经营“两张皮”", false},
}

func loadFindings(ctx context.Context, st *store.Store, ids map[string]int64, c cycle.Cycle) error {
	for _, f := range findings2019 {
		made, err := st.CreateFinding(ctx, actor, finding.Finding{UnitID: ids[f.unit], CycleID: c.ID,
			Source: finding.ChairComment, Area: f.area, Text: f.text})
		if err != nil {
			return fmt.Errorf("demo finding: %w", err)
		}
		if f.closed {
			if err := rectify(ctx, st, made.ID, rectification.Verify); err != nil {
				return err
			}
		}
	}
	return nil
}

func loadCycle(ctx context.Context, st *store.Store, ids map[string]int64, year int, until cycle.Status) (cycle.Cycle, error) {
	c, err := st.CreateCycle(ctx, actor, ids["中共绵阳市委"], cycle.Draft{Year: year,
		Title:    fmt.Sprintf("%d年度县（市、区）和园区、市直部门党组织书记抓全面从严治党主体责任述职评议", year),
		Deadline: fmt.Sprintf("%d-01-05", year+1)})
	if err != nil {
		return c, fmt.Errorf("demo cycle %d: %w", year, err)
	}
	var parts []cycle.Participant
	for _, r := range reporting {
		parts = append(parts, cycle.Participant{UnitID: ids[r.name], Mode: r.mode})
	}
	if err := st.SetParticipants(ctx, actor, c.ID, c.Version, parts); err != nil {
		return c, err
	}
	if c, err = advance(ctx, st, c.ID, cycle.Reporting); err != nil {
		return c, err
	}
	reports, err := st.CycleReports(ctx, c.ID, []string{"/"})
	if err != nil {
		return c, err
	}
	excused := ids["市公安局党委"]
	for i, r := range reports {
		full, err := st.Report(ctx, r.ID)
		if err != nil {
			return c, err
		}
		textYear := year
		if year == 2020 && i == 5 {
			textYear = 2019 // one county hands in last year's report again
		}
		if full, err = st.SaveReport(ctx, actor, r.ID, r.Version, reportText(full, textYear, i), answers(ctx, st, r.ID)...); err != nil {
			return c, err
		}
		if i%3 == 0 {
			name := fmt.Sprintf("%d年度党委（党组）会议研究全面从严治党工作纪要.pdf", year)
			if _, err := st.AddAttachment(ctx, actor, r.ID, name, minutesPDF(fmt.Sprintf("Minutes %d - %s", year, "party committee")), 1<<20); err != nil {
				return c, err
			}
		}
		if year == 2020 && r.UnitID == excused {
			if err := st.ExcuseParticipant(ctx, actor, c.ID, mustVersion(ctx, st, c.ID), r.UnitID, "主要负责同志调整，经批准免报"); err != nil {
				return c, err
			}
			continue
		}
		steps := []report.Transition{report.Submit, report.Accept}
		switch {
		case year == 2020 && i == 1:
			steps = []report.Transition{report.Submit, report.Return, report.Submit}
		case year == 2020 && i%4 == 3:
			steps = []report.Transition{report.Submit}
		}
		for _, t := range steps {
			reason := ""
			if t == report.Return {
				reason = "自查问题不够具体，请对照巡察反馈意见逐条查摆，补充整改时限。"
			}
			if full, err = st.MoveReport(ctx, actor, r.ID, full.Version, t, reason); err != nil {
				return c, fmt.Errorf("demo report %s %s: %w", r.UnitName, t, err)
			}
		}
	}
	_, err = st.SaveMeeting(ctx, actor, c.ID, cycle.Meeting{
		HeldOn: fmt.Sprintf("%d-01-12", year+1), Place: "市委常委会议室", Chair: "市委书记 刘超",
		Voting:    "市委常委\n市人大常委会、市政府、市政协党组（党委）书记\n市纪委监委、市委组织部、市委宣传部负责同志",
		NonVoting: "市委副书记 刘光强\n市委副书记 许晋成\n市人大常委会主任 付康\n市政协主席 李亚莲",
		Observers: "省委第五督导组"})
	if err != nil {
		return c, err
	}
	for _, s := range cycle.Statuses[2:] {
		if c, err = advance(ctx, st, c.ID, s); err != nil {
			return c, err
		}
		if s == until {
			break
		}
	}
	return c, nil
}

// answers says, for each finding carried into a report, what was done.
func answers(ctx context.Context, st *store.Store, reportID int64) []store.Answer {
	cs, _ := st.CarryOvers(ctx, reportID)
	var out []store.Answer
	for i, c := range cs {
		a := store.Answer{FindingID: c.Finding.ID, Progress: finding.InProgress,
			Response: "已制定整改方案，明确责任领导和完成时限，目前已完成阶段性任务，正按计划推进。"}
		if i%2 == 1 {
			a.Progress, a.Response = finding.Rectified, "已按整改方案全部完成，相关制度已建立并印发执行。"
		}
		out = append(out, a)
	}
	return out
}

func advance(ctx context.Context, st *store.Store, id int64, to cycle.Status) (cycle.Cycle, error) {
	c, err := st.AdvanceCycle(ctx, actor, id, mustVersion(ctx, st, id), to)
	if err != nil {
		return c, fmt.Errorf("demo cycle to %s: %w", to, err)
	}
	return c, nil
}

func mustVersion(ctx context.Context, st *store.Store, id int64) int64 {
	c, _ := st.Cycle(ctx, id)
	return c.Version
}

// rectify plans the first item of a finding and takes it through the
// status machine up to the step given.
func rectify(ctx context.Context, st *store.Store, findingID int64, until rectification.Move) error {
	xs, err := st.FindingRectifications(ctx, findingID)
	if err != nil || len(xs) == 0 {
		return fmt.Errorf("demo rectification of finding %d: %v", findingID, err)
	}
	x := xs[0]
	deadline := st.Now().AddDate(0, 3, 0).Format(rectification.Date)
	if x, err = st.SavePlan(ctx, actor, x.ID, x.Version, rectification.Plan{Measures: "制定整改方案，明确时间表和路线图，逐项整改到位。",
		Owner: "分管负责同志", ResponsibleLeader: "党委（党组）书记", Deadline: deadline, Kind: rectification.LongTerm}); err != nil {
		return err
	}
	for _, m := range []rectification.Move{rectification.Start, rectification.Submit, rectification.Verify} {
		if x, err = st.MoveRectification(ctx, actor, x.ID, x.Version, m, ""); err != nil {
			return err
		}
		if m == until {
			break
		}
	}
	return nil
}
