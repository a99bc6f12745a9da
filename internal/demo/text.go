package demo

import (
	"fmt"
	"strings"

	"zeren/internal/report"
)

// The demo's report texts: for each of the six seed areas, sentences in
// the register of real duty reports, combined differently per unit and
// year so that no two reports read the same.
var achievements = [][]string{
	{"坚持把党的政治建设摆在首位，常委会第一议题学习习近平总书记重要讲话精神%d次", "严格执行重大事项请示报告制度，全年向市委请示报告重大事项%d项", "开展“不忘初心、牢记使命”主题教育成果巩固，专题民主生活会查摆问题%d条并全部整改"},
	{"调整充实乡镇领导班子%d个，选派优秀年轻干部到乡村振兴一线墩苗历练", "完善干部考核评价办法，对%d名干部进行提醒谈话、函询诫勉", "引进急需紧缺人才%d名，建立人才服务专员制度"},
	{"排查整顿软弱涣散村党组织%d个，全部完成晋位升级", "推行“党建+网格”治理模式，划分网格%d个，配备专兼职网格员", "村级集体经济收入全部达到5万元以上，其中%d个村超过20万元"},
	{"持续纠治“四风”，查处违反中央八项规定精神问题%d起", "扎实做好巡察“后半篇文章”，巡察反馈问题整改完成率达%d%%", "深化以案促改，召开警示教育大会%d场"},
	{"落实意识形态工作责任制，常委会专题研究意识形态工作%d次", "加强网络舆情研判处置，妥善回应社会关切%d件", "开展新时代文明实践活动%d场次"},
	{"地区生产总值增长%d.2%%，主要经济指标好于全市平均水平", "完成固定资产投资%d亿元，重点项目全部按期开工", "新增城镇就业%d人，民生支出占一般公共预算支出的七成以上"},
}

var problems = [][]string{
	{"个别党组织学习贯彻上级决策部署存在“上热中温下冷”现象", "落实“第一议题”制度重形式、轻转化，学用结合不够紧密"},
	{"年轻干部储备不足，部分领域专业化干部短缺", "干部考核“指挥棒”作用发挥不够充分，结果运用不够"},
	{"部分村党组织书记年龄偏大、带富能力不强", "基层党建与基层治理融合不够深入，网格作用发挥不均衡"},
	{"“四风”问题隐形变异仍有发生，形式主义、官僚主义在一些领域依然存在", "对“一把手”和领导班子监督办法不多，同级监督较弱"},
	{"意识形态阵地管理存在薄弱环节，对新媒体平台管理不够到位", "理论武装的针对性和实效性有待提高"},
	{"经济发展质量效益不高，产业结构偏重", "招商引资项目落地转化率偏低，部分项目推进缓慢"},
}

var nextSteps = [][]string{
	{"严格落实“第一议题”制度，完善学习贯彻督查问效机制", "持续加强政治监督，确保党中央决策部署落地见效"},
	{"实施年轻干部“育苗工程”，建立常态化发现储备机制", "强化考核结果运用，激励干部担当作为"},
	{"实施村党组织带头人队伍整体优化提升行动", "深化“党建+网格”，推动资源力量下沉"},
	{"锲而不舍落实中央八项规定精神，加强对“一把手”的监督", "一体推进不敢腐、不能腐、不想腐"},
	{"压紧压实意识形态工作责任，加强阵地建设管理", "健全网络舆情快速反应机制"},
	{"坚持党建引领高质量发展，推动产业转型升级", "强化重大项目要素保障，提升投资效益"},
}

// reportText fills every section of a report for the i-th unit in a year.
func reportText(r report.Report, year, i int) []report.Section {
	var out []report.Section
	for a, sec := range r.Sections {
		k := a % len(achievements)
		pick := func(list []string, n int) string { return list[(i+year+n)%len(list)] }
		var ach []string
		for n := 0; n < 2; n++ {
			ach = append(ach, "- "+fmt.Sprintf(pick(achievements[k], n), 3+(i*7+n*5+year)%17)+"。")
		}
		out = append(out, report.Section{
			AreaID: sec.AreaID,
			Achievements: fmt.Sprintf("%d年，%s**%s**，主要做了以下工作：\n\n%s",
				year, r.UnitName, []string{"坚决扛起主体责任", "认真履行第一责任人职责", "把全面从严治党贯穿工作全过程"}[(i+a)%3], strings.Join(ach, "\n")),
			Problems:  "1. " + pick(problems[k], 0) + "。\n2. " + pick(problems[k], 1) + "。",
			NextSteps: "- " + pick(nextSteps[k], 0) + "。\n- " + pick(nextSteps[k], 1) + "。",
		})
	}
	return out
}
