package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
)

// The organizer's assessment over HTTP: a bad scheme and computing too
// early are refused with the reason; then compute, adjust with a reason,
// publish. A leader of one unit then sees that unit's breakdown and rank,
// and nothing of the other unit's.
func TestAssessmentPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.cycles["vA"]
	base := "/cycles/" + strconv.FormatInt(c.ID, 10) + "/assessment"
	org := "role-organizer"
	post := func(who, path, body string) (int, string) {
		t.Helper()
		resp, text := f.do(who, "POST", base+path, body)
		return resp.StatusCode, text
	}
	version := func() string {
		a, err := f.st.Assessment(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(a.Version, 10)
	}
	// Points adding up to 90, bands with a gap: refused, nothing stored.
	if status, body := post(org, "/scheme", "version=0&ind_name_0=党建&ind_key_0=pb&ind_points_0=90&ind_source_0=manual"+
		"&band_grade_0=好&band_min_0=60&band_max_0=100&band_grade_1=差&band_min_1=0&band_max_1=60"); status != 400 || !strings.Contains(body, "各项指标分值之和须为 100，现为 90") {
		t.Fatalf("points adding up to 90: %d", status)
	}
	if status, body := post(org, "/scheme", "version=0&ind_name_0=党建&ind_key_0=pb&ind_points_0=100&ind_source_0=manual"+
		"&band_grade_0=好&band_min_0=70&band_max_0=100&band_grade_1=差&band_min_1=0&band_max_1=60"); status != 400 || !strings.Contains(body, "之间有空档") {
		t.Fatalf("a gap between the grades: %d", status)
	}
	if a, _ := f.st.Assessment(ctx, c.ID); a.ID != 0 {
		t.Fatal("a refused scheme was stored")
	}
	if status, body := post(org, "/compute", ""); status != 409 || !strings.Contains(body, "进入“考核”阶段后才能计算得分") {
		t.Fatalf("computing while reviewing: %d", status)
	}
	// The default scheme, taken to the assessing step.
	if status, _ := post(org, "/manual", "unit_id={A1}&manual_party_building=12"); status != 303 {
		t.Fatalf("manual score: %d", status)
	}
	if status, body := post(org, "/manual", "unit_id={A2}&manual_party_building=16"); status != 400 || !strings.Contains(body, "应在 0 到 15 之间") {
		t.Fatalf("manual score over the points: %d", status)
	}
	a := f.appraisals["A"]
	cur, _ := f.st.Appraisal(ctx, a.ID)
	if _, err := f.st.MoveAppraisal(ctx, audit.System, a.ID, cur.Version, appraisal.Closed); err != nil {
		t.Fatal(err)
	}
	for _, to := range []cycle.Status{cycle.Rectifying, cycle.Assessing} {
		cc, _ := f.st.Cycle(ctx, c.ID)
		if _, err := f.st.AdvanceCycle(ctx, audit.System, c.ID, cc.Version, to); err != nil {
			t.Fatal(err)
		}
	}
	if status, _ := post(org, "/compute", ""); status != 303 {
		t.Fatalf("compute: %d", status)
	}
	if status, body := post(org, "/adjust", "unit_id={A2}&adjustment=-2"); status != 400 || !strings.Contains(body, "调整分数须说明理由") {
		t.Fatalf("an adjustment without a reason: %d", status)
	}
	if status, _ := post(org, "/adjust", "unit_id={A2}&adjustment=-2&reason=信访问题突出"); status != 303 {
		t.Fatalf("adjust: %d", status)
	}
	if _, body := f.do(org, "GET", base, ""); !strings.Contains(body, "信访问题突出") || !strings.Contains(body, "城厢街道党工委") || !strings.Contains(body, "工区街道党工委") ||
		!strings.Contains(body, "尚未录入：党建重点任务") {
		t.Fatal("the organizer's page lacks the results")
	}
	u := f.raUser("leader-a1", auth.Grant{Role: auth.UnitLeader, UnitID: f.units["A1"].ID})
	var err error
	if f.cookie["leader-a1"], err = f.st.CreateSession(ctx, audit.Actor{UserID: u.ID, Login: u.Login}, ""); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.do("role-"+string(auth.UnitLeader), "GET", base, ""); resp.StatusCode != 403 {
		t.Fatalf("a leader before publication: %d", resp.StatusCode)
	}
	if status, _ := post(org, "/publish", "version="+version()); status != 303 {
		t.Fatalf("publish: %d", status)
	}
	if status, body := post(org, "/compute", ""); status != 409 || !strings.Contains(body, "考核结果已发布") {
		t.Fatalf("recomputing published results: %d", status)
	}
	scores, _ := f.st.Scores(ctx, c.ID, f.units["A1"].ID)
	if len(scores) != 1 {
		t.Fatalf("A1's score: %+v", scores)
	}
	resp, body := f.do("leader-a1", "GET", base, "")
	if resp.StatusCode != 200 || !strings.Contains(body, "城厢街道党工委") || strings.Contains(body, "工区街道党工委") || strings.Contains(body, "信访问题突出") ||
		!strings.Contains(body, "第 "+strconv.Itoa(scores[0].Rank)+" 名") {
		t.Fatalf("the A1 leader's page: %d\n%s", resp.StatusCode, body)
	}
	if status, body := post(org, "/reopen", "version="+version()); status != 400 || !strings.Contains(body, "撤回理由") {
		t.Fatalf("reopen without a reason: %d", status)
	}
	if status, _ := post(org, "/reopen", "version="+version()+"&reason=复核"); status != 303 {
		t.Fatalf("reopen: %d", status)
	}
	if resp, _ := f.do("leader-a1", "GET", base, ""); resp.StatusCode != 403 {
		t.Fatalf("a leader after reopening: %d", resp.StatusCode)
	}
}
