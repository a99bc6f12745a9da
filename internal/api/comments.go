package api

import (
	"net/http"
	"slices"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/comment"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/report"
)

// The chair's comment on a report (点评). A draft is seen only by those who
// record comments (ManageCycles on the cycle's unit); once published, by
// anyone who may read the report, and its problems are findings of the unit.

// commentOut is a comment with, once published, the findings its problems
// became.
type commentOut struct {
	comment.Comment
	Findings []finding.Finding `json:"findings,omitempty"`
}

type problemIn struct {
	Area     string           `json:"area"`
	Severity finding.Severity `json:"severity"`
	Text     string           `json:"text"`
}

// commentIn is a whole draft: what is not sent is emptied.
type commentIn struct {
	Version      *int64      `json:"version"` // 0 for the first save
	Affirmations string      `json:"affirmations"`
	Problems     []problemIn `json:"problems"`
	Requirements string      `json:"requirements"`
	Direction    string      `json:"direction"`
}

// commentTarget loads the {id} report, if p may read it, and its cycle.
func (a *API) commentTarget(r *http.Request, p *auth.Principal) (report.Report, cycle.Cycle, error) {
	rp, err := a.readableReport(r, p)
	if err != nil {
		return rp, cycle.Cycle{}, err
	}
	c, err := a.st.Cycle(r.Context(), rp.CycleID)
	return rp, c, err
}

// managedComment loads the {id} report for one who records comments on its cycle.
func (a *API) managedComment(r *http.Request, p *auth.Principal) (report.Report, error) {
	rp, c, err := a.commentTarget(r, p)
	if err != nil {
		return rp, err
	}
	return rp, action.Check(p, action.CommentWrite, action.CycleAt(c.UnitPath))
}

func (a *API) commentOut(r *http.Request, c comment.Comment) (commentOut, error) {
	c.Problems = nonNil(c.Problems)
	out := commentOut{Comment: c}
	if !c.Published() {
		return out, nil
	}
	fs, err := a.st.ReportFindings(r.Context(), c.ReportID)
	if err != nil {
		return out, err
	}
	for _, f := range fs {
		if slices.ContainsFunc(c.Problems, func(pb comment.Problem) bool { return pb.FindingID == f.ID }) {
			out.Findings = append(out.Findings, f)
		}
	}
	return out, nil
}

func (a *API) writeComment(w http.ResponseWriter, r *http.Request, c comment.Comment) error {
	out, err := a.commentOut(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// commentGet shows the comment: a published one to any reader of the
// report, a draft (or the empty one, version 0) only to its authors.
func (a *API) commentGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rp, c, err := a.commentTarget(r, p)
	if err != nil {
		return err
	}
	k, err := a.st.Comment(r.Context(), rp.ID)
	if err != nil {
		return err
	}
	if !k.Published() && !action.Can(p, action.CommentWrite, action.CycleAt(c.UnitPath)) {
		return apperr.New(apperr.NotFound, "err.not_found")
	}
	return a.writeComment(w, r, k)
}

// commentPut saves the draft comment.
func (a *API) commentPut(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rp, err := a.managedComment(r, p)
	if err != nil {
		return err
	}
	var in commentIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return apperr.Field("version", "err.required")
	}
	k := comment.Comment{ReportID: rp.ID, Version: *in.Version, Affirmations: in.Affirmations,
		Requirements: in.Requirements, Direction: in.Direction}
	for _, pb := range in.Problems {
		k.Problems = append(k.Problems, comment.Problem{Area: pb.Area, Severity: pb.Severity, Text: pb.Text})
	}
	if k, err = a.act.SaveComment(r.Context(), p, k); err != nil {
		return err
	}
	return a.writeComment(w, r, k)
}

// commentPublish publishes the comment; its problems become findings of
// the unit, returned with it.
func (a *API) commentPublish(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rp, err := a.managedComment(r, p)
	if err != nil {
		return err
	}
	version, err := decodeVersion(r)
	if err != nil {
		return err
	}
	k, err := a.act.PublishComment(r.Context(), p, rp.ID, version)
	if err != nil {
		return err
	}
	return a.writeComment(w, r, k)
}
