package action

import (
	"context"

	"zeren/internal/attachment"
	"zeren/internal/auth"
	"zeren/internal/report"
	"zeren/internal/store"
)

// ReportTarget is what the report decisions need: the report's unit does
// the work, the cycle's unit reviews it.
func ReportTarget(rp report.Report) Target {
	return Target{Unit: rp.UnitPath, Cycle: rp.CyclePath}
}

// Report loads a report its reader may see.
func (a *Actions) Report(ctx context.Context, p *auth.Principal, id int64) (report.Report, error) {
	rp, err := a.st.Report(ctx, id)
	if err != nil {
		return rp, err
	}
	return rp, decide(p, UnitRead, ReportTarget(rp))
}

// report loads a report for decision n.
func (a *Actions) report(ctx context.Context, p *auth.Principal, id int64, n Name) (report.Report, error) {
	rp, err := a.Report(ctx, p, id)
	if err != nil {
		return rp, err
	}
	return rp, decide(p, n, ReportTarget(rp))
}

// SaveReport writes a draft's sections and the answers to the findings
// carried over into it.
func (a *Actions) SaveReport(ctx context.Context, p *auth.Principal, id, version int64, sections []report.Section, answers ...store.Answer) (report.Report, error) {
	if _, err := a.report(ctx, p, id, ReportEdit); err != nil {
		return report.Report{}, err
	}
	return a.st.SaveReport(ctx, p.Actor(), id, version, sections, answers...)
}

// MoveName is the decision a report transition needs: the unit leader
// submits, the cycle's reviewing unit returns or accepts.
func MoveName(t report.Transition) Name {
	if t == report.Submit {
		return ReportSubmit
	}
	return ReportReview
}

// MoveReport submits, returns (with a reason) or accepts a report.
func (a *Actions) MoveReport(ctx context.Context, p *auth.Principal, id, version int64, t report.Transition, reason string) (report.Report, error) {
	var out report.Report
	err := a.st.InTx(ctx, func(ctx context.Context) error {
		if _, err := a.report(ctx, p, id, MoveName(t)); err != nil {
			return err
		}
		var err error
		if out, err = a.st.MoveReport(ctx, p.Actor(), id, version, t, reason); err != nil {
			return err
		}
		return a.reportMoved(ctx, out)
	})
	return out, err
}

// AddAttachment adds an evidence file to a report being written.
func (a *Actions) AddAttachment(ctx context.Context, p *auth.Principal, reportID int64, name string, data []byte, maxSize int64) (attachment.Attachment, error) {
	if _, err := a.report(ctx, p, reportID, ReportEdit); err != nil {
		return attachment.Attachment{}, err
	}
	return a.st.AddAttachment(ctx, p.Actor(), reportID, name, data, maxSize)
}

// Attachment loads a report's file for a reader of the report.
func (a *Actions) Attachment(ctx context.Context, p *auth.Principal, id int64) (attachment.Attachment, []byte, report.Report, error) {
	f, data, err := a.st.AttachmentData(ctx, id)
	if err != nil {
		return f, nil, report.Report{}, err
	}
	rp, err := a.Report(ctx, p, f.ReportID)
	return f, data, rp, err
}

// RemoveAttachment deletes a file from a report being written; it returns
// the report it belonged to.
func (a *Actions) RemoveAttachment(ctx context.Context, p *auth.Principal, id int64) (report.Report, error) {
	_, _, rp, err := a.Attachment(ctx, p, id)
	if err != nil {
		return rp, err
	}
	if err := decide(p, ReportEdit, ReportTarget(rp)); err != nil {
		return rp, err
	}
	return rp, a.st.RemoveAttachment(ctx, p.Actor(), id)
}

// Similar is the report's best match in the cycle, for its reviewers,
// and the other report when the reader may open it (nil otherwise).
func (a *Actions) Similar(ctx context.Context, p *auth.Principal, rp report.Report) (*store.Similarity, *report.Report, error) {
	if !Can(p, ReportReview, ReportTarget(rp)) {
		return nil, nil, nil
	}
	sm, err := a.st.ReportSimilarity(ctx, rp.ID)
	if err != nil || sm.MatchID == 0 {
		return nil, nil, err
	}
	other, err := a.st.Report(ctx, sm.MatchID)
	if err != nil {
		return nil, nil, err
	}
	if !Can(p, UnitRead, ReportTarget(other)) {
		// The figure may be shown, never the name of a report the reader
		// may not open.
		sm.MatchID, sm.MatchUnit = 0, ""
		return &sm, nil, nil
	}
	return &sm, &other, nil
}
