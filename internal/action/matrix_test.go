package action_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// world is a city running a cycle in which a township of one county takes
// part: the relations a grant can have to the township's objects are the
// unit itself, its parent (the county), its child (a village), its sibling
// (another township) and the reviewing or raising level above (the city).
type world struct {
	st                                    *store.Store
	act                                   *action.Actions
	province, city, county, town, village unit.Unit
	sibling, other                        unit.Unit
	cycle                                 cycle.Cycle
	report                                report.Report
	chair, supervision, self              store.FindingRecord
	item                                  rectification.Rectification // of the chair's finding
	users                                 []int64
}

const (
	relUnit    = "unit"
	relParent  = "parent"
	relChild   = "child"
	relSibling = "sibling"
	relLevel   = "level"
)

var relations = []string{relUnit, relParent, relChild, relSibling, relLevel}

func (w *world) unitOf(rel string) unit.Unit {
	return map[string]unit.Unit{relUnit: w.town, relParent: w.county, relChild: w.village, relSibling: w.sibling, relLevel: w.city}[rel]
}

// who is a principal with one grant of the role on the relation's unit.
func (w *world) who(role auth.Role, rel string) *auth.Principal {
	u := w.unitOf(rel)
	return &auth.Principal{UserID: 1000, Login: string(role) + "@" + rel, Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path}}}
}

// real stores a user holding the principal's grants, so that the audit
// trail and the verifier-is-not-the-submitter rule see a real person.
func (w *world) real(t *testing.T, p *auth.Principal) *auth.Principal {
	t.Helper()
	ctx := context.Background()
	u, err := w.st.CreateUser(ctx, audit.System, user.Draft{Login: fmt.Sprintf("u%d", len(w.users)+1), Name: p.Login},
		auth.HashPassword("a-long-password-1"), p.Grants)
	if err != nil {
		t.Fatal(err)
	}
	w.users = append(w.users, u.ID)
	out, err := w.st.Principal(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	w := &world{st: st, act: action.New(st)}
	mk := func(parent unit.Unit, name string) unit.Unit {
		u, err := st.CreateUnit(ctx, audit.System, parent.ID, unit.Draft{Name: name, Kind: unit.Committee})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.province = mk(unit.Unit{}, "中共四川省委")
	w.city = mk(w.province, "中共绵阳市委")
	w.county = mk(w.city, "中共涪城区委")
	w.town = mk(w.county, "城厢街道党工委")
	w.village = mk(w.town, "城厢村党支部")
	w.sibling = mk(w.county, "工区街道党工委")
	w.other = mk(w.city, "中共游仙区委")
	c, err := st.CreateCycle(ctx, audit.System, w.city.ID, cycle.Draft{Year: 2020, Title: "2020年度"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetParticipants(ctx, audit.System, c.ID, c.Version, []cycle.Participant{{UnitID: w.town.ID, Mode: cycle.Written},
		{UnitID: w.sibling.ID, Mode: cycle.Written}}); err != nil {
		t.Fatal(err)
	}
	c, _ = st.Cycle(ctx, c.ID)
	if c, err = st.AdvanceCycle(ctx, audit.System, c.ID, c.Version, cycle.Reporting); err != nil {
		t.Fatal(err)
	}
	w.cycle = c
	reports, err := st.CycleReports(ctx, c.ID, []string{w.city.Path})
	if err != nil {
		t.Fatal(err)
	}
	for _, rp := range reports {
		if rp.UnitID == w.town.ID {
			w.report = rp
		}
	}
	if w.report, err = st.MoveReport(ctx, audit.System, w.report.ID, w.report.Version, report.Submit, ""); err != nil {
		t.Fatal(err)
	}
	// The city's chair points a problem out; the county's supervisor
	// records one; the township finds one itself.
	cityOrganizer := w.real(t, w.who(auth.Organizer, relLevel))
	countySupervisor := w.real(t, w.who(auth.Supervisor, relParent))
	townLeader := w.real(t, w.who(auth.UnitLeader, relUnit))
	record := func(p *auth.Principal, src finding.Source) store.FindingRecord {
		f, err := w.act.RecordFinding(ctx, p, finding.Finding{UnitID: w.town.ID, CycleID: c.ID, Source: src, Text: "问题：" + string(src)})
		if err != nil {
			t.Fatalf("record %s: %v", src, err)
		}
		rec, err := st.FindingRecord(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	w.chair = record(cityOrganizer, finding.ChairComment)
	w.supervision = record(countySupervisor, finding.Supervision)
	w.self = record(townLeader, finding.SelfExamination)
	if w.item, err = st.Rectification(ctx, w.chair.RectificationIDs[0]); err != nil {
		t.Fatal(err)
	}
	return w
}

// expected is, for each row, the roles that may take it when the grant's
// unit covers the decision's unit (DESIGN.md section 3), written out here
// rather than read from the policy.
var expected = map[action.Name][]auth.Role{
	action.UnitRead:           auth.Roles,
	action.UnitCreate:         {auth.Admin},
	action.UnitChange:         {auth.Admin},
	action.UnitChannels:       {auth.Admin},
	action.UserRead:           {auth.Admin},
	action.UserCreate:         {auth.Admin},
	action.UserChange:         {auth.Admin},
	action.SettingsChange:     {auth.Admin},
	action.AuditRead:          {auth.Admin, auth.Supervisor},
	action.CycleCreate:        {auth.Admin, auth.Organizer},
	action.CycleManage:        {auth.Admin, auth.Organizer},
	action.ReportEdit:         {auth.UnitLeader, auth.UnitStaff},
	action.ReportSubmit:       {auth.UnitLeader},
	action.ReportReview:       {auth.Admin, auth.Organizer},
	action.AppraisalManage:    {auth.Admin, auth.Organizer},
	action.AppraisalResults:   {auth.Admin, auth.Organizer, auth.Supervisor},
	action.BallotCast:         nil,
	action.CommentWrite:       {auth.Admin, auth.Organizer},
	action.FindingRecord:      {auth.Admin, auth.Organizer, auth.Supervisor},
	action.FindingRecordOwn:   {auth.UnitLeader},
	action.FindingEdit:        {auth.Admin, auth.Organizer, auth.Supervisor},
	action.FindingEditOwn:     {auth.UnitLeader},
	action.RectPlan:           {auth.UnitLeader, auth.UnitStaff},
	action.RectSubmit:         {auth.UnitLeader},
	action.RectVerify:         {auth.Admin, auth.Supervisor},
	action.ExtensionDecide:    {auth.Admin, auth.Organizer},
	action.UrgeIssue:          {auth.Admin, auth.Supervisor},
	action.UrgeReply:          {auth.UnitLeader, auth.UnitStaff},
	action.AssessmentManage:   {auth.Admin, auth.Organizer},
	action.AssessmentReadFull: {auth.Admin, auth.Organizer, auth.Supervisor},
	action.DashboardRead:      {auth.Admin, auth.Organizer, auth.Supervisor},
	action.CycleEscalation:    {auth.Admin, auth.Supervisor},
	action.JobsManage:         {auth.Admin},
}

// decidedOn is, for each row, the unit it is decided on (DESIGN.md
// section 3), written out here so that a row moved to another unit fails.
var decidedOn = map[action.Name]action.On{
	action.UnitRead: action.OnUnit, action.UnitCreate: action.OnUnit, action.UnitChange: action.OnUnit,
	action.UnitChannels: action.OnUnit,
	action.UserRead:     action.OnUser, action.UserCreate: action.OnUnit, action.UserChange: action.OnPeer,
	action.SettingsChange: action.OnTop, action.AuditRead: action.OnUnit, action.CycleCreate: action.OnUnit,
	action.CycleManage: action.OnCycle, action.ReportEdit: action.OnUnit, action.ReportSubmit: action.OnUnit,
	action.ReportReview: action.OnCycle, action.AppraisalManage: action.OnCycle, action.AppraisalResults: action.OnCycle,
	action.BallotCast: action.OnVoter, action.CommentWrite: action.OnCycle, action.FindingRecord: action.OnUnit,
	action.FindingRecordOwn: action.OnUnit, action.FindingEdit: action.OnRaiser, action.FindingEditOwn: action.OnRaiser,
	action.RectPlan: action.OnUnit, action.RectSubmit: action.OnUnit, action.RectVerify: action.OnRaiser,
	action.ExtensionDecide: action.OnRaiser, action.UrgeIssue: action.OnUnit, action.UrgeReply: action.OnUnit,
	action.AssessmentManage: action.OnCycle, action.AssessmentReadFull: action.OnCycle, action.DashboardRead: action.OnUnit,
	action.CycleEscalation: action.OnCycle, action.JobsManage: action.OnTop,
}

// covering is, for each unit a decision can be taken on, the relations
// whose grants cover it.
var covering = map[action.On][]string{
	action.OnUnit:   {relUnit, relParent, relLevel}, // the township and its ancestors
	action.OnCycle:  {relLevel},                     // the city only: never the county above the participant
	action.OnRaiser: {relLevel},                     // the chair's finding belongs to the city
}

// TestDecisionMatrix asks every object-level row for every role granted
// on every relation to the township's objects, loaded from the store.
func TestDecisionMatrix(t *testing.T) {
	w := newWorld(t)
	if w.report.CyclePath != w.city.Path || w.item.Finding.RaisedByPath != w.city.Path || w.item.UnitPath != w.town.Path {
		t.Fatalf("loaded targets: report cycle %q, item raiser %q, item unit %q", w.report.CyclePath, w.item.Finding.RaisedByPath, w.item.UnitPath)
	}
	target := action.Target{Unit: w.item.UnitPath, Cycle: w.report.CyclePath, Raiser: w.item.Finding.RaisedByPath}
	for _, r := range action.Table {
		want, ok := expected[r.Name]
		if !ok {
			t.Errorf("row %s has no expectation in this test", r.Name)
			continue
		}
		if decidedOn[r.Name] != r.On {
			t.Errorf("row %s is decided on %q, want %q", r.Name, r.On, decidedOn[r.Name])
		}
		rels, objectLevel := covering[decidedOn[r.Name]]
		if !objectLevel {
			continue // users, settings, ballots: TestUserDecisions and the web tests
		}
		for _, role := range auth.Roles {
			for _, rel := range relations {
				got := action.Can(w.who(role, rel), r.Name, target)
				if exp := slices.Contains(want, role) && slices.Contains(rels, rel); got != exp {
					t.Errorf("%s by %s on the %s: %v, want %v", r.Name, role, rel, got, exp)
				}
			}
		}
	}
	for n := range expected {
		if !slices.ContainsFunc(action.Table, func(r action.Rule) bool { return r.Name == n }) {
			t.Errorf("expectation for %s, which is no row", n)
		}
	}
}

// TestRaisingLevels: a supervision finding belongs to the recorder's
// level (the county), a self-examination finding to the township.
func TestRaisingLevels(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name  string
		rec   store.FindingRecord
		level unit.Unit
		edit  []string // relations whose supervisor may edit it and verify its items
	}{
		{"chair", w.chair, w.city, []string{relLevel}},
		{"supervision", w.supervision, w.county, []string{relParent, relLevel}},
		{"self-examination", w.self, w.town, []string{relUnit, relParent, relLevel}},
	} {
		if tc.rec.RaisedBy != tc.level.ID {
			t.Errorf("%s raised by %d, want %d", tc.name, tc.rec.RaisedBy, tc.level.ID)
		}
		x, err := w.st.Rectification(context.Background(), tc.rec.RectificationIDs[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, rel := range relations {
			p := w.who(auth.Supervisor, rel)
			want := slices.Contains(tc.edit, rel)
			if got := action.CanEditFinding(p, tc.rec); got != want {
				t.Errorf("%s: edit by the %s's supervisor: %v, want %v", tc.name, rel, got, want)
			}
			if got := action.Can(p, action.RectVerify, action.RectTarget(x)); got != want {
				t.Errorf("%s: verify by the %s's supervisor: %v, want %v", tc.name, rel, got, want)
			}
		}
	}
	// The township's leader edits its own self-examination finding, not the city's.
	leader := w.who(auth.UnitLeader, relUnit)
	if !action.CanEditFinding(leader, w.self) || action.CanEditFinding(leader, w.chair) {
		t.Error("the township's leader edits its own self-examination finding only")
	}
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if apperr.KindOf(err) != kind {
		t.Errorf("%s: %v, want kind %d", what, err, kind)
	}
}

// TestHolesClosed replays, as whole actions against the store, the
// requests that found the holes: each is refused and changes nothing; the
// same action by the right level passes.
func TestHolesClosed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	countyOrganizer := w.real(t, w.who(auth.Organizer, relParent))
	countySupervisor := w.real(t, w.who(auth.Supervisor, relParent))
	cityOrganizer := w.real(t, w.who(auth.Organizer, relLevel))
	citySupervisor := w.real(t, w.who(auth.Supervisor, relLevel))

	// A county reviewing its own township's report in the city's cycle.
	_, err := w.act.MoveReport(ctx, countyOrganizer, w.report.ID, w.report.Version, report.Return, "不够深入")
	wantKind(t, "the county returns the report", err, apperr.Forbidden)
	if rp, _ := w.st.Report(ctx, w.report.ID); rp.Status != report.Submitted || rp.Version != w.report.Version {
		t.Errorf("a refused return changed the report: %+v", rp)
	}
	if sm, other, err := w.act.Similar(ctx, countyOrganizer, w.report); err != nil || sm != nil || other != nil {
		t.Errorf("similarity shown to the county: %v %v %v", sm, other, err)
	}
	if _, err := w.act.MoveReport(ctx, cityOrganizer, w.report.ID, w.report.Version, report.Accept, ""); err != nil {
		t.Errorf("the city accepts: %v", err)
	}

	// A county supervisor rewriting the city chair's finding.
	_, err = w.act.EditFinding(ctx, countySupervisor, w.chair.ID, w.chair.Version,
		finding.Finding{Text: "轻描淡写", Severity: finding.Minor})
	wantKind(t, "the county edits the city's finding", err, apperr.Forbidden)
	if rec, _ := w.st.FindingRecord(ctx, w.chair.ID); rec.Version != w.chair.Version || rec.Text != w.chair.Text {
		t.Errorf("a refused edit changed the finding: %+v", rec)
	}
	if _, err := w.act.SplitFinding(ctx, countySupervisor, w.chair.ID, "另立一项"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the county splits the city's finding: %v", err)
	}
	if _, err := w.act.EditFinding(ctx, citySupervisor, w.chair.ID, w.chair.Version,
		finding.Finding{Text: "问题更正", Severity: finding.Major}); err != nil {
		t.Errorf("the city edits its finding: %v", err)
	}

	// The item of the city's finding: the township works it; the county
	// neither decides its extension nor verifies it.
	townLeader := w.real(t, w.who(auth.UnitLeader, relUnit))
	in30 := w.st.Now().AddDate(0, 1, 0).Format(rectification.Date)
	x, err := w.act.SavePlan(ctx, townLeader, w.item.ID, w.item.Version, rectification.Plan{Measures: "整改", Owner: "李四",
		ResponsibleLeader: "王五", Deadline: in30, Kind: rectification.Immediate})
	if err != nil {
		t.Fatal(err)
	}
	if x, err = w.act.MoveRectification(ctx, townLeader, x.ID, x.Version, rectification.Start, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.act.RequestExtension(ctx, townLeader, x.ID, w.st.Now().AddDate(0, 2, 0).Format(rectification.Date), "汛期"); err != nil {
		t.Fatal(err)
	}
	exts, _ := w.st.Extensions(ctx, x.ID)
	if len(exts) != 1 {
		t.Fatalf("extensions: %+v", exts)
	}
	_, err = w.act.DecideExtension(ctx, countyOrganizer, exts[0].ID, true)
	wantKind(t, "the county approves the extension", err, apperr.Forbidden)
	if x, err = w.act.MoveRectification(ctx, townLeader, x.ID, x.Version, rectification.Submit, ""); err != nil {
		t.Fatal(err)
	}
	_, err = w.act.MoveRectification(ctx, countySupervisor, x.ID, x.Version, rectification.Verify, "")
	wantKind(t, "the county verifies the city's item", err, apperr.Forbidden)
	if y, _ := w.st.Rectification(ctx, x.ID); y.Status != rectification.AwaitingVerification || y.Version != x.Version {
		t.Errorf("a refused verification changed the item: %+v", y)
	}
	if _, err := w.act.MoveRectification(ctx, citySupervisor, x.ID, x.Version, rectification.Verify, ""); err != nil {
		t.Errorf("the city verifies: %v", err)
	}
}

// TestUserDecisions: an admin manages a user only when every grant lies in
// their subtree, and changes one only below their own level.
func TestUserDecisions(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mk := func(login string, grants ...auth.Grant) user.User {
		u, err := w.st.CreateUser(ctx, audit.System, user.Draft{Login: login, Name: login}, auth.HashPassword("a-long-password-1"), grants)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	g := func(r auth.Role, u unit.Unit) auth.Grant { return auth.Grant{Role: r, UnitID: u.ID} }
	top := mk("top", g(auth.Admin, w.province))
	organizer := mk("organizer", g(auth.Organizer, w.province), g(auth.Observer, w.county)) // an extra grant on the county
	peer := mk("peer", g(auth.Admin, w.county))
	below := mk("below", g(auth.UnitStaff, w.town))
	countyAdminUser := mk("countyadmin", g(auth.Admin, w.county))
	countyAdmin, err := w.st.Principal(ctx, countyAdminUser.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		u    user.User
		kind apperr.Kind // of the refusal to change; Internal means allowed
	}{
		{"the top admin", top, apperr.NotFound},
		{"the root organizer with a county grant", organizer, apperr.NotFound},
		{"a peer admin of the county", peer, apperr.Forbidden},
		{"a township's staff", below, apperr.Internal},
	} {
		d := user.Draft{Name: "改名", Disabled: true}
		_, err := w.act.UpdateUser(ctx, countyAdmin, tc.u.ID, tc.u.Version, d, "")
		after, _ := w.st.User(ctx, tc.u.ID)
		if tc.kind == apperr.Internal {
			if err != nil || after.Name != "改名" || !after.Disabled {
				t.Errorf("%s: %v %+v", tc.name, err, after)
			}
			continue
		}
		wantKind(t, tc.name, err, tc.kind)
		if after.Version != tc.u.Version || after.Name != tc.u.Name || after.Disabled {
			t.Errorf("%s changed by a refused edit: %+v", tc.name, after)
		}
		if _, err := w.act.RemoveGrant(ctx, countyAdmin, grantOn(t, w.st, tc.u.ID, w.county.ID)); err == nil && tc.u.ID != top.ID {
			t.Errorf("%s: a grant removed", tc.name)
		}
	}
	list, err := w.st.Users(ctx, store.UserFilter{Scopes: countyAdmin.Scopes(auth.ManageUsers)})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range list {
		if u.ID == top.ID || u.ID == organizer.ID {
			t.Errorf("the county admin's list shows %s", u.Login)
		}
	}
	// A grant given only inside the admin's subtree.
	wantKind(t, "a grant on the city", w.act.AddGrant(ctx, countyAdmin, below.ID, auth.Observer, w.city.ID), apperr.Invalid)
	if err := w.act.AddGrant(ctx, countyAdmin, below.ID, auth.Observer, w.sibling.ID); err != nil {
		t.Errorf("a grant on a township: %v", err)
	}
}

// grantOn returns the id of the user's grant on the unit, 0 if none.
func grantOn(t *testing.T, st *store.Store, userID, unitID int64) int64 {
	gs, err := st.Grants(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		if g.UnitID == unitID {
			return g.ID
		}
	}
	return 0
}

// TestAllOrNothing: a multi-part change refused in one part saves none.
func TestAllOrNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	admin := w.real(t, w.who(auth.Admin, relLevel))

	// The cycle is reporting: its title may change, its areas may not.
	c := w.cycle
	title := "改过的标题"
	_, err := w.act.PatchCycle(ctx, admin, c.ID, c.Version, action.CyclePatch{Draft: &cycle.Draft{Year: c.Year, Title: title, Deadline: c.Deadline},
		Areas: []string{"新领域"}, SetAreas: true})
	wantKind(t, "areas outside planning", err, apperr.Conflict)
	if after, _ := w.st.Cycle(ctx, c.ID); after.Title != c.Title || after.Version != c.Version {
		t.Errorf("a refused cycle patch saved: %+v", after)
	}
	if after, err := w.act.PatchCycle(ctx, admin, c.ID, c.Version, action.CyclePatch{Draft: &cycle.Draft{Year: c.Year, Title: title}}); err != nil || after.Title != title {
		t.Errorf("the title alone: %+v %v", after, err)
	}

	// A new name and a parent that does not exist.
	u := w.village
	missing := int64(999999)
	_, err = w.act.PatchUnit(ctx, admin, u.ID, u.Version, action.UnitPatch{Draft: &unit.Draft{Name: "新名字", Kind: u.Kind}, ParentID: &missing})
	wantKind(t, "a missing parent", err, apperr.Invalid)
	// A new name and an archive refused (the township has a live village).
	yes := true
	_, err = w.act.PatchUnit(ctx, admin, w.town.ID, w.town.Version, action.UnitPatch{Draft: &unit.Draft{Name: "新名字", Kind: w.town.Kind}, Archived: &yes})
	if err == nil {
		t.Error("archived with a live sub-unit")
	}
	for _, before := range []unit.Unit{u, w.town} {
		if after, _ := w.st.Unit(ctx, before.ID); after.Name != before.Name || after.Version != before.Version || after.Archived {
			t.Errorf("a refused unit patch saved: %+v", after)
		}
	}
	// A stale version is refused before anything is written.
	_, err = w.act.PatchUnit(ctx, admin, u.ID, u.Version+1, action.UnitPatch{Draft: &unit.Draft{Name: "新名字", Kind: u.Kind}})
	wantKind(t, "a stale unit version", err, apperr.Conflict)

	// A user's new name with a password that is too short.
	staff, err := w.st.CreateUser(ctx, audit.System, user.Draft{Login: "staff", Name: "张三"}, auth.HashPassword("a-long-password-1"),
		[]auth.Grant{{Role: auth.UnitStaff, UnitID: w.town.ID}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.act.UpdateUser(ctx, admin, staff.ID, staff.Version, user.Draft{Name: "李四"}, "short")
	wantKind(t, "a short password", err, apperr.Invalid)
	if after, _ := w.st.User(ctx, staff.ID); after.Name != staff.Name || after.Version != staff.Version {
		t.Errorf("a refused user edit saved: %+v", after)
	}
}
