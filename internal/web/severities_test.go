package web

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
)

// A cycle's own severity scale: set while planning, refused when bad, and
// then the only scale its findings may use.
func TestSeverityScale(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.cycles["pA"]
	post := func(labels string) (int, string) {
		cur, err := f.st.Cycle(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		resp, body := f.do("role-organizer", "POST", "/cycles/"+strconv.FormatInt(c.ID, 10)+"/severities",
			"version="+strconv.FormatInt(cur.Version, 10)+"&severities="+url.QueryEscape(labels))
		return resp.StatusCode, body
	}
	for _, bad := range []struct{ labels, says string }{
		{"严重", "须有 2 至 6 个等级"},
		{"一\n二\n三\n四\n五\n六\n七", "须有 2 至 6 个等级"},
		{"严重\n严重", "“严重”重复出现"},
		{strings.Repeat("重", finding.MaxSeverityLabel+1) + "\n一般", "不能超过 20 个字符"},
	} {
		if status, body := post(bad.labels); status != 400 || !strings.Contains(body, bad.says) || !strings.Contains(body, "问题严重程度") {
			t.Fatalf("%q: %d, want 400 saying %q", bad.labels, status, bad.says)
		}
	}
	if got, _ := f.st.Cycle(ctx, c.ID); len(got.Severities) != 0 {
		t.Fatalf("refused scales were stored: %q", got.Severities)
	}
	if status, _ := post("严重\n较重\n轻微\n"); status != 303 {
		t.Fatalf("a good scale: %d", status)
	}
	got, _ := f.st.Cycle(ctx, c.ID)
	if strings.Join(got.Severities, ",") != "严重,较重,轻微" {
		t.Fatalf("stored scale: %q", got.Severities)
	}
	if _, body := f.do("role-organizer", "GET", "/cycles/"+strconv.FormatInt(c.ID, 10), ""); !strings.Contains(body, "轻微</textarea>") {
		t.Fatal("the cycle page does not show the scale")
	}
	// Findings of the cycle are graded on its scale, not on the default.
	mk := func(s finding.Severity) error {
		_, err := f.st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: f.units["A1"].ID, CycleID: c.ID,
			Source: finding.Supervision, Severity: s, Text: "问题"})
		return err
	}
	if err := mk("轻微"); err != nil {
		t.Fatalf("a level of the scale: %v", err)
	}
	var e *apperr.Error
	if err := mk(finding.Major); !errors.As(err, &e) || e.Field != "severity" {
		t.Fatalf("a default level on a cycle with its own scale: %v", err)
	}
	// An empty scale goes back to the default; past planning it is fixed.
	if status, _ := post(""); status != 303 {
		t.Fatalf("back to the default: %d", status)
	}
	if err := mk(finding.Major); err != nil {
		t.Fatalf("the default scale: %v", err)
	}
	cur, _ := f.st.Cycle(ctx, c.ID)
	if err := f.st.SetSeverities(ctx, audit.System, f.cycles["A"].ID, f.cycles["A"].Version, []string{"甲", "乙"}); !errors.As(err, &e) || e.Kind != apperr.Conflict {
		t.Fatalf("a scale changed past planning: %v", err)
	}
	if cur.Status != cycle.Planning {
		t.Fatalf("pA is %s", cur.Status)
	}
}
