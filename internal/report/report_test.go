package report

import (
	"strings"
	"testing"
)

func TestApply(t *testing.T) {
	for _, from := range Statuses {
		for _, tr := range []Transition{Submit, Return, Accept} {
			to, err := Apply(from, tr)
			var want Status
			switch {
			case tr == Submit && (from == Draft || from == Returned):
				want = Submitted
			case tr == Return && from == Submitted:
				want = Returned
			case tr == Accept && from == Submitted:
				want = Accepted
			}
			if want == "" {
				if err == nil {
					t.Errorf("%s %s: allowed", from, tr)
				}
				continue
			}
			if err != nil || to != want {
				t.Errorf("%s %s: %s %v, want %s", from, tr, to, err, want)
			}
		}
	}
}

// TestHTMLIsHarmless renders known XSS payloads: nothing active survives.
func TestHTMLIsHarmless(t *testing.T) {
	payloads := []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`<iframe src="https://evil.example"></iframe>`,
		`[click](javascript:alert(1))`,
		`[click](JaVaScRiPt:alert(1))`,
		`[click](  javascript:alert(1))`,
		`<a href="javascript:alert(1)">x</a>`,
		`<svg onload=alert(1)>`,
		`<body onload=alert(1)>`,
		`<div style="background:url(javascript:alert(1))">x</div>`,
		`![x](javascript:alert(1))`,
		`<object data="javascript:alert(1)"></object>`,
		`<embed src="javascript:alert(1)">`,
		`<form action="javascript:alert(1)"><button>x</button></form>`,
		`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
		`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
		"<scr<script>ipt>alert(1)</script>",
		`<details open ontoggle=alert(1)>`,
	}
	for _, p := range payloads {
		out := strings.ToLower(string(HTML(p)))
		for _, bad := range []string{"<script", "<iframe", "onerror", "onload", "ontoggle", "javascript:", "<object", "<embed", "<form", "<svg", "style=", "data:text"} {
			if strings.Contains(out, bad) {
				t.Errorf("%q rendered as %q (contains %s)", p, out, bad)
			}
		}
	}
	if got := string(HTML("**成绩**\n\n- 一\n- 二")); !strings.Contains(got, "<strong>成绩</strong>") || !strings.Contains(got, "<li>一</li>") {
		t.Errorf("ordinary Markdown lost: %q", got)
	}
}

func TestSameText(t *testing.T) {
	stored := []Section{{AreaID: 1, Achievements: "a"}, {AreaID: 2, Problems: "p"}}
	if !SameText(stored, []Section{{AreaID: 2, Problems: "p"}}) {
		t.Error("same text not recognised")
	}
	if SameText(stored, []Section{{AreaID: 1, Achievements: "b"}}) || SameText(stored, []Section{{AreaID: 3}}) {
		t.Error("different text taken as same")
	}
}

func TestDiff(t *testing.T) {
	older := []Section{{AreaID: 1, AreaName: "政治建设", Achievements: "全年常委会研究党建工作10次。", Problems: "学习不深入。"}}
	newer := []Section{{AreaID: 1, AreaName: "政治建设", Achievements: "全年常委会研究党建工作12次。", Problems: "学习不深入。"}}
	d := Diff(older, newer)
	if len(d) != 1 || len(d[0].Fields) != 3 {
		t.Fatalf("%+v", d)
	}
	ach, prob := d[0].Fields[0], d[0].Fields[1]
	if !ach.Changed || prob.Changed {
		t.Fatalf("changed flags: %v %v", ach.Changed, prob.Changed)
	}
	var del, ins, same string
	for _, p := range ach.Pieces {
		switch p.Op {
		case -1:
			del += p.Text
		case 1:
			ins += p.Text
		default:
			same += p.Text
		}
	}
	if del != "0" || ins != "2" || !strings.Contains(same, "全年常委会研究党建工作1") {
		t.Fatalf("del %q ins %q same %q", del, ins, same)
	}
}
