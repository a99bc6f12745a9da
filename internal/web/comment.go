package web

import (
	"net/http"
	"strconv"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/comment"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/report"
)

// commentData is the form the organizer fills while the chair comments on
// one report, with the way to the previous and next report of the agenda.
type commentData struct {
	Cycle      cycle.Cycle
	Report     report.Report
	Comment    comment.Comment
	Rows       []comment.Problem // the problems padded with empty rows
	Areas      []cycle.Area
	Severities []finding.Severity
	Findings   []finding.Finding
	Prev, Next int64
	N, Of      int // the report's place in the agenda
}

// commentsData lists a cycle's handed-in reports with their comments' state.
type commentsData struct {
	Cycle   cycle.Cycle
	Reports []report.Report
	States  map[int64]bool // report → published; absent: no comment yet
}

// State names a report's comment state for the list.
func (d commentsData) State(id int64) string {
	published, ok := d.States[id]
	switch {
	case !ok:
		return "none"
	case published:
		return "published"
	}
	return "draft"
}

// handedIn lists a cycle's handed-in reports in agenda order.
func (s *Server) handedIn(r *http.Request, c cycle.Cycle) ([]report.Report, error) {
	all, err := s.st.CycleReports(r.Context(), c.ID, []string{c.UnitPath})
	if err != nil {
		return nil, err
	}
	var out []report.Report
	for _, rp := range all {
		if rp.Status.Done() {
			out = append(out, rp)
		}
	}
	return out, nil
}

func (s *Server) cycleComments(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	if err := action.Check(principal(r), action.CommentWrite, action.CycleAt(c.UnitPath)); err != nil {
		return err
	}
	d := commentsData{Cycle: c}
	if d.Reports, err = s.handedIn(r, c); err != nil {
		return err
	}
	if d.States, err = s.st.CommentStates(r.Context(), c.ID); err != nil {
		return err
	}
	v := s.newView(w, r, "title.comments", d)
	v.Title = c.Title + " · " + v.T("title.comments")
	return s.render(w, http.StatusOK, "comments", v)
}

// commentedReport loads the {id} report and its cycle for the organizer.
func (s *Server) commentedReport(r *http.Request) (report.Report, cycle.Cycle, error) {
	rp, err := s.readableReport(r)
	if err != nil {
		return rp, cycle.Cycle{}, err
	}
	c, err := s.st.Cycle(r.Context(), rp.CycleID)
	if err != nil {
		return rp, c, err
	}
	return rp, c, action.Check(principal(r), action.CommentWrite, action.CycleAt(c.UnitPath))
}

func (s *Server) commentForm(w http.ResponseWriter, r *http.Request) error {
	rp, c, err := s.commentedReport(r)
	if err != nil {
		return err
	}
	k, err := s.st.Comment(r.Context(), rp.ID)
	if err != nil {
		return err
	}
	return s.renderComment(w, r, http.StatusOK, rp, c, k, nil)
}

func (s *Server) renderComment(w http.ResponseWriter, r *http.Request, status int, rp report.Report, c cycle.Cycle, k comment.Comment, formErr error) error {
	d := commentData{Cycle: c, Report: rp, Comment: k, Severities: finding.Scale(c.Severities)}
	d.Rows = append(append([]comment.Problem{}, k.Problems...), make([]comment.Problem, 3)...)
	var err error
	if d.Areas, err = s.st.Areas(r.Context(), c.ID); err != nil {
		return err
	}
	if d.Findings, err = s.st.ReportFindings(r.Context(), rp.ID); err != nil {
		return err
	}
	reports, err := s.handedIn(r, c)
	if err != nil {
		return err
	}
	d.Of = len(reports)
	for i, x := range reports {
		if x.ID != rp.ID {
			continue
		}
		d.N = i + 1
		if i > 0 {
			d.Prev = reports[i-1].ID
		}
		if i+1 < len(reports) {
			d.Next = reports[i+1].ID
		}
	}
	v := s.newView(w, r, "title.comment", d).withError(formErr)
	v.Title = rp.UnitName + " · " + v.T("title.comment")
	return s.render(w, status, "comment", v)
}

// commentFromForm reads the comment form; problem rows without text are
// left out.
func commentFromForm(r *http.Request, reportID int64) (comment.Comment, error) {
	f := r.PostForm
	version, err := formInt(r, "version")
	k := comment.Comment{ReportID: reportID, Version: version, Affirmations: f.Get("affirmations"),
		Requirements: f.Get("requirements"), Direction: f.Get("direction")}
	for i := 0; f.Has("problem_text_" + strconv.Itoa(i)); i++ {
		n := strconv.Itoa(i)
		if strings.TrimSpace(f.Get("problem_text_"+n)) == "" {
			continue
		}
		k.Problems = append(k.Problems, comment.Problem{Area: f.Get("problem_area_" + n),
			Severity: finding.Severity(f.Get("problem_severity_" + n)), Text: f.Get("problem_text_" + n)})
	}
	return k, err
}

// commentSave stores the draft; commentPublish stores it and publishes it.
func (s *Server) commentSave(w http.ResponseWriter, r *http.Request) error {
	return s.commentChange(w, r, false)
}

func (s *Server) commentPublish(w http.ResponseWriter, r *http.Request) error {
	return s.commentChange(w, r, true)
}

func (s *Server) commentChange(w http.ResponseWriter, r *http.Request, publish bool) error {
	rp, c, err := s.commentedReport(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	k, err := commentFromForm(r, rp.ID)
	flash := "flash.saved"
	if err == nil && publish {
		_, err = s.act.SaveAndPublishComment(r.Context(), principal(r), k)
		flash = "flash.comment_published"
	} else if err == nil {
		_, err = s.act.SaveComment(r.Context(), principal(r), k)
	}
	if err == nil {
		return s.redirect(w, r, reportPath(rp.ID)+"/comment", flash)
	}
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		current, gerr := s.st.Comment(r.Context(), rp.ID)
		if gerr != nil {
			return gerr
		}
		if !current.Published() {
			// Keep what was typed, on the version now stored.
			k.Version, k.PublishedAt = current.Version, nil
			current = k
		}
		return s.renderComment(w, r, apperr.Status(err), rp, c, current, err)
	}
	return err
}
