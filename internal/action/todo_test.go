package action_test

import (
	"context"
	"slices"
	"testing"

	"zeren/internal/action"
	"zeren/internal/auth"
	"zeren/internal/rectification"
	"zeren/internal/todo"
)

// TestTodoRelations asks the to-do of every role granted on every relation
// to the township: the township's own work goes to its leader and staff
// only (not to the county's or the city's, whose grants cover it too); the
// chair's item awaiting verification goes to the city's supervisors and
// admins, never the county's, though the item lies in the county's subtree;
// the extension asked on the county's supervision item goes to the
// organizers and admins of the county and the city. And no entry is one
// its holder could not act on.
func TestTodoRelations(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	leader := w.real(t, w.who(auth.UnitLeader, relUnit))
	in30 := w.st.Now().AddDate(0, 1, 0).Format(rectification.Date)
	plan := rectification.Plan{Measures: "整改", Owner: "李四", ResponsibleLeader: "王五", Deadline: in30, Kind: rectification.Immediate}
	work := func(id int64, moves ...rectification.Move) rectification.Rectification {
		x, err := w.st.Rectification(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if x, err = w.act.SavePlan(ctx, leader, x.ID, x.Version, plan); err != nil {
			t.Fatal(err)
		}
		for _, m := range moves {
			if x, err = w.act.MoveRectification(ctx, leader, x.ID, x.Version, m, ""); err != nil {
				t.Fatal(err)
			}
		}
		return x
	}
	work(w.item.ID, rectification.Start, rectification.Submit)
	sup := work(w.supervision.RectificationIDs[0], rectification.Start)
	if err := w.act.RequestExtension(ctx, leader, sup.ID, w.st.Now().AddDate(0, 2, 0).Format(rectification.Date), "汛期"); err != nil {
		t.Fatal(err)
	}
	// The self-examination item stays in planning; the township's report
	// is handed in, the sibling's is still a draft.
	want := map[todo.Kind]map[auth.Role][]string{
		todo.ReportWrite: {auth.UnitLeader: {relSibling}, auth.UnitStaff: {relSibling}},
		todo.ItemPlan:    {auth.UnitLeader: {relUnit}, auth.UnitStaff: {relUnit}},
		todo.Verify:      {auth.Admin: {relLevel}, auth.Supervisor: {relLevel}},
		todo.Extension:   {auth.Admin: {relParent, relLevel}, auth.Organizer: {relParent, relLevel}},
	}
	for _, role := range auth.Roles {
		for _, rel := range relations {
			p := w.who(role, rel)
			es, err := w.act.Todo(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			got := map[todo.Kind]bool{}
			for _, e := range es {
				got[e.Kind] = true
				if e.Kind == todo.CycleStep || e.Kind == todo.ReportReview {
					continue // the city's cycle: TestTodoCycle
				}
				if _, ok := want[e.Kind]; !ok {
					t.Errorf("%s on the %s: unexpected %s entry %+v", role, rel, e.Kind, e)
				}
			}
			for k, byRole := range want {
				if exp := slices.Contains(byRole[role], rel); got[k] != exp {
					t.Errorf("%s on the %s: %s entry %v, want %v", role, rel, k, got[k], exp)
				}
			}
		}
	}
	// A verify count is the counter's: one item, on the city's row.
	es, _ := w.act.Todo(ctx, w.who(auth.Supervisor, relLevel))
	for _, e := range es {
		if e.Kind == todo.Verify && (e.Count != 1 || e.UnitID != w.city.ID) {
			t.Errorf("verify entry %+v", e)
		}
	}
	// Verified, it leaves the to-do; the refused extension too.
	x, _ := w.st.Rectification(ctx, w.item.ID)
	if _, err := w.act.MoveRectification(ctx, w.real(t, w.who(auth.Supervisor, relLevel)), x.ID, x.Version, rectification.Verify, ""); err != nil {
		t.Fatal(err)
	}
	exts, _ := w.st.Extensions(ctx, sup.ID)
	if _, err := w.act.DecideExtension(ctx, w.real(t, w.who(auth.Organizer, relParent)), exts[0].ID, false); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*auth.Principal{w.who(auth.Supervisor, relLevel), w.who(auth.Organizer, relParent)} {
		es, _ := w.act.Todo(ctx, p)
		for _, e := range es {
			if e.Kind == todo.Verify || e.Kind == todo.Extension {
				t.Errorf("%s: still %+v", p.Login, e)
			}
		}
	}
}

// TestTodoCycle: the city's organizer and admin get the city's cycle and
// the township's submitted report to review; the county's do not, though
// their grants cover the township.
func TestTodoCycle(t *testing.T) {
	w := newWorld(t)
	for _, role := range auth.Roles {
		for _, rel := range relations {
			es, err := w.act.Todo(context.Background(), w.who(role, rel))
			if err != nil {
				t.Fatal(err)
			}
			var step, review bool
			for _, e := range es {
				step = step || (e.Kind == todo.CycleStep && e.CycleID == w.cycle.ID && e.Detail == "reviewing")
				review = review || (e.Kind == todo.ReportReview && e.Count == 1)
			}
			exp := rel == relLevel && (role == auth.Admin || role == auth.Organizer)
			if step != exp || review != exp {
				t.Errorf("%s on the %s: cycle step %v, review %v, want %v", role, rel, step, review, exp)
			}
		}
	}
	if es, _ := w.act.Todo(context.Background(), &auth.Principal{Pending: "totp"}); es != nil {
		t.Error("a half signed-in principal has a to-do")
	}
	if action.TodoRule(todo.Verify) != action.RectVerify || action.TodoRule(todo.Ballot) != action.BallotCast {
		t.Error("an entry is shown by another row than its action's")
	}
}
