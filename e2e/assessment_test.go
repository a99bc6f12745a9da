package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/store"
)

// toAssessing publishes the 2020 demo cycle's draft comments and takes it
// to the assessing step, as the organizer would after the meeting.
func toAssessing(t *testing.T, st *store.Store, c cycle.Cycle) {
	t.Helper()
	ctx := context.Background()
	reports, err := st.CycleReports(ctx, c.ID, []string{"/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		k, err := st.Comment(ctx, r.ID)
		if err != nil || k.Published() || k.Version == 0 {
			continue
		}
		if _, err := st.PublishComment(ctx, audit.System, r.ID, k.Version); err != nil {
			t.Fatal(err)
		}
	}
	for _, to := range []cycle.Status{cycle.Rectifying, cycle.Assessing} {
		cur, _ := st.Cycle(ctx, c.ID)
		if _, err := st.AdvanceCycle(ctx, audit.System, c.ID, cur.Version, to); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
}

// canvasesDrawn counts the charts whose canvas has dark pixels.
const canvasesDrawn = `(() => { let n = 0; for (const c of document.querySelectorAll('canvas')) {
	const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
	let dark = 0; for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && d[i] < 200) dark++;
	if (dark > 200) n++; } return n; })()`

// The assessment in the browser: the organizer changes the scheme, computes,
// adjusts one county's score with a reason and publishes; Fucheng's leader
// sees Fucheng's breakdown and rank and nothing of another county's; the
// cycle overview dashboard draws its charts.
func TestAssessmentAndDashboard(t *testing.T) {
	ctx, base := browser(t, 1280, 900)
	st := storeOf(ctx)
	c := demoCycle(t, st, func(c cycle.Cycle) bool { return c.Year == 2020 && c.UnitName == "中共绵阳市委" })
	toAssessing(t, st, c)
	page := base + "/cycles/" + strconv.FormatInt(c.ID, 10) + "/assessment"
	jiangyou, _ := st.Units(context.Background(), store.UnitFilter{Scopes: []string{"/"}, Query: "中共江油市委", Limit: 1})
	var table, leaderView string
	var drawn, charts int
	run(t, ctx,
		login(base, "organizer"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`form.scheme`)),
		// Appraisal 45 instead of 40, party building 10 instead of 15.
		chromedp.SetValue(chromedp.CSS(`input[name=ind_points_0]`), "45"),
		chromedp.SetValue(chromedp.CSS(`input[name=ind_points_4]`), "10"),
		chromedp.Click(chromedp.CSS(`form.scheme button[type=submit]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "已保存")]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/assessment/compute"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "已计算得分")]`)),
		chromedp.SetValue(chromedp.CSS(`form[action$="/adjust"] select[name=unit_id]`), strconv.FormatInt(jiangyou[0].ID, 10)),
		chromedp.SetValue(chromedp.CSS(`form[action$="/adjust"] input[name=adjustment]`), "-2"),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/adjust"] input[name=reason]`), "巡察整改不到位"),
		chromedp.Click(chromedp.CSS(`form[action$="/adjust"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "已调整得分")]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/assessment/publish"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "考核结果已发布")]`)),
		text(`table.assessment`, &table),
		shot("assessment-published-zh"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=en]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=en] table.assessment`)),
		shot("assessment-published-en"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=zh-CN]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=zh-CN] table.assessment`)),
		// The overview dashboard of the cycle draws its charts.
		chromedp.Navigate(base+"/cycles/"+strconv.FormatInt(c.ID, 10)+"/dashboard"),
		chromedp.WaitVisible(chromedp.CSS(`canvas`)),
		chromedp.Sleep(1500*time.Millisecond), // ECharts animates its first drawing
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var err error
			if drawn, err = chromedp.Evaluate[int](canvasesDrawn)(ctx, tg); err != nil {
				return err
			}
			charts, err = chromedp.Evaluate[int](`document.querySelectorAll('[role=img]').length`)(ctx, tg)
			return err
		}),
		shot("dashboard-zh"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=en]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=en] canvas`)),
		chromedp.Sleep(1500*time.Millisecond),
		shot("dashboard-en"),
		chromedp.Click(chromedp.CSS(`.locale-switch button[value=zh-CN]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=zh-CN] canvas`)),
		logout(),
		login(base, "leader"),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`table.assessment`)),
		text(`main`, &leaderView),
		shot("assessment-leader-zh"),
	)
	if !strings.Contains(table, "巡察整改不到位") || !strings.Contains(table, "中共涪城区委") || !strings.Contains(table, "中共游仙区委") {
		t.Fatalf("the organizer's results: %q", table)
	}
	if charts < 5 || drawn < charts {
		t.Fatalf("dashboard: %d of %d charts drawn", drawn, charts)
	}
	if !strings.Contains(leaderView, "中共涪城区委") || strings.Contains(leaderView, "中共游仙区委") || strings.Contains(leaderView, "巡察整改不到位") ||
		!strings.Contains(leaderView, "第 ") || !strings.Contains(leaderView, "名（共 ") {
		t.Fatalf("Fucheng's leader sees: %q", leaderView)
	}
}
