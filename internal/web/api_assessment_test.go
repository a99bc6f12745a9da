package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"zeren/internal/appraisal"
	"zeren/internal/assessment"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
)

// asmOut is GET /api/v1/cycles/{id}/assessment's answer.
type asmOut struct {
	Assessment assessment.Assessment `json:"assessment"`
	Scores     []assessment.Score    `json:"scores"`
	Manual     []struct {
		UnitID    int64   `json:"unit_id"`
		Indicator string  `json:"indicator"`
		Score     float64 `json:"score"`
	} `json:"manual"`
}

// asmScheme is a scheme PUT body: the default scheme, edited.
func asmScheme(t *testing.T, version int64, edit func(*assessment.Scheme)) string {
	t.Helper()
	s := assessment.DefaultScheme()
	edit(&s)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`{"version": %d, "scheme": %s}`, version, b)
}

// asmScore returns the unit's score in the answer, failing if absent.
func asmScore(t *testing.T, out asmOut, unitID int64) assessment.Score {
	t.Helper()
	for _, x := range out.Scores {
		if x.UnitID == unitID {
			return x
		}
	}
	t.Fatalf("no score of unit %d in %+v", unitID, out.Scores)
	return assessment.Score{}
}

// The assessment over the API, the whole way: a bad scheme is refused
// naming the field, a scheme is saved, a score entered by hand, computing
// waits for the assessing step, an adjustment needs a reason, the results
// are published (then fixed) and reopened. A leader of A1 sees A1's score
// only, and only while published; a supervisor sees every unit's at any time.
func TestAPIAssessment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.cycles["vA"]
	base := fmt.Sprintf("/api/v1/cycles/%d/assessment", c.ID)
	a1, a2 := f.units["A1"].ID, f.units["A2"].ID
	org := "role-organizer"
	var out asmOut
	get := func(who string) asmOut {
		t.Helper()
		var o asmOut
		if body := f.raCall(who, "GET", base, "", http.StatusOK, &o); !strings.Contains(body, `"scores":[`) {
			t.Fatalf("scores not an array: %s", body)
		}
		return o
	}

	// Before anything is stored: the default scheme, in draft, version 0.
	if out = get(org); out.Assessment.ID != 0 || out.Assessment.Version != 0 || out.Assessment.Status != assessment.Draft ||
		len(out.Assessment.Scheme.Indicators) != 5 || len(out.Scores) != 0 {
		t.Fatalf("the default assessment: %+v", out)
	}

	// A bad scheme names the field and stores nothing.
	f.raField(org, "PUT", base+"/scheme", asmScheme(t, 0, func(s *assessment.Scheme) { s.Indicators[0].Points = 30 }), "scheme.indicators")
	if e := f.raFail(org, "PUT", base+"/scheme", asmScheme(t, 0, func(s *assessment.Scheme) { s.Indicators[0].Points = 30 }), 400); !strings.Contains(e.Message, "add up to 100, not 90") {
		t.Fatalf("points adding up to 90: %+v", e)
	}
	overlap := []assessment.Band{{Grade: "好", Min: 50, Max: 100}, {Grade: "差", Min: 0, Max: 60}}
	if e := f.raFail(org, "PUT", base+"/scheme", asmScheme(t, 0, func(s *assessment.Scheme) { s.Grades[0].Bands = overlap }), 400); e.Field != "scheme.grades" || !strings.Contains(e.Message, "overlap") {
		t.Fatalf("overlapping bands: %+v", e)
	}
	gap := []assessment.Band{{Grade: "好", Min: 70, Max: 100}, {Grade: "差", Min: 0, Max: 60}}
	if e := f.raFail(org, "PUT", base+"/scheme", asmScheme(t, 0, func(s *assessment.Scheme) { s.Grades[0].Bands = gap }), 400); e.Field != "scheme.grades" || !strings.Contains(e.Message, "gap") {
		t.Fatalf("bands with a gap: %+v", e)
	}
	f.raField(org, "PUT", base+"/scheme", asmScheme(t, 0, func(s *assessment.Scheme) {
		s.PeerGroups = []assessment.PeerGroup{{Name: "x", Units: []int64{a1}}, {Name: "y", Units: []int64{a1}}}
	}), "scheme.peer_groups")
	f.raField(org, "PUT", base+"/scheme", `{"version": 0}`, "scheme")
	f.raField(org, "PUT", base+"/scheme", `{"scheme": {"indicators": []}}`, "version")
	f.raField(org, "PUT", base+"/scheme", `{"version": 0, "scheme": {"indicators": [{"key": "a", "name": "A", "points": "all", "source": "manual"}]}}`, "scheme.indicators.points")
	f.raField(org, "PUT", base+"/scheme", `{"version": 0, "scheme": {}, "extra": 1}`, "extra")
	f.raField(org, "PUT", base+"/scheme", `{"version": 0, "scheme": {"indicators": [{"key": "a", "weight": 1}]}}`, "weight")
	if out = get(org); out.Assessment.ID != 0 {
		t.Fatalf("a refused scheme was stored: %+v", out.Assessment)
	}

	// The default scheme with a peer group of A's two units.
	var asm assessment.Assessment
	f.raCall(org, "PUT", base+"/scheme", asmScheme(t, 0, func(s *assessment.Scheme) {
		s.PeerGroups = []assessment.PeerGroup{{Name: "街道", Units: []int64{a1, a2}}}
	}), http.StatusOK, &asm)
	if asm.ID == 0 || asm.Status != assessment.Draft || len(asm.Scheme.PeerGroups) != 1 || asm.Version == 0 {
		t.Fatalf("saved scheme: %+v", asm)
	}
	f.raFail(org, "PUT", base+"/scheme", asmScheme(t, 0, func(*assessment.Scheme) {}), http.StatusConflict)
	f.raFail(org, "PUT", base+"/scheme", asmScheme(t, asm.Version-1, func(*assessment.Scheme) {}), http.StatusConflict)

	// Computing waits for the assessing step.
	if e := f.raFail(org, "POST", base+"/compute", "", http.StatusConflict); !strings.Contains(e.Message, "assessing") {
		t.Fatalf("computing while reviewing: %+v", e)
	}

	// Scores entered by hand: 0 to the indicator's points, on a manual
	// indicator, for a participant; null clears.
	manual := func(unit string, indicator string, score string) string {
		return fmt.Sprintf(`{"unit_id": {%s}, "indicator": %q, "score": %s}`, unit, indicator, score)
	}
	f.raCall(org, "PUT", base+"/manual", manual("A1", "party_building", "12"), http.StatusNoContent, nil)
	if e := f.raFail(org, "PUT", base+"/manual", manual("A2", "party_building", "16"), 400); e.Field != "score" || !strings.Contains(e.Message, "between 0 and 15") {
		t.Fatalf("a manual score over the points: %+v", e)
	}
	f.raField(org, "PUT", base+"/manual", manual("A2", "party_building", "-1"), "score")
	f.raField(org, "PUT", base+"/manual", manual("A2", "party_building", `"ten"`), "score")
	f.raField(org, "PUT", base+"/manual", `{"unit_id": {A2}, "indicator": "party_building"}`, "score")
	f.raField(org, "PUT", base+"/manual", manual("A2", "appraisal", "10"), "indicator")
	f.raField(org, "PUT", base+"/manual", manual("A2", "nothing", "null"), "indicator")
	f.raField(org, "PUT", base+"/manual", manual("B1", "party_building", "10"), "unit_id")
	f.raField(org, "PUT", base+"/manual", `{"indicator": "party_building", "score": 1}`, "unit_id")
	f.raField(org, "PUT", base+"/manual", `{"unit_id": {A2}, "indicator": "party_building", "score": 1, "note": "x"}`, "note")
	f.raCall(org, "PUT", base+"/manual", manual("A2", "party_building", "10"), http.StatusNoContent, nil)
	f.raCall(org, "PUT", base+"/manual", manual("A2", "party_building", "null"), http.StatusNoContent, nil)
	if out = get(org); len(out.Manual) != 1 || out.Manual[0].UnitID != a1 || out.Manual[0].Indicator != "party_building" || out.Manual[0].Score != 12 {
		t.Fatalf("the manual scores: %+v", out.Manual)
	}
	if out = get("role-supervisor"); out.Manual != nil {
		t.Fatalf("a supervisor sees the organizer's entries: %+v", out.Manual)
	}

	// Close the appraisal and move on to assessing.
	ap := f.appraisals["A"]
	cur, _ := f.st.Appraisal(ctx, ap.ID)
	if _, err := f.st.MoveAppraisal(ctx, audit.System, ap.ID, cur.Version, appraisal.Closed); err != nil {
		t.Fatal(err)
	}
	for _, to := range []cycle.Status{cycle.Rectifying, cycle.Assessing} {
		cc, _ := f.st.Cycle(ctx, c.ID)
		if _, err := f.st.AdvanceCycle(ctx, audit.System, c.ID, cc.Version, to); err != nil {
			t.Fatal(err)
		}
	}
	if e := f.raFail(org, "POST", base+"/adjust", fmt.Sprintf(`{"unit_id": %d, "adjustment": 1, "reason": "x"}`, a1), http.StatusConflict); !strings.Contains(e.Message, "not been computed") {
		t.Fatalf("adjusting before computing: %+v", e)
	}
	f.raCall(org, "POST", base+"/compute", "", http.StatusOK, &out)
	if out.Assessment.Status != assessment.Computed || len(out.Scores) != 2 {
		t.Fatalf("computed: %+v", out)
	}
	s1 := asmScore(t, out, a1)
	if l := s1.Lines[4]; l.Key != "party_building" || l.Earned == nil || *l.Earned != 12 || s1.PeerGroup != "街道" || s1.Rank == 0 {
		t.Fatalf("A1's score: %+v", s1)
	}
	if s2 := asmScore(t, out, a2); len(s2.Missing) != 1 || s2.Missing[0] != "party_building" {
		t.Fatalf("A2's manual score should be missing: %+v", s2)
	}

	// Adjustments: a reason, within ±100, a participant.
	before := out
	adjust := func(unit, rest string) string { return fmt.Sprintf(`{"unit_id": {%s}, %s}`, unit, rest) }
	f.raField(org, "POST", base+"/adjust", adjust("A2", `"adjustment": -2`), "reason")
	f.raField(org, "POST", base+"/adjust", adjust("A2", `"adjustment": -2, "reason": "  "`), "reason")
	f.raField(org, "POST", base+"/adjust", adjust("A2", `"adjustment": 101, "reason": "x"`), "adjustment")
	f.raField(org, "POST", base+"/adjust", adjust("A2", `"reason": "x"`), "adjustment")
	f.raField(org, "POST", base+"/adjust", adjust("B1", `"adjustment": 1, "reason": "x"`), "unit_id")
	f.raField(org, "POST", base+"/adjust", `{"adjustment": 1, "reason": "x"}`, "unit_id")
	f.raField(org, "POST", base+"/adjust", adjust("A2", `"adjustment": 1, "reason": "x", "why": "x"`), "why")
	if out = get(org); out.Assessment.Version != before.Assessment.Version || asmScore(t, out, a2).Adjustment != 0 {
		t.Fatalf("a refused adjustment changed the assessment: %+v", out)
	}
	f.raCall(org, "POST", base+"/adjust", adjust("A2", `"adjustment": -2, "reason": "信访问题突出"`), http.StatusOK, &out)
	s2 := asmScore(t, out, a2)
	if s2.Adjustment != -2 || s2.Reason != "信访问题突出" || s2.Final != max(s2.Total-2, 0) || out.Assessment.Version <= before.Assessment.Version {
		t.Fatalf("adjusted: %+v %+v", s2, out.Assessment)
	}

	// Before publication: readers of results see all, a unit nothing.
	leader := "leader-a1"
	f.raUser(leader, auth.Grant{Role: auth.UnitLeader, UnitID: a1})
	if out = get("role-supervisor"); len(out.Scores) != 2 {
		t.Fatalf("a supervisor before publication: %+v", out.Scores)
	}
	for _, who := range []string{leader, "role-" + string(auth.UnitLeader), "role-" + string(auth.Observer)} {
		if e := f.raFail(who, "GET", base, "", http.StatusForbidden); !strings.Contains(e.Message, "not published") {
			t.Fatalf("%s before publication: %+v", who, e)
		}
	}

	// Publish, on the version read.
	version := get(org).Assessment.Version
	f.raField(org, "POST", base+"/publish", `{}`, "version")
	f.raFail(org, "POST", base+"/publish", fmt.Sprintf(`{"version": %d}`, version-1), http.StatusConflict)
	f.raCall(org, "POST", base+"/publish", fmt.Sprintf(`{"version": %d}`, version), http.StatusOK, &asm)
	if asm.Status != assessment.Published || asm.PublishedAt == nil {
		t.Fatalf("published: %+v", asm)
	}
	// Published results are fixed.
	for _, x := range []struct{ method, path, body string }{
		{"POST", "/compute", ""},
		{"PUT", "/scheme", asmScheme(t, asm.Version, func(*assessment.Scheme) {})},
		{"PUT", "/manual", manual("A2", "party_building", "10")},
		{"POST", "/adjust", adjust("A1", `"adjustment": 1, "reason": "x"`)},
		{"POST", "/publish", fmt.Sprintf(`{"version": %d}`, asm.Version)},
	} {
		if e := f.raFail(org, x.method, base+x.path, x.body, http.StatusConflict); !strings.Contains(e.Message, "published") {
			t.Fatalf("%s %s once published: %+v", x.method, x.path, e)
		}
	}
	if out = get(org); out.Assessment.Version != asm.Version || asmScore(t, out, a2).Adjustment != -2 {
		t.Fatalf("a refused change after publication changed something: %+v", out)
	}

	// The leader of A1 sees A1's row only.
	out = get(leader)
	if len(out.Scores) != 1 || out.Scores[0].UnitID != a1 || out.Scores[0].Final != s1.Final || out.Manual != nil {
		t.Fatalf("the A1 leader's view: %+v", out)
	}
	if out = get("role-" + string(auth.UnitLeader)); len(out.Scores) != 2 {
		t.Fatalf("a leader of A sees both sub-units: %+v", out.Scores)
	}
	f.raFail("member-b", "GET", base, "", http.StatusNotFound)
	// Changes are the organizers': 403 to a leader of A, 404 to one of A1,
	// who may not see the cycle's unit (auth.Principal.Check).
	reopen := fmt.Sprintf(`{"version": %d, "reason": "复核"}`, asm.Version)
	f.raFail("role-"+string(auth.UnitLeader), "POST", base+"/reopen", reopen, http.StatusForbidden)
	f.raFail(leader, "POST", base+"/reopen", reopen, http.StatusNotFound)

	// Reopen: a reason, the version read; the units see nothing again.
	f.raField(org, "POST", base+"/reopen", fmt.Sprintf(`{"version": %d}`, asm.Version), "reason")
	f.raField(org, "POST", base+"/reopen", `{"reason": "复核"}`, "version")
	f.raFail(org, "POST", base+"/reopen", fmt.Sprintf(`{"version": %d, "reason": "复核"}`, asm.Version-1), http.StatusConflict)
	f.raCall(org, "POST", base+"/reopen", fmt.Sprintf(`{"version": %d, "reason": "复核"}`, asm.Version), http.StatusOK, &asm)
	if asm.Status != assessment.Computed || asm.PublishedAt != nil {
		t.Fatalf("reopened: %+v", asm)
	}
	f.raFail(leader, "GET", base, "", http.StatusForbidden)
	f.raFail(org, "POST", base+"/reopen", fmt.Sprintf(`{"version": %d, "reason": "复核"}`, asm.Version), http.StatusConflict)
	// Changes are allowed again: a new adjustment is taken.
	f.raCall(org, "POST", base+"/adjust", adjust("A2", `"adjustment": 0`), http.StatusOK, &out)
	if s2 := asmScore(t, out, a2); s2.Adjustment != 0 || s2.Reason != "" {
		t.Fatalf("the adjustment removed: %+v", s2)
	}
}
