package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"zeren/internal/appraisal"
	"zeren/internal/audit"
)

// Bad appraisal, ballot and comment input through the pages: refused with
// the reason, and no vote, setup or finding recorded.
func TestBadAppraisalInput(t *testing.T) {
	ballot := func(code, grades string) string { return "code=" + code + "&submission=s&" + grades }
	both := "grade_{report:vA}=1&grade_{report:v2A}=2"
	for _, tc := range []struct {
		name, who, path, body string
		prepare               func(f *fixture)
		status                int
		msg                   string
	}{
		{"weights not summing to 100", "admin", "/cycles/{cycle:pA}/appraisal", "min_ballots=8&grade_key_0=good&grade_value_0=100&grade_key_1=poor&grade_value_1=0&group_name_0=甲&group_weight_0=60&group_name_1=乙&group_weight_1=30", nil, 400, "权重之和须为 100，现为 90"},
		{"grade value over 100", "admin", "/cycles/{cycle:pA}/appraisal", "min_ballots=8&grade_key_0=good&grade_value_0=120&grade_key_1=poor&grade_value_1=0&group_name_0=甲&group_weight_0=100", nil, 400, "分值须在 0 至 100 之间"},
		{"minimum not a number", "admin", "/cycles/{cycle:pA}/appraisal", "min_ballots=many&grade_key_0=good&grade_value_0=100&grade_key_1=poor&grade_value_1=0&group_name_0=甲&group_weight_0=100", nil, 400, "最少有效票数"},
		{"setup changed while open", "admin", "/appraisals/{appraisal:A}", "version={av:A}&" + setupForm, nil, 409, "测评已开始"},
		{"malformed code", "", "/vote", ballot("12", both), nil, 400, "格式不对"},
		{"unknown code", "", "/vote", ballot("ABCD-EFGH-JKLM", both), nil, 400, "不存在"},
		{"grade outside the scale", "", "/vote", ballot("{code:A}", "grade_{report:vA}=7&grade_{report:v2A}=1"), nil, 400, "不在评价等次内"},
		{"report of another cycle", "", "/vote", ballot("{code:A}", both+"&grade_{report:A}=1"), nil, 400, "不在您的测评范围内"},
		{"a report left ungraded", "", "/vote", ballot("{code:A}", "grade_{report:vA}=1"), nil, 400, "还有 1 份报告未评价"},
		{"spent code", "", "/vote", ballot("{code:A}", both), func(f *fixture) {
			resp, _ := f.do("", "POST", "/vote", "code={code:A}&submission=first&"+both)
			if resp.StatusCode != http.StatusSeeOther {
				f.t.Fatalf("first vote: %d", resp.StatusCode)
			}
		}, 400, "已经投过票"},
		{"user votes twice", "role-participant", "/appraisals/{appraisal:A}/ballot", "submission=second&" + both, func(f *fixture) {
			resp, _ := f.do("role-participant", "POST", "/appraisals/{appraisal:A}/ballot", "submission=first&"+both)
			if resp.StatusCode != http.StatusSeeOther {
				f.t.Fatalf("first vote: %d", resp.StatusCode)
			}
		}, 409, "您已经投过票"},
		{"vote after closing", "", "/vote", ballot("{code:A}", both), func(f *fixture) {
			if _, err := f.st.MoveAppraisal(context.Background(), audit.System, f.appraisals["A"].ID, f.appraisals["A"].Version, appraisal.Closed); err != nil {
				f.t.Fatal(err)
			}
		}, 409, "投票已结束"},
		{"comment problem without text but severity", "admin", "/reports/{report:vA}/comment", "version=0&problem_text_0=x&problem_severity_0=grave", nil, 400, "须选择严重程度"},
		{"comment problem in an unknown area", "admin", "/reports/{report:vA}/comment", "version=0&problem_text_0=x&problem_severity_0=minor&problem_area_0=别处", nil, 400, "责任领域不属于本年度"},
		{"publishing an empty comment", "admin", "/reports/{report:vA}/comment/publish", "version=0", nil, 400, "点评还没有内容"},
		{"comment on a report not handed in", "admin", "/reports/{report:A}/comment", "version=0&affirmations=x", nil, 409, "年度述职评议处于“评议”阶段时才能点评"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if tc.prepare != nil {
				tc.prepare(f)
			}
			ctx := context.Background()
			a, _ := f.st.Appraisal(ctx, f.appraisals["A"].ID)
			before, _ := f.st.Turnout(ctx, a)
			resp, body := f.do(tc.who, "POST", tc.path, tc.body)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.msg) {
				t.Fatalf("status %d, want %d with %q\n%s", resp.StatusCode, tc.status, tc.msg, excerpt(body))
			}
			after, _ := f.st.Turnout(ctx, a)
			if before[0].Voted != after[0].Voted || before[1].Voted != after[1].Voted {
				t.Fatalf("a refused vote was counted: %+v → %+v", before, after)
			}
			if now, _ := f.st.Appraisal(ctx, a.ID); now.Version != a.Version {
				t.Fatal("a refused request changed the appraisal")
			}
			if _, err := f.st.CycleAppraisal(ctx, f.cycles["pA"].ID); err == nil {
				t.Fatal("a refused setup created an appraisal")
			}
			if k, _ := f.st.Comment(ctx, f.reports["vA"].ID); k.Version != 0 {
				t.Fatal("a refused comment was saved")
			}
		})
	}
}

// A retried submission (same page token) counts once and answers as if it
// had just been recorded.
func TestVoteRetryCountsOnce(t *testing.T) {
	f := newFixture(t)
	body := "code={code:A}&submission=same&grade_{report:vA}=1&grade_{report:v2A}=2"
	for range 2 {
		if resp, page := f.do("", "POST", "/vote", body); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("vote: %d %s", resp.StatusCode, excerpt(page))
		}
	}
	a, _ := f.st.Appraisal(context.Background(), f.appraisals["A"].ID)
	turnout, _ := f.st.Turnout(context.Background(), a)
	if turnout[1].Voted != 1 {
		t.Fatalf("turnout %+v", turnout)
	}
	f.st.MoveAppraisal(context.Background(), audit.System, a.ID, a.Version, appraisal.Closed)
	a, _ = f.st.Appraisal(context.Background(), a.ID)
	results, _, err := f.st.Results(context.Background(), a)
	if err != nil || results[0].Ballots != 1 || results[1].Ballots != 1 {
		t.Fatalf("results: %+v %v", results, err)
	}
	resp, page := f.do("admin", "GET", "/appraisals/{appraisal:A}/results", "")
	if resp.StatusCode != 200 || !strings.Contains(page, "100.00") {
		t.Fatalf("results page: %d %s", resp.StatusCode, excerpt(page))
	}
	resp, xlsx := f.do("admin", "GET", "/appraisals/{appraisal:A}/results.xlsx", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(xlsx, "PK") {
		t.Fatalf("excel: %d %q", resp.StatusCode, excerpt(xlsx))
	}
}
