package action

import (
	"context"

	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/todo"
	"zeren/internal/unit"
)

// todoRule is, for each kind of to-do entry, the row the real action asks:
// an entry is shown only if that decision allows it on the entry's object.
var todoRule = map[todo.Kind]Name{
	todo.ReportWrite:      ReportEdit,
	todo.ReportRewrite:    ReportEdit,
	todo.Carryover:        ReportEdit,
	todo.ItemPlan:         RectPlan,
	todo.ItemOverdue:      RectPlan,
	todo.ItemRejected:     RectPlan,
	todo.ItemDueSoon:      RectPlan,
	todo.UrgeReply:        UrgeReply,
	todo.Verify:           RectVerify,
	todo.Extension:        ExtensionDecide,
	todo.ReportReview:     ReportReview,
	todo.CommentPublish:   CommentWrite,
	todo.AssessmentScores: AssessmentManage,
	todo.CycleStep:        CycleManage,
	todo.Ballot:           BallotCast,
}

// TodoRule returns the decision an entry of kind k is shown by.
func TodoRule(k todo.Kind) Name { return todoRule[k] }

// maxExtensions caps the pending extension requests read one by one.
const maxExtensions = 200

// Todo lists what waits on p, most urgent first (DESIGN.md section 6, "a
// to-do page for each person"). Per object, on the units p's grants name
// exactly: a unit's leader and staff get its reports, items and urge
// notices (not those of every unit below), an organizer the cycles the
// unit runs. Per cycle, from counters, over the whole subtree of each
// grant: the items a supervisor may verify and the extension requests an
// organizer may decide (the latter then one by one). Each candidate is
// kept only if the row of the decision table its real action asks allows
// it; reading one's own to-do is one's own.
func (a *Actions) Todo(ctx context.Context, p *auth.Principal) ([]todo.Entry, error) {
	if p == nil || p.Pending != "" {
		return nil, nil
	}
	work := grantUnits(p, auth.EditReport, auth.PlanRectification, auth.ReplyUrge)
	cycles := grantUnits(p, auth.ManageCycles, auth.ReviewReport)
	verify, extend := scopeUnits(p, auth.VerifyRectification), scopeUnits(p, auth.ApproveExtension)
	var all []store.TodoCandidate
	for _, q := range []func() ([]store.TodoCandidate, error){
		func() ([]store.TodoCandidate, error) { return a.st.TodoReports(ctx, work) },
		func() ([]store.TodoCandidate, error) { return a.st.TodoItems(ctx, work) },
		func() ([]store.TodoCandidate, error) { return a.st.TodoUrges(ctx, work) },
		func() ([]store.TodoCandidate, error) { return a.st.TodoCycles(ctx, cycles) },
		func() ([]store.TodoCandidate, error) { return a.st.TodoRaised(ctx, union(verify, extend)) },
		func() ([]store.TodoCandidate, error) { return a.st.TodoBallots(ctx, p.UserID) },
	} {
		cs, err := q()
		if err != nil {
			return nil, err
		}
		all = append(all, cs...)
	}
	var out []todo.Entry
	extensions := false
	for _, c := range all {
		switch c.Kind {
		case todo.Verify:
			if !verify[c.UnitID] {
				continue // the counter of a unit whose subtree another grant covers
			}
		case todo.Extension:
			// The counter says some wait; they are listed one by one below.
			extensions = extensions || (extend[c.UnitID] && CanTodo(p, c))
			continue
		}
		if CanTodo(p, c) {
			out = append(out, c.Entry)
		}
	}
	if extensions {
		cs, err := a.st.TodoExtensions(ctx, maxExtensions)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if CanTodo(p, c) {
				out = append(out, c.Entry)
			}
		}
	}
	todo.Sort(out, todo.Today(a.st.Now()))
	return out, nil
}

// CanTodo reports whether p may do what the candidate asks: its kind's row
// of the table, on the candidate's unit, cycle and raising level. A ballot
// is the voter list's (the store found it there for p alone).
func CanTodo(p *auth.Principal, c store.TodoCandidate) bool {
	n, ok := todoRule[c.Kind]
	if !ok {
		return false
	}
	if RuleOf(n).On == OnVoter {
		return c.Kind == todo.Ballot
	}
	return Can(p, n, Target{Unit: c.UnitPath, Cycle: c.CyclePath, Raiser: c.RaiserPath})
}

// grantUnits lists the units of p's grants whose role allows one of the
// actions: the units whose own work waits on p.
func grantUnits(p *auth.Principal, as ...auth.Action) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, g := range p.Grants {
		one := &auth.Principal{Grants: []auth.Grant{g}}
		for _, a := range as {
			if id := unitID(g); id != 0 && !seen[id] && one.Can(a, g.UnitPath) {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// scopeUnits is the set of units at the top of p's subtrees for the action.
func scopeUnits(p *auth.Principal, a auth.Action) map[int64]bool {
	out := map[int64]bool{}
	for _, path := range p.Scopes(a) {
		if ids := unit.Ancestors(path); len(ids) > 0 {
			out[ids[len(ids)-1]] = true
		}
	}
	return out
}

func unitID(g auth.Grant) int64 {
	if g.UnitID != 0 {
		return g.UnitID
	}
	if ids := unit.Ancestors(g.UnitPath); len(ids) > 0 {
		return ids[len(ids)-1]
	}
	return 0
}

func union(a, b map[int64]bool) []int64 {
	var out []int64
	for id := range a {
		out = append(out, id)
	}
	for id := range b {
		if !a[id] {
			out = append(out, id)
		}
	}
	return out
}
