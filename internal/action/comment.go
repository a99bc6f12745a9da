package action

import (
	"context"

	"zeren/internal/auth"
	"zeren/internal/comment"
	"zeren/internal/report"
)

// The chair's comments are decided on the cycle's reviewing unit.

// commentReport loads a report for one who writes its cycle's comments.
func (a *Actions) commentReport(ctx context.Context, p *auth.Principal, reportID int64) (report.Report, error) {
	return a.report(ctx, p, reportID, CommentWrite)
}

// CanComment reports whether p writes the comments on the report.
func CanComment(p *auth.Principal, rp report.Report) bool {
	return Can(p, CommentWrite, ReportTarget(rp))
}

// SaveComment stores the draft comment on a report.
func (a *Actions) SaveComment(ctx context.Context, p *auth.Principal, k comment.Comment) (comment.Comment, error) {
	if _, err := a.commentReport(ctx, p, k.ReportID); err != nil {
		return k, err
	}
	return a.st.SaveComment(ctx, p.Actor(), k)
}

// PublishComment makes the comment public and its problems findings.
func (a *Actions) PublishComment(ctx context.Context, p *auth.Principal, reportID, version int64) (comment.Comment, error) {
	if _, err := a.commentReport(ctx, p, reportID); err != nil {
		return comment.Comment{}, err
	}
	return a.st.PublishComment(ctx, p.Actor(), reportID, version)
}

// SaveAndPublishComment saves the draft and publishes it in one
// transaction: a refused publication leaves the stored draft as it was.
func (a *Actions) SaveAndPublishComment(ctx context.Context, p *auth.Principal, k comment.Comment) (comment.Comment, error) {
	if _, err := a.commentReport(ctx, p, k.ReportID); err != nil {
		return k, err
	}
	var out comment.Comment
	err := a.st.InTx(ctx, func(ctx context.Context) error {
		saved, err := a.st.SaveComment(ctx, p.Actor(), k)
		if err != nil {
			return err
		}
		out, err = a.st.PublishComment(ctx, p.Actor(), k.ReportID, saved.Version)
		return err
	})
	return out, err
}
