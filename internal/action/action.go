// Package action is the one place where each change and each guarded read
// is decided (DESIGN.md section 3, STYLE.md "Actions"): an action loads the
// object, finds the unit the decision is taken on (the object's unit, the
// cycle's reviewing unit, the level that raised a finding, every grant of a
// user), asks the policy once for that unit, and calls the store, which
// applies the domain rule and writes the change with its audit event and
// counters in one transaction. The pages, the API and the CLI only parse
// and render; the buttons a page shows ask Can with the same rule.
package action

import (
	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/store"
)

// Actions holds what the actions need.
type Actions struct {
	st *store.Store
}

// New returns the actions over the store.
func New(st *store.Store) *Actions { return &Actions{st: st} }

// On names the unit a decision is taken on.
type On string

// The units a decision can be taken on.
const (
	OnUnit   On = "unit"   // the object's own unit (for a new object: the unit it goes on)
	OnCycle  On = "cycle"  // the unit that runs the cycle and reviews its participants
	OnRaiser On = "raiser" // the level that raised the finding (finding.RaisingLevel)
	OnUser   On = "user"   // every grant of the user lies in the admin's subtree
	OnPeer   On = "peer"   // as OnUser, and none at or above the admin's own level unless a top admin
	OnTop    On = "top"    // an admin grant on a root unit
	OnVoter  On = "voter"  // the appraisal's list of voters, never the voter's own unit
)

// Name names a decision: one row of the table.
type Name string

// Rule is one row of the decision table: what the policy must allow and
// on which unit.
type Rule struct {
	Name Name
	Need auth.Action // empty for OnVoter
	On   On
	What string // the changes and reads it decides, for the README
}

// The decisions. Every action asks one (or, for a move, one per unit).
const (
	UnitRead           Name = "unit.read"
	UnitCreate         Name = "unit.create"
	UnitChange         Name = "unit.change"
	UnitChannels       Name = "unit.channels"
	UserRead           Name = "user.read"
	UserCreate         Name = "user.create"
	UserChange         Name = "user.change"
	SettingsChange     Name = "settings.change"
	AuditRead          Name = "audit.read"
	CycleCreate        Name = "cycle.create"
	CycleManage        Name = "cycle.manage"
	ReportEdit         Name = "report.edit"
	ReportSubmit       Name = "report.submit"
	ReportReview       Name = "report.review"
	AppraisalManage    Name = "appraisal.manage"
	AppraisalResults   Name = "appraisal.results"
	BallotCast         Name = "ballot.cast"
	CommentWrite       Name = "comment.write"
	FindingRecord      Name = "finding.record"
	FindingRecordOwn   Name = "finding.record_own"
	FindingEdit        Name = "finding.edit"
	FindingEditOwn     Name = "finding.edit_own"
	RectPlan           Name = "rectification.plan"
	RectSubmit         Name = "rectification.submit"
	RectVerify         Name = "rectification.verify"
	ExtensionDecide    Name = "extension.decide"
	UrgeIssue          Name = "urge.issue"
	UrgeReply          Name = "urge.reply"
	AssessmentManage   Name = "assessment.manage"
	AssessmentReadFull Name = "assessment.read"
	DashboardRead      Name = "dashboard.read"
	CycleEscalation    Name = "cycle.escalation"
	JobsManage         Name = "jobs.manage"
)

// Table is the decision table, in the README's order.
var Table = []Rule{
	{UnitRead, auth.ReadUnit, OnUnit, "read a unit and what belongs to it: reports, findings, items, evidence, published comments"},
	{UnitCreate, auth.ManageUnits, OnUnit, "add a sub-unit (on the parent), one by one or by a units import"},
	{UnitChange, auth.ManageUnits, OnUnit, "rename, change kind, leader or number, archive or restore, by hand or by import; a move also on the new parent"},
	{UnitChannels, auth.ManageUnits, OnUnit, "read and set the unit's group robots and webhook (the DingTalk secret is sensitive), send a test message"},
	{UserRead, auth.ManageUsers, OnUser, "see a user in the lists and their page"},
	{UserCreate, auth.ManageUsers, OnUnit, "create a user (on the unit of every grant given), one by one or by a users import"},
	{UserChange, auth.ManageUsers, OnPeer, "edit, disable, reset the password, add or remove grants (a grant added also on its unit), by hand or by import"},
	{SettingsChange, auth.ManageUsers, OnTop, "system-wide settings"},
	{AuditRead, auth.ReadAudit, OnUnit, "read the audit trail of a subtree"},
	{CycleCreate, auth.ManageCycles, OnUnit, "start a cycle (on the unit that will run it)"},
	{CycleManage, auth.ManageCycles, OnCycle, "edit the cycle, areas, severities, participants, the meeting; advance it"},
	{ReportEdit, auth.EditReport, OnUnit, "write the draft, answer carried-over findings, add or remove attachments"},
	{ReportSubmit, auth.SubmitReport, OnUnit, "hand the report in"},
	{ReportReview, auth.ReviewReport, OnCycle, "accept or return a report; see its similarity to others"},
	{AppraisalManage, auth.ManageCycles, OnCycle, "set up, open and close the appraisal; voters and one-time codes"},
	{AppraisalResults, auth.ReadResults, OnCycle, "turnout and results of the appraisal"},
	{BallotCast, "", OnVoter, "vote (an invited voter; never on the voter's own unit)"},
	{CommentWrite, auth.ManageCycles, OnCycle, "write, read unpublished and publish the chair's comments"},
	{FindingRecord, auth.RecordFinding, OnUnit, "record a finding of any source on a unit"},
	{FindingRecordOwn, auth.RecordOwnFinding, OnUnit, "record a self-examination finding of one's own unit"},
	{FindingEdit, auth.RecordFinding, OnRaiser, "edit a finding, split it into items"},
	{FindingEditOwn, auth.RecordOwnFinding, OnRaiser, "edit one's own unit's self-examination finding"},
	{RectPlan, auth.PlanRectification, OnUnit, "plan an item, record progress with evidence"},
	{RectSubmit, auth.SubmitRectification, OnUnit, "start the work, submit for verification, ask for an extension"},
	{RectVerify, auth.VerifyRectification, OnRaiser, "verify (销号), reject, reopen an item"},
	{ExtensionDecide, auth.ApproveExtension, OnRaiser, "approve or refuse an extension"},
	{UrgeIssue, auth.UrgeRectification, OnUnit, "issue and escalate urge notices"},
	{UrgeReply, auth.ReplyUrge, OnUnit, "answer an urge notice"},
	{AssessmentManage, auth.ManageCycles, OnCycle, "the scheme, manual scores, compute, adjust, publish, reopen"},
	{AssessmentReadFull, auth.ReadResults, OnCycle, "every unit's assessment before and after publishing (a unit sees its own once published)"},
	{DashboardRead, auth.ReadResults, OnUnit, "the dashboards and figures of a unit's subtree"},
	{CycleEscalation, auth.UrgeRectification, OnCycle, "set the days without progress after which overdue items get urge notices from the system"},
	{JobsManage, auth.ManageUsers, OnTop, "see the delivery jobs that failed and retry them"},
}

// RuleOf returns the row of a decision; an unknown name is a bug.
func RuleOf(n Name) Rule {
	for _, r := range Table {
		if r.Name == n {
			return r
		}
	}
	panic("action: no rule " + string(n))
}

// Target is what a decision needs of a loaded object: the paths of its
// unit, of its cycle's reviewing unit and of the level that raised it.
type Target struct {
	Unit, Cycle, Raiser string
}

// path is the unit the rule decides on.
func (t Target) path(on On) string {
	switch on {
	case OnCycle:
		return t.Cycle
	case OnRaiser:
		return t.Raiser
	}
	return t.Unit
}

// Can reports whether p may take the decision n on t. The pages ask it
// for the buttons they show; the actions ask it through decide.
func Can(p *auth.Principal, n Name, t Target) bool {
	r := RuleOf(n)
	path := t.path(r.On)
	return path != "" && p.Can(r.Need, path)
}

// decide returns nil if p may take the decision, Forbidden if p sees the
// object (a grant covers its unit or its cycle's), NotFound otherwise.
func decide(p *auth.Principal, n Name, t Target) error {
	if Can(p, n, t) {
		return nil
	}
	return refused(p, t)
}

// refused is the error for a refused decision on t.
func refused(p *auth.Principal, t Target) error {
	if visible(p, t) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return apperr.New(apperr.NotFound, "err.not_found")
}

func visible(p *auth.Principal, t Target) bool {
	return (t.Unit != "" && p.Can(auth.ReadUnit, t.Unit)) || (t.Cycle != "" && p.Can(auth.ReadUnit, t.Cycle))
}

// Check is decide for the loaders that pages and the API still hold
// (appraisal, comment, assessment and meeting pages load their cycle
// themselves): the decision and its unit still come from the table.
func Check(p *auth.Principal, n Name, t Target) error { return decide(p, n, t) }

// CycleAt is the target of a decision on the cycle run by the unit at path.
func CycleAt(path string) Target { return Target{Unit: path, Cycle: path} }

// UnitAt is the target of a decision on the unit at path.
func UnitAt(path string) Target { return Target{Unit: path} }

// System is the principal of the command line: the operator who holds the
// database acts with every role on every unit, recorded in the audit trail
// as by.
func System(by audit.Actor) *auth.Principal {
	p := &auth.Principal{UserID: by.UserID, Login: by.Login}
	for _, r := range auth.Roles {
		p.Grants = append(p.Grants, auth.Grant{Role: r, UnitPath: "/"})
	}
	return p
}
