package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"zeren/internal/store"
)

// After a vote over HTTP, nothing the server logged and no audit event
// holds both the voter and a grade or comment.
func TestVoteLeavesNoLink(t *testing.T) {
	f := newFixture(t)
	a := f.appraisals["A"]
	const comment = "匿名测试意见"
	body := "submission=s1&grade_{report:vA}=4&grade_{report:v2A}=3&comment_{report:vA}=" + comment
	resp, page := f.do("role-participant", "POST", "/appraisals/{appraisal:A}/ballot", body)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("vote: %d %s", resp.StatusCode, excerpt(page))
	}
	voter := f.users["role-participant"]
	logs := f.logs.String()
	if !strings.Contains(logs, `"route":"POST /appraisals/{id}/ballot"`) {
		t.Fatalf("the vote was not logged at all:\n%s", logs)
	}
	for _, leak := range []string{voter.Login, comment, "grade", "submission"} {
		if strings.Contains(logs, leak) {
			t.Fatalf("the log holds %q:\n%s", leak, logs)
		}
	}
	events, err := f.st.AuditEvents(context.Background(), store.AuditFilter{Unscoped: true, Scopes: []string{"/"},
		ObjectType: "appraisal", ObjectID: a.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		if e.Action != "appraisal.vote" || e.UserID != voter.ID {
			continue
		}
		found = true
		if text := string(e.Before) + string(e.After); strings.Contains(text, comment) || strings.Contains(text, "grade") ||
			strings.Contains(text, strconv.FormatInt(f.reports["vA"].ID, 10)) {
			t.Fatalf("the vote event holds the ballot: %s", text)
		}
	}
	if !found {
		t.Fatal("the vote was not audited")
	}
}
