package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/report"
)

// rootCycle is a cycle run by the root with A's first sub-unit taking
// part: A's organizer and supervisor stand on the participant's parent,
// not on the reviewing level. It returns A1's report, submitted.
func (f *fixture) rootCycle() (cycle.Cycle, report.Report) {
	f.t.Helper()
	ctx := context.Background()
	c, err := f.st.CreateCycle(ctx, audit.System, f.units["root"].ID, cycle.Draft{Year: 2018, Title: "2018年度"})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.st.SetParticipants(ctx, audit.System, c.ID, c.Version, []cycle.Participant{{UnitID: f.units["A1"].ID, Mode: cycle.Written}}); err != nil {
		f.t.Fatal(err)
	}
	c, _ = f.st.Cycle(ctx, c.ID)
	if c, err = f.st.AdvanceCycle(ctx, audit.System, c.ID, c.Version, cycle.Reporting); err != nil {
		f.t.Fatal(err)
	}
	rs, err := f.st.CycleReports(ctx, c.ID, []string{f.units["root"].Path})
	if err != nil || len(rs) != 1 {
		f.t.Fatalf("reports %v %v", rs, err)
	}
	rp, err := f.st.MoveReport(ctx, audit.System, rs[0].ID, rs[0].Version, report.Submit, "")
	if err != nil {
		f.t.Fatal(err)
	}
	return c, rp
}

// TestDecisionsThroughTheDoors: the holes found by trying the pages and
// the API as an adversary are closed on both, and the pages offer only
// what the actions allow.
func TestDecisionsThroughTheDoors(t *testing.T) {
	f := newFixture(t)
	c, rp := f.rootCycle()
	rpath := fmt.Sprintf("/reports/%d", rp.ID)
	unchanged := func(what string) {
		t.Helper()
		now, err := f.st.Report(context.Background(), rp.ID)
		if err != nil || now.Status != report.Submitted || now.Version != rp.Version {
			t.Errorf("%s changed the report: %+v %v", what, now, err)
		}
	}

	// A's organizer reviews its own sub-unit's report in the root's cycle.
	body := fmt.Sprintf(`{"version": %d, "reason": "不够深入"}`, rp.Version)
	if resp, b := f.do("role-organizer", "POST", "/api/v1"+rpath+"/return", body); resp.StatusCode != http.StatusForbidden {
		t.Errorf("API return by A's organizer: %d %s", resp.StatusCode, b)
	}
	unchanged("the API return")
	if resp, _ := f.do("role-organizer", "POST", rpath+"/accept", fmt.Sprintf("version=%d", rp.Version)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("page accept by A's organizer: %d", resp.StatusCode)
	}
	unchanged("the page accept")
	if resp, b := f.do("role-organizer", "GET", rpath, ""); resp.StatusCode != http.StatusOK || strings.Contains(b, rpath+"/return") {
		t.Errorf("A's organizer is offered the return: %d", resp.StatusCode)
	}
	if resp, b := f.do("admin", "GET", rpath, ""); resp.StatusCode != http.StatusOK || !strings.Contains(b, rpath+"/return") {
		t.Errorf("the root's admin is not offered the return: %d", resp.StatusCode)
	}

	// The root's chair points out a problem; A's supervisor may not rewrite it.
	var made struct {
		ID             int64 `json:"id"`
		Version        int64 `json:"version"`
		Rectifications []struct {
			ID int64 `json:"id"`
		} `json:"rectifications"`
	}
	resp, b := f.do("admin", "POST", "/api/v1/findings", fmt.Sprintf(`{"unit_id": %d, "cycle_id": %d, "source": "chair_comment", "text": "压力传导不够"}`,
		f.units["A1"].ID, c.ID))
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(b), &made) != nil || len(made.Rectifications) != 1 {
		t.Fatalf("finding: %d %s", resp.StatusCode, b)
	}
	fpath := fmt.Sprintf("/api/v1/findings/%d", made.ID)
	if resp, b := f.do("role-supervisor", "PATCH", fpath, fmt.Sprintf(`{"version": %d, "severity": "minor", "text": "轻描淡写"}`, made.Version)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("A's supervisor edits the root's finding: %d %s", resp.StatusCode, b)
	}
	if rec, _ := f.st.FindingRecord(context.Background(), made.ID); rec.Text != "压力传导不够" || rec.Version != made.Version || rec.Source != finding.ChairComment {
		t.Errorf("a refused edit changed the finding: %+v", rec)
	}
	item := fmt.Sprintf("/rectifications/%d", made.Rectifications[0].ID)
	if resp, b := f.do("role-supervisor", "GET", item, ""); resp.StatusCode != http.StatusOK || strings.Contains(b, item+"/split") {
		t.Errorf("A's supervisor is offered the split of the root's finding: %d", resp.StatusCode)
	}
	if resp, _ := f.do("role-supervisor", "POST", item+"/split", "note=x"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("A's supervisor splits the root's finding: %d", resp.StatusCode)
	}

	// A's admin takes over no account above: not the top admin, not the
	// root's observer who also holds a grant on A.
	if err := f.st.AddGrant(context.Background(), audit.System, f.users["observer"].ID, auth.Observer, f.units["A"].ID); err != nil {
		t.Fatal(err)
	}
	for _, login := range []string{"admin", "observer"} {
		u := f.users[login]
		if resp, b := f.do("admina", "PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), fmt.Sprintf(`{"version": %d, "disabled": true}`, u.Version)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("A's admin disables %s through the API: %d %s", login, resp.StatusCode, b)
		}
		if resp, _ := f.do("admina", "POST", fmt.Sprintf("/users/%d", u.ID), fmt.Sprintf("version=%d&name=x&password=a-new-long-password", u.Version)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("A's admin resets %s on the page: %d", login, resp.StatusCode)
		}
		if after, _ := f.st.User(context.Background(), u.ID); after.Version != u.Version || after.Disabled {
			t.Errorf("%s changed: %+v", login, after)
		}
		if _, b := f.do("admina", "GET", "/api/v1/users", ""); strings.Contains(b, `"login":"`+login+`"`) {
			t.Errorf("A's admin lists %s", login)
		}
	}
	// A peer admin on A is seen but not changed.
	if resp, _ := f.do("admina", "POST", fmt.Sprintf("/users/%d", f.users["role-admin"].ID), fmt.Sprintf("version=%d&name=x", f.users["role-admin"].Version)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("A's admin edits a peer: %d", resp.StatusCode)
	}
	if resp, b := f.do("admina", "GET", fmt.Sprintf("/users/%d", f.users["role-admin"].ID), ""); resp.StatusCode != http.StatusOK || strings.Contains(b, `action="/users/`) {
		t.Errorf("A's admin is offered the edit of a peer: %d", resp.StatusCode)
	}
}

// TestPatchAllOrNothing: the API's multi-field PATCHes refused in one
// field save none, on both engines.
func TestPatchAllOrNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.cycles["vA"] // reviewing: its title may change, its areas may not
	resp, b := f.do("admin", "PATCH", fmt.Sprintf("/api/v1/cycles/%d", c.ID), fmt.Sprintf(`{"version": %d, "title": "新标题", "areas": ["新领域"]}`, c.Version))
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("cycle patch: %d %s", resp.StatusCode, b)
	}
	if after, _ := f.st.Cycle(ctx, c.ID); after.Title != c.Title || after.Version != c.Version {
		t.Errorf("a refused cycle patch saved the title: %+v", after)
	}
	u := f.units["A1"]
	resp, b = f.do("admin", "PATCH", fmt.Sprintf("/api/v1/units/%d", u.ID), fmt.Sprintf(`{"version": %d, "name": "新名字", "parent_id": 987654}`, u.Version))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, `"field":"parent_id"`) {
		t.Errorf("unit patch: %d %s", resp.StatusCode, b)
	}
	if after, _ := f.st.Unit(ctx, u.ID); after.Name != u.Name || after.Version != u.Version {
		t.Errorf("a refused unit patch saved the name: %+v", after)
	}
	m := f.users["below-a"]
	resp, b = f.do("admin", "PATCH", fmt.Sprintf("/api/v1/users/%d", m.ID), fmt.Sprintf(`{"version": %d, "name": "新名字", "locale": "fr"}`, m.Version))
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("user patch: %d %s", resp.StatusCode, b)
	}
	if after, _ := f.st.User(ctx, m.ID); after.Name != m.Name || after.Version != m.Version {
		t.Errorf("a refused user patch saved the name: %+v", after)
	}
}
