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
