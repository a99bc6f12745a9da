// Package auth holds passwords, tokens and the authorization policy: the one
// place that decides whether a user may do an action on a unit.
package auth

import (
	"strconv"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/unit"
)

// Role is what a grant lets its holder do on a unit's subtree (DESIGN.md section 3).
type Role string

// The roles.
const (
	Admin       Role = "admin"
	Organizer   Role = "organizer"
	Supervisor  Role = "supervisor"
	UnitLeader  Role = "leader"
	UnitStaff   Role = "staff"
	Participant Role = "participant"
	Observer    Role = "observer"
)

// Roles lists every role in display order.
var Roles = []Role{Admin, Organizer, Supervisor, UnitLeader, UnitStaff, Participant, Observer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Grant gives a role on a unit and its whole subtree.
type Grant struct {
	ID       int64  `json:"id"`
	Role     Role   `json:"role"`
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	UnitPath string `json:"-"`
}

// ParseGrant reads "ROLE@UNIT_ID" as written on the command line.
func ParseGrant(s string) (Role, int64, error) {
	role, id, ok := strings.Cut(s, "@")
	if !ok {
		return "", 0, apperr.Field("grant", "err.grant_format")
	}
	if !Role(role).Valid() {
		return "", 0, apperr.Field("grant", "err.unknown_role", role)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return "", 0, apperr.Field("grant", "err.grant_format")
	}
	return Role(role), n, nil
}

// Action is something a user may try to do on a unit.
type Action string

// The actions known so far; later capabilities add theirs here, and only here.
const (
	ReadUnit    Action = "unit.read"    // see the unit in the tree
	ManageUnits Action = "unit.manage"  // create, edit, move, archive units
	ManageUsers Action = "users.manage" // users and grants within the subtree
	ReadAudit   Action = "audit.read"

	ManageCycles Action = "cycle.manage"  // create cycles, set areas and participants, advance
	EditReport   Action = "report.edit"   // write the unit's draft
	SubmitReport Action = "report.submit" // hand the report in
	ReviewReport Action = "report.review" // return or accept a submitted report
	// Appraisals are set up and comments recorded under ManageCycles; who
	// votes is the appraisal's list of voters, not a role.
	ReadResults Action = "appraisal.results" // turnout and results of a cycle's appraisal

	// Findings and rectifications; reading them is ReadUnit on the item's unit.
	RecordFinding       Action = "finding.record"       // any source, on units in the grant
	RecordOwnFinding    Action = "finding.record_own"   // self-examination findings of one's own unit
	PlanRectification   Action = "rectification.plan"   // the plan and progress updates
	SubmitRectification Action = "rectification.submit" // start the work, submit for verification, ask for an extension
	VerifyRectification Action = "rectification.verify" // verify, reject, reopen
	UrgeRectification   Action = "rectification.urge"   // issue and escalate urge notices
	ReplyUrge           Action = "urge.reply"
	ApproveExtension    Action = "extension.approve"
)

// allowed maps each action to the roles that may take it.
var allowed = map[Action][]Role{
	ReadUnit:    Roles,
	ManageUnits: {Admin},
	ManageUsers: {Admin},
	ReadAudit:   {Admin, Supervisor},

	ManageCycles: {Admin, Organizer},
	EditReport:   {UnitLeader, UnitStaff},
	SubmitReport: {UnitLeader},
	ReviewReport: {Admin, Organizer},
	ReadResults:  {Admin, Organizer, Supervisor},

	RecordFinding:       {Admin, Organizer, Supervisor},
	RecordOwnFinding:    {UnitLeader},
	PlanRectification:   {UnitLeader, UnitStaff},
	SubmitRectification: {UnitLeader},
	VerifyRectification: {Admin, Supervisor},
	UrgeRectification:   {Admin, Supervisor},
	ReplyUrge:           {UnitLeader, UnitStaff},
	ApproveExtension:    {Admin, Organizer},
}

// Principal is who is acting: a user and their grants.
type Principal struct {
	UserID int64
	Login  string
	Name   string
	Locale string
	Grants []Grant
	// Pending is StageTOTP or StageEnroll while a second factor is still due;
	// such a principal may do nothing but finish logging in.
	Pending string
}

// Can reports whether p may take action a on the unit at path.
func (p *Principal) Can(a Action, path string) bool {
	if p == nil || p.Pending != "" {
		return false
	}
	for _, g := range p.Grants {
		if unit.Contains(g.UnitPath, path) && roleAllows(g.Role, a) {
			return true
		}
	}
	return false
}

// Check returns nil if p may take action a on the unit at path, NotFound if
// p cannot even see the unit, and Forbidden otherwise.
func (p *Principal) Check(a Action, path string) error {
	if p.Can(a, path) {
		return nil
	}
	if p.Can(ReadUnit, path) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return apperr.New(apperr.NotFound, "err.not_found")
}

// CanAnywhere reports whether p may take action a on some unit, which decides
// whether a page or menu entry is offered at all.
func (p *Principal) CanAnywhere(a Action) bool {
	return len(p.Scopes(a)) > 0
}

// Scopes returns the subtree paths in which p may take action a, with nested
// ones removed, for filtering lists in SQL by path ranges.
func (p *Principal) Scopes(a Action) []string {
	if p == nil || p.Pending != "" {
		return nil
	}
	var out []string
	for _, g := range p.Grants {
		if roleAllows(g.Role, a) {
			out = append(out, g.UnitPath)
		}
	}
	return outermost(out)
}

// ScopesOrForbidden is Scopes for pages that exist only for holders of the
// action somewhere: nobody else may even see them.
func (p *Principal) ScopesOrForbidden(a Action) ([]string, error) {
	s := p.Scopes(a)
	if len(s) == 0 {
		return nil, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return s, nil
}

// ManagesUser reports whether p administers a user with the given grants:
// every one of them lies in p's ManageUsers subtrees, so that a grant
// elsewhere (a county observer grant given to the city's organizer) does
// not put the user in the county admin's hands. A user with no grant yet
// (just created, waiting to be granted) is managed by every admin.
func (p *Principal) ManagesUser(grants []Grant) bool {
	if !p.CanAnywhere(ManageUsers) {
		return false
	}
	for _, g := range grants {
		if !p.Can(ManageUsers, g.UnitPath) {
			return false
		}
	}
	return true
}

// ChangesUser reports whether p may edit, disable, reset or re-grant the
// user: p manages them and, unless p is a top admin or the user is p,
// none of their grants is at or above the unit of one of p's admin grants
// (a county admin does not take over a peer's or a superior's account).
func (p *Principal) ChangesUser(userID int64, grants []Grant) bool {
	if !p.ManagesUser(grants) {
		return false
	}
	if userID == p.UserID || p.IsTopAdmin() {
		return true
	}
	for _, g := range grants {
		for _, own := range p.Scopes(ManageUsers) {
			if unit.Contains(g.UnitPath, own) {
				return false
			}
		}
	}
	return true
}

// Level returns the unit of p's outermost grant allowing a on the unit at
// path: the level p speaks for when recording something there.
func (p *Principal) Level(a Action, path string) (int64, bool) {
	if p == nil || p.Pending != "" {
		return 0, false
	}
	var best *Grant
	for i, g := range p.Grants {
		if roleAllows(g.Role, a) && unit.Contains(g.UnitPath, path) && (best == nil || len(g.UnitPath) < len(best.UnitPath)) {
			best = &p.Grants[i]
		}
	}
	if best == nil {
		return 0, false
	}
	return best.UnitID, true
}

// IsTopAdmin reports whether p administers a whole tree (an admin grant on
// a root unit), which system-wide settings require.
func (p *Principal) IsTopAdmin() bool {
	for _, g := range p.Scopes(ManageUsers) {
		if len(unit.Ancestors(g)) == 1 {
			return true
		}
	}
	return false
}

func roleAllows(r Role, a Action) bool {
	for _, x := range allowed[a] {
		if x == r {
			return true
		}
	}
	return false
}

// outermost drops every path that lies inside another in the list.
func outermost(paths []string) []string {
	var out []string
	for i, p := range paths {
		inner := false
		for j, q := range paths {
			if i != j && unit.Contains(q, p) && (q != p || j < i) {
				inner = true
				break
			}
		}
		if !inner {
			out = append(out, p)
		}
	}
	return out
}

// Actor is the principal as the audit trail records it.
func (p *Principal) Actor() audit.Actor {
	if p == nil {
		return audit.Actor{}
	}
	return audit.Actor{UserID: p.UserID, Login: p.Login}
}
