package action

import (
	"context"

	"zeren/internal/apperr"
	"zeren/internal/attachment"
	"zeren/internal/auth"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
)

// RectTarget is what the item decisions need: the item's unit plans and
// works it, the level that raised its finding verifies it and decides its
// extensions.
func RectTarget(x rectification.Rectification) Target {
	return Target{Unit: x.UnitPath, Raiser: x.Finding.RaisedByPath}
}

// Rectification loads an item its reader may see.
func (a *Actions) Rectification(ctx context.Context, p *auth.Principal, id int64) (rectification.Rectification, error) {
	x, err := a.st.Rectification(ctx, id)
	if err != nil {
		return x, err
	}
	return x, decide(p, UnitRead, RectTarget(x))
}

func (a *Actions) rect(ctx context.Context, p *auth.Principal, id int64, n Name) (rectification.Rectification, error) {
	x, err := a.Rectification(ctx, p, id)
	if err != nil {
		return x, err
	}
	return x, decide(p, n, RectTarget(x))
}

// SavePlan stores an item's plan.
func (a *Actions) SavePlan(ctx context.Context, p *auth.Principal, id, version int64, plan rectification.Plan) (rectification.Rectification, error) {
	if _, err := a.rect(ctx, p, id, RectPlan); err != nil {
		return rectification.Rectification{}, err
	}
	return a.st.SavePlan(ctx, p.Actor(), id, version, plan)
}

// StepName is the decision a step of the item's status machine needs: the
// unit starts and submits, the raising level verifies, rejects, reopens.
func StepName(m rectification.Move) Name {
	switch m {
	case rectification.Start, rectification.Submit:
		return RectSubmit
	}
	return RectVerify
}

// MoveRectification takes a step of the item's status machine.
func (a *Actions) MoveRectification(ctx context.Context, p *auth.Principal, id, version int64, m rectification.Move, reason string) (rectification.Rectification, error) {
	var out rectification.Rectification
	err := a.st.InTx(ctx, func(ctx context.Context) error {
		x, err := a.rect(ctx, p, id, StepName(m))
		if err != nil {
			return err
		}
		if out, err = a.st.MoveRectification(ctx, p.Actor(), id, version, m, reason); err != nil {
			return err
		}
		return a.rectMoved(ctx, x, m, reason)
	})
	return out, err
}

// AddUpdate records progress with evidence files.
func (a *Actions) AddUpdate(ctx context.Context, p *auth.Principal, id int64, text string, files []store.Upload, maxSize int64) error {
	if _, err := a.rect(ctx, p, id, RectPlan); err != nil {
		return err
	}
	return a.st.AddUpdate(ctx, p.Actor(), id, text, files, maxSize)
}

// RequestExtension asks for a later deadline.
func (a *Actions) RequestExtension(ctx context.Context, p *auth.Principal, id int64, deadline, reason string) error {
	if _, err := a.rect(ctx, p, id, RectSubmit); err != nil {
		return err
	}
	return a.st.RequestExtension(ctx, p.Actor(), id, deadline, reason)
}

// DecideExtension approves or refuses a pending request; it returns the
// item's id.
func (a *Actions) DecideExtension(ctx context.Context, p *auth.Principal, extID int64, approve bool) (int64, error) {
	id, err := a.st.ExtensionItem(ctx, extID)
	if err != nil {
		return 0, err
	}
	if _, err := a.rect(ctx, p, id, ExtensionDecide); err != nil {
		return id, err
	}
	return id, a.st.DecideExtension(ctx, p.Actor(), extID, approve)
}

// IssueUrge issues an urge notice on an item.
func (a *Actions) IssueUrge(ctx context.Context, p *auth.Principal, id int64, u rectification.Urge) (int64, error) {
	var urgeID int64
	err := a.st.InTx(ctx, func(ctx context.Context) error {
		x, err := a.rect(ctx, p, id, UrgeIssue)
		if err != nil {
			return err
		}
		if urgeID, err = a.st.IssueUrge(ctx, p.Actor(), id, u); err != nil {
			return err
		}
		return a.urged(ctx, x, urgeID, u.Level, u.ReplyBy)
	})
	return urgeID, err
}

// Urge loads a notice for decision n on its item.
func (a *Actions) Urge(ctx context.Context, p *auth.Principal, urgeID int64, n Name) (rectification.Urge, error) {
	u, err := a.st.Urge(ctx, urgeID)
	if err != nil {
		return u, err
	}
	_, err = a.rect(ctx, p, u.RectificationID, n)
	return u, err
}

// ReplyUrge records the unit's answer to a notice.
func (a *Actions) ReplyUrge(ctx context.Context, p *auth.Principal, urgeID int64, reply string) (rectification.Urge, error) {
	u, err := a.Urge(ctx, p, urgeID, UrgeReply)
	if err != nil {
		return u, err
	}
	return u, a.st.ReplyUrge(ctx, p.Actor(), urgeID, reply)
}

// EscalateUrge replaces an unanswered notice by one of the next level.
func (a *Actions) EscalateUrge(ctx context.Context, p *auth.Principal, urgeID int64, text, replyBy string) (rectification.Urge, int64, error) {
	var u rectification.Urge
	var id int64
	err := a.st.InTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = a.Urge(ctx, p, urgeID, UrgeIssue); err != nil {
			return err
		}
		if id, err = a.st.EscalateUrge(ctx, p.Actor(), urgeID, text, replyBy); err != nil {
			return err
		}
		x, err := a.st.Rectification(ctx, u.RectificationID)
		if err != nil {
			return err
		}
		next, err := a.st.Urge(ctx, id)
		if err != nil {
			return err
		}
		return a.urged(ctx, x, id, next.Level, next.ReplyBy)
	})
	return u, id, err
}

// EvidenceFile loads an update's evidence for a reader of its item.
func (a *Actions) EvidenceFile(ctx context.Context, p *auth.Principal, id int64) (attachment.Attachment, []byte, error) {
	f, data, item, err := a.st.EventFile(ctx, id)
	if err != nil {
		return f, nil, err
	}
	if _, err := a.Rectification(ctx, p, item); err != nil {
		return f, nil, err
	}
	return f, data, nil
}

// RectCan is what a user may do on an item now: the decisions, and the
// state the item must be in for each step.
type RectCan struct {
	Plan, Start, Submit, Verify, Reopen, Update bool
	Extend, Approve, Urge, Reply, Split         bool
}

// CanOnRect answers RectCan for p and the item.
func CanOnRect(p *auth.Principal, x rectification.Rectification) RectCan {
	t := RectTarget(x)
	open := x.Status != rectification.Closed
	return RectCan{
		Plan:    Can(p, RectPlan, t) && (x.Status == rectification.Planning || x.Status == rectification.InProgress),
		Start:   Can(p, RectSubmit, t) && x.Status == rectification.Planning,
		Submit:  Can(p, RectSubmit, t) && x.Status == rectification.InProgress,
		Verify:  Can(p, RectVerify, t) && x.Status == rectification.AwaitingVerification && x.SubmittedBy != p.UserID,
		Reopen:  Can(p, RectVerify, t) && x.Status == rectification.Closed,
		Update:  Can(p, RectPlan, t) && open,
		Extend:  Can(p, RectSubmit, t) && (x.Status == rectification.InProgress || x.Status == rectification.AwaitingVerification),
		Approve: Can(p, ExtensionDecide, t) && open,
		Urge:    Can(p, UrgeIssue, t) && open,
		Reply:   Can(p, UrgeReply, t),
		Split:   Can(p, FindingEdit, t) && x.Finding.Status == "open",
	}
}

// ImportLedger applies an edited ledger of a cycle p may see: plans and
// progress of the items p plans (each row is checked against RectPlan's
// subtrees), all or nothing.
func (a *Actions) ImportLedger(ctx context.Context, p *auth.Principal, cycleID int64, sheet ledger.Sheet, dryRun bool) (ledger.Result, error) {
	if _, err := a.Cycle(ctx, p, cycleID); err != nil {
		return ledger.Result{}, err
	}
	edit := p.Scopes(RuleOf(RectPlan).Need)
	if len(edit) == 0 {
		return ledger.Result{}, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a.st.ImportLedger(ctx, p.Actor(), store.LedgerImport{CycleID: cycleID, Sheet: sheet,
		Read: p.Scopes(RuleOf(UnitRead).Need), Edit: edit, DryRun: dryRun})
}

// CanImportLedger reports whether p plans items somewhere.
func CanImportLedger(p *auth.Principal) bool { return len(p.Scopes(RuleOf(RectPlan).Need)) > 0 }
