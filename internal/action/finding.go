package action

import (
	"context"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/finding"
	"zeren/internal/ledger"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// FindingTarget is what the finding decisions need: its unit, and the
// level that raised it, which alone edits it.
func FindingTarget(x store.FindingRecord) Target {
	return Target{Unit: x.UnitPath, Raiser: x.RaisedByPath}
}

// Finding loads a finding its reader may see.
func (a *Actions) Finding(ctx context.Context, p *auth.Principal, id int64) (store.FindingRecord, error) {
	x, err := a.st.FindingRecord(ctx, id)
	if err != nil {
		return x, err
	}
	return x, decide(p, UnitRead, FindingTarget(x))
}

// editName is the decision editing the finding needs: its raising level,
// or for a self-examination finding also the unit's own leader.
func editName(p *auth.Principal, src finding.Source, t Target) Name {
	if src == finding.SelfExamination && Can(p, FindingEditOwn, t) {
		return FindingEditOwn
	}
	return FindingEdit
}

// CanEditFinding reports whether p may edit the finding (while its items
// are being planned, which the store checks).
func CanEditFinding(p *auth.Principal, x store.FindingRecord) bool {
	t := FindingTarget(x)
	return Can(p, editName(p, x.Source, t), t)
}

// recordName is the decision recording a finding of the source needs.
func recordName(p *auth.Principal, src finding.Source, path string) Name {
	if src == finding.SelfExamination && Can(p, FindingRecordOwn, Target{Unit: path}) {
		return FindingRecordOwn
	}
	return FindingRecord
}

// CanRecord reports whether p may record a finding of some source on the
// unit at path; "" asks whether p may somewhere.
func CanRecord(p *auth.Principal, path string) bool {
	if path == "" {
		return p.CanAnywhere(auth.RecordFinding) || p.CanAnywhere(auth.RecordOwnFinding)
	}
	return Can(p, FindingRecord, Target{Unit: path}) || Can(p, FindingRecordOwn, Target{Unit: path})
}

// CanRecordAny reports whether p may record findings of every source on
// the unit at path ("" : somewhere).
func CanRecordAny(p *auth.Principal, path string) bool {
	if path == "" {
		return p.CanAnywhere(auth.RecordFinding)
	}
	return Can(p, FindingRecord, Target{Unit: path})
}

// VisibleUnit loads a unit p may see; any other is bad input in field.
func (a *Actions) VisibleUnit(ctx context.Context, p *auth.Principal, id int64, field string) (unit.Unit, error) {
	u, err := a.st.Unit(ctx, id)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return u, err
	}
	if err != nil || !Can(p, UnitRead, Target{Unit: u.Path}) {
		return unit.Unit{}, apperr.Field(field, "err.no_such_unit", id)
	}
	return u, nil
}

// RecordFinding records a finding on a unit in a cycle, with its item.
// Supervision and inspection feedback belong to the recorder's level: the
// unit of their outermost grant that records findings there.
func (a *Actions) RecordFinding(ctx context.Context, p *auth.Principal, f finding.Finding) (finding.Finding, error) {
	u, err := a.VisibleUnit(ctx, p, f.UnitID, "unit_id")
	if err != nil {
		return f, err
	}
	if !f.Source.Valid() {
		return f, apperr.Field("source", "err.unknown_source")
	}
	n := recordName(p, f.Source, u.Path)
	if err := decide(p, n, Target{Unit: u.Path}); err != nil {
		return f, err
	}
	f.RaisedBy = 0
	if n == FindingRecord {
		f.RaisedBy, _ = p.Level(auth.RecordFinding, u.Path)
	}
	return a.st.CreateFinding(ctx, p.Actor(), f)
}

// BallotComment loads an appraisal comment p may turn into a finding:
// record findings on the report's unit, read the results it is shown in.
func (a *Actions) BallotComment(ctx context.Context, p *auth.Principal, ballotID string) (store.BallotComment, error) {
	b, err := a.st.BallotComment(ctx, ballotID)
	if err != nil {
		return b, err
	}
	if err := decide(p, FindingRecord, Target{Unit: b.UnitPath}); err != nil {
		return b, err
	}
	return b, decide(p, AppraisalResults, Target{Unit: b.UnitPath, Cycle: b.Appraisal.UnitPath})
}

// PromoteComment makes a finding of a closed appraisal's ballot comment.
func (a *Actions) PromoteComment(ctx context.Context, p *auth.Principal, ballotID string, f finding.Finding) (finding.Finding, error) {
	b, err := a.BallotComment(ctx, p, ballotID)
	if err != nil {
		return f, err
	}
	return a.st.PromoteComment(ctx, p.Actor(), b.BallotID, f)
}

// EditFinding changes a finding's area, severity, text and root cause.
func (a *Actions) EditFinding(ctx context.Context, p *auth.Principal, id, version int64, f finding.Finding) (store.FindingRecord, error) {
	x, err := a.Finding(ctx, p, id)
	if err != nil {
		return x, err
	}
	t := FindingTarget(x)
	if err := decide(p, editName(p, x.Source, t), t); err != nil {
		return x, err
	}
	return a.st.UpdateFinding(ctx, p.Actor(), id, version, f)
}

// SplitFinding adds another item to an open finding; it returns the item.
func (a *Actions) SplitFinding(ctx context.Context, p *auth.Principal, id int64, note string) (int64, error) {
	x, err := a.Finding(ctx, p, id)
	if err != nil {
		return 0, err
	}
	if err := decide(p, FindingEdit, FindingTarget(x)); err != nil {
		return 0, err
	}
	return a.st.SplitFinding(ctx, p.Actor(), id, note)
}

// ImportFindings records inspection feedback from a sheet into a cycle p
// may see, on the units where p records findings.
func (a *Actions) ImportFindings(ctx context.Context, p *auth.Principal, cycleID int64, sheet ledger.FindingSheet, dryRun bool) (ledger.FindingsResult, error) {
	c, err := a.Cycle(ctx, p, cycleID)
	if err != nil {
		return ledger.FindingsResult{}, err
	}
	if !CanImportFindings(p, c.UnitPath) {
		return ledger.FindingsResult{}, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a.st.ImportFindings(ctx, p.Actor(), store.FindingsImport{CycleID: c.ID, Sheet: sheet,
		Read: p.Scopes(RuleOf(UnitRead).Need), Record: p.Scopes(RuleOf(FindingRecord).Need), DryRun: dryRun})
}

// CanImportFindings reports whether p records findings on some unit of
// the cycle run by the unit at cyclePath (each row is then checked).
func CanImportFindings(p *auth.Principal, cyclePath string) bool {
	for _, s := range p.Scopes(RuleOf(FindingRecord).Need) {
		if unit.Contains(s, cyclePath) || unit.Contains(cyclePath, s) {
			return true
		}
	}
	return false
}
