package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// Levels of the generated tree: province → cities → counties → townships
// → villages.
const Levels = 5

// baseFanout is how many children a unit has at each level in a province
// of 50,000 units (Sichuan has 21 cities, about 180 counties, about 3,000
// townships); the villages fill the rest.
var baseFanout = [3]float64{21, 9, 16}

// Shape returns the number of children per city, county and township
// level and the number of villages for a tree of n units, n ≥ Levels.
func Shape(n int) (fan [3]int, villages int, err error) {
	if n < Levels {
		return fan, 0, fmt.Errorf("a %d-level tree needs at least %d units", Levels, Levels)
	}
	k := math.Pow(float64(n)/50000, 0.25)
	for i, b := range baseFanout {
		fan[i] = max(1, int(math.Round(b*k)))
	}
	upper := func() int { return 1 + fan[0] + fan[0]*fan[1] + fan[0]*fan[1]*fan[2] }
	for upper() >= n {
		big := 0
		for i := range fan {
			if fan[i] > fan[big] {
				big = i
			}
		}
		fan[big]--
	}
	return fan, n - upper(), nil
}

// levelKind and levelWeight: each level's kind of unit, and how many
// findings a unit of that level gets relative to the others.
var (
	levelKind   = [Levels]unit.Kind{unit.Committee, unit.Committee, unit.Committee, unit.Committee, unit.Grassroots}
	levelWeight = [Levels]float64{0, 40, 60, 30, 15}
)

// province is the generated tree, units in id order (id = index + 1).
type province struct {
	units []store.BenchUnit
	cum   []float64 // cumulative finding weight by unit index
}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
var givens = []string{"伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "华", "平", "刚", "桂英", "建国", "志强", "晓东", "海燕"}

func personName(r *rand.Rand) string {
	return string(surnames[r.IntN(len(surnames))]) + givens[r.IntN(len(givens))]
}

// newProvince lays out a tree of n units breadth first: the root is 1, the
// cities follow, and so on, so each level's ids are contiguous.
func newProvince(n int, r *rand.Rand) (*province, error) {
	fan, villages, err := Shape(n)
	if err != nil {
		return nil, err
	}
	p := &province{units: make([]store.BenchUnit, 0, n)}
	add := func(parent *store.BenchUnit, name string) {
		u := store.BenchUnit{ID: int64(len(p.units) + 1), Name: name, Leader: personName(r)}
		if parent == nil {
			u.Depth, u.Path = 1, unit.ChildPath("", u.ID)
		} else {
			u.ParentID, u.Depth, u.Path = parent.ID, parent.Depth+1, unit.ChildPath(parent.Path, u.ID)
		}
		u.Kind = levelKind[u.Depth-1]
		p.units = append(p.units, u)
	}
	add(nil, "中共某省委员会")
	level := []int{0} // indexes of the units of the level being expanded
	for d := range 3 {
		var next []int
		for _, i := range level {
			for c := range fan[d] {
				parent := p.units[i]
				add(&parent, parentLabel(parent)+"第"+strconv.Itoa(c+1)+[3]string{"市委", "县委", "镇党委"}[d])
				next = append(next, len(p.units)-1)
			}
		}
		level = next
	}
	// Villages: spread over the townships, a few more here, a few fewer there.
	per := make([]int, len(level))
	for v := range villages {
		per[v%len(level)]++
	}
	for i := range per {
		j := r.IntN(len(per))
		if per[i] > 1 && r.IntN(2) == 0 {
			per[i]--
			per[j]++
		}
	}
	for k, i := range level {
		for c := range per[k] {
			parent := p.units[i]
			add(&parent, parentLabel(parent)+"第"+strconv.Itoa(c+1)+"村党支部")
		}
	}
	p.cum = make([]float64, len(p.units))
	total := 0.0
	for i, u := range p.units {
		total += levelWeight[u.Depth-1]
		p.cum[i] = total
	}
	return p, nil
}

// parentLabel is the part of a unit's name its children's names start with:
// "第3市委" gives "第3市".
func parentLabel(u store.BenchUnit) string {
	if u.ParentID == 0 {
		return ""
	}
	if strings.HasSuffix(u.Name, "党委") {
		return strings.TrimSuffix(u.Name, "党委")
	}
	return strings.TrimSuffix(u.Name, "委")
}

// pick draws the unit of a finding, weighted by level.
func (p *province) pick(r *rand.Rand) *store.BenchUnit {
	x := r.Float64() * p.cum[len(p.cum)-1]
	return &p.units[sort.SearchFloat64s(p.cum, x)]
}

// people is who acts in the generated timelines.
type people struct {
	organizer, supervisor, staff actorName
}

type actorName struct {
	audit.Actor
	name string
}

var problems = []string{
	"落实全面从严治党主体责任有差距，研究部署党建工作不够经常",
	"基层党组织软弱涣散问题整顿不彻底，个别支部组织生活不规范",
	"意识形态工作责任制落实不到位，阵地管理存在薄弱环节",
	"中央八项规定精神落实不够严格，存在违规发放津补贴问题",
	"干部队伍建设统筹不够，年轻干部培养选拔力度不足",
	"巡察反馈问题整改不到位，部分问题整改成效不明显",
	"党建与业务工作融合不够，存在“两张皮”现象",
	"基层治理能力不足，村级集体经济发展不平衡",
	"形式主义、官僚主义问题仍然存在，会议文件精简不到位",
	"党风廉政建设监督检查不够深入，廉政风险防控存在漏洞",
	"发展党员工作不规范，党员教育管理存在薄弱环节",
	"乡村振兴重点任务推进缓慢，产业项目落地不及时",
}

var causes = []string{"思想认识不到位", "责任压得不实", "制度执行不严格", "工作统筹不够", "监督检查不经常", "能力水平不足"}

var measures = []string{
	"召开专题会议研究部署，制定整改方案，明确责任人和完成时限",
	"开展专项整治，建立问题清单、任务清单、责任清单，逐项销号",
	"修订完善相关制度，加强日常监督检查，定期通报进展情况",
	"组织专题培训，压实各级责任，建立长效机制",
	"对照问题逐一核查，督促限期整改到位，举一反三抓好落实",
}

var updates = []string{"已召开专题会议研究部署", "已完成问题排查，正在推进整改", "已修订相关制度并印发执行", "整改已完成过半，持续推进中", "已完成整改，正在收集佐证材料"}

var sources = []struct {
	s finding.Source
	p float64
}{{finding.ChairComment, 0.30}, {finding.Appraisal, 0.10}, {finding.InspectionFeedback, 0.15},
	{finding.SelfExamination, 0.20}, {finding.Supervision, 0.20}, {finding.CarriedOver, 0.05}}

// genItem draws one item. today is the day of generation (midnight UTC);
// now the instant; times of events never pass it.
func genItem(r *rand.Rand, id int64, u *store.BenchUnit, cycleID int64, ppl people, today, now time.Time) store.BenchItem {
	x := store.BenchItem{ID: id, UnitID: u.ID, UnitPath: u.Path, CycleID: cycleID, Round: 1}
	x.Area = cycle.SeedAreas[r.IntN(len(cycle.SeedAreas))]
	x.Text = problems[r.IntN(len(problems))]
	x.RootCause = causes[r.IntN(len(causes))]
	q := r.Float64()
	for _, s := range sources {
		if q < s.p {
			x.Source = s.s
			break
		}
		q -= s.p
	}
	if x.Source == "" {
		x.Source = finding.Supervision
	}
	switch q := r.Float64(); {
	case q < 0.10:
		x.Severity = finding.Serious
	case q < 0.45:
		x.Severity = finding.Major
	default:
		x.Severity = finding.Minor
	}

	// The status, then the days (offsets from today) that fit it.
	var planned bool
	var createdOff, deadOff, closedOff int
	switch q := r.Float64(); {
	case q < 0.10:
		x.Status = rectification.Planning
		planned = r.IntN(2) == 0
	case q < 0.50:
		x.Status, planned = rectification.InProgress, true
	case q < 0.65:
		x.Status, planned = rectification.AwaitingVerification, true
	default:
		x.Status, planned = rectification.Closed, true
	}
	switch {
	case !planned:
		createdOff = -1 - r.IntN(45)
	case x.Status == rectification.Closed:
		closedOff = -r.IntN(250)
		if r.Float64() < 0.8 { // on time
			deadOff = closedOff + r.IntN(60)
		} else {
			deadOff = closedOff - 1 - r.IntN(45)
		}
		createdOff = max(-330, min(closedOff, deadOff)-10-r.IntN(150))
	default: // open with a deadline: overdue, due soon or on track
		switch q := r.Float64(); {
		case q < 0.22:
			deadOff = -1 - r.IntN(120)
		case q < 0.32:
			deadOff = r.IntN(rectification.DefaultWarningDays + 1)
		default:
			deadOff = rectification.DefaultWarningDays + 1 + r.IntN(200)
		}
		createdOff = max(-330, deadOff-20-r.IntN(160))
		if createdOff > -1 {
			createdOff = -1 - r.IntN(30)
		}
	}
	day := func(off int) time.Time { return today.AddDate(0, 0, off) }
	x.Created = day(createdOff).Add(time.Duration(8*3600+r.IntN(10*3600)) * time.Second)
	end := now.Add(-time.Minute)
	if x.Status == rectification.Closed {
		if closing := day(closedOff).Add(time.Duration(9*3600+r.IntN(8*3600)) * time.Second); closing.Before(end) {
			end = closing
		}
		if !end.After(x.Created) {
			end = x.Created.Add(time.Hour)
		}
		x.ClosedOn = day(closedOff).Format(rectification.Date)
		if !end.Before(now) {
			end = now.Add(-time.Minute)
		}
	}

	// The timeline: what happened, in order; the times are spread between
	// the creation and the end.
	type step struct {
		kind, text, detail string
		by                 actorName
	}
	steps := []step{{kind: "created", by: ppl.organizer}}
	if planned {
		x.Plan = rectification.Plan{Measures: measures[r.IntN(len(measures))], Owner: personName(r), ResponsibleLeader: u.Leader,
			Deadline: day(deadOff).Format(rectification.Date), Kind: rectification.Immediate}
		if r.IntN(3) == 0 {
			x.Kind = rectification.LongTerm
		}
		x.OriginalDeadline = x.Deadline
		steps = append(steps, step{kind: "plan", text: x.Measures, detail: x.Deadline, by: ppl.staff})
	}
	started := x.Status != rectification.Planning
	extended := started && r.Float64() < 0.08
	if extended {
		orig := max(createdOff+5, deadOff-10-r.IntN(50))
		if orig < deadOff {
			x.OriginalDeadline = day(orig).Format(rectification.Date)
			steps[len(steps)-1].detail = x.OriginalDeadline
		} else {
			extended = false
		}
	}
	if started {
		steps = append(steps, step{kind: "start", by: ppl.staff})
		if extended {
			steps = append(steps, step{kind: "extension_request", text: "工作量大，申请延期", detail: x.Deadline, by: ppl.staff},
				step{kind: "extension_approve", detail: x.Deadline, by: ppl.organizer})
		}
		if r.Float64() < 0.6 {
			x.Progress = updates[r.IntN(len(updates))]
			steps = append(steps, step{kind: "update", text: x.Progress, by: ppl.staff})
		}
	}
	rejected := (x.Status == rectification.InProgress || x.Status == rectification.AwaitingVerification) && r.Float64() < 0.10
	reopened := (x.Status == rectification.InProgress && r.Float64() < 0.10) || (x.Status == rectification.Closed && r.Float64() < 0.05)
	if rejected {
		steps = append(steps, step{kind: "submit", by: ppl.staff}, step{kind: "reject", text: "佐证材料不充分，请补充", by: ppl.supervisor})
	}
	if reopened {
		steps = append(steps, step{kind: "submit", by: ppl.staff}, step{kind: "verify", by: ppl.supervisor},
			step{kind: "reopen", text: "问题出现反弹，重新整改", by: ppl.supervisor})
		x.Round = 2
	}
	switch x.Status {
	case rectification.AwaitingVerification:
		steps = append(steps, step{kind: "submit", by: ppl.staff})
	case rectification.Closed:
		steps = append(steps, step{kind: "submit", by: ppl.staff}, step{kind: "verify", by: ppl.supervisor})
	}
	span := end.Sub(x.Created)
	fracs := make([]float64, len(steps))
	for i := 1; i < len(fracs); i++ {
		fracs[i] = r.Float64()
	}
	sort.Float64s(fracs)
	for i, s := range steps {
		at := x.Created.Add(time.Duration(fracs[i] * float64(span))).Truncate(time.Second)
		if i == len(steps)-1 && s.kind == "verify" {
			at = end
		}
		x.Events = append(x.Events, store.BenchEvent{At: at, UserID: s.by.UserID, UserName: s.by.name, Kind: s.kind, Text: s.text, Detail: s.detail})
		switch s.kind {
		case "submit":
			x.SubmittedBy = s.by.UserID
		case "extension_approve":
			x.Extension = &store.BenchExtension{At: at, Deadline: x.Deadline, Reason: "工作量大，申请延期",
				RequestedBy: ppl.staff.UserID, DecidedBy: ppl.organizer.UserID}
		}
	}
	x.Updated = x.Events[len(x.Events)-1].At
	x.Version = int64(len(steps))
	return x
}

// itemAudit is the audit trail of a generated item, shortened to one event
// so that timeline and audit events come to about five per item: its
// latest step (its creation if it has not moved), at the time the caller's
// clock gives.
func itemAudit(x *store.BenchItem, clock func() time.Time, ppl people) {
	last := x.Events[len(x.Events)-1]
	by := ppl.staff.Actor
	switch last.UserID {
	case ppl.supervisor.UserID:
		by = ppl.supervisor.Actor
	case ppl.organizer.UserID:
		by = ppl.organizer.Actor
	}
	a := store.BenchAudit{At: clock(), By: by, Action: "rectification." + last.Kind}
	switch last.Kind {
	case "created":
		a.Action, a.After = "rectification.create", map[string]any{"finding_id": x.ID}
	case "plan":
		a.After = x.Plan
	default:
		a.After = map[string]any{"status": x.Status, "reason": last.Text}
	}
	x.Audit = append(x.Audit[:0], a)
}
