package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/attachment"
	"zeren/internal/comment"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/report"
	"zeren/internal/similarity"
	"zeren/internal/store"
)

type reportData struct {
	Report   report.Report
	Cycle    cycle.Cycle
	Edit     bool // the user may write the draft now
	Submit   bool // the user may hand it in now
	Review   bool // the user may return or accept it now
	Versions []store.ReportVersion
	Files    []attachment.Attachment
	Kinds    []string
	Carry    []finding.CarryOver // findings still open from earlier cycles, with the answers
	Progress []finding.Progress
	Similar  *store.Similarity // for organizers: the most similar other report
	Copied   []similarity.Span // this report's text with the passages it shares with that one
	// The chair's comment, shown to the unit once published and to those who
	// record comments while it is a draft; with the findings it made.
	Comment  comment.Comment
	Findings []finding.Finding
	Comments bool // the user records comments in this cycle
}

// Markdown renders report text safely, for the templates.
func (v *view) Markdown(s string) template.HTML { return report.HTML(s) }

// readableReport loads the {id} report if the user's grants cover its unit.
func (s *Server) readableReport(r *http.Request) (report.Report, error) {
	id, err := pathID(r)
	if err != nil {
		return report.Report{}, err
	}
	return s.act.Report(r.Context(), principal(r), id)
}

func (s *Server) reportShow(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.readableReport(r)
	if err != nil {
		return err
	}
	return s.renderReport(w, r, http.StatusOK, rp, nil)
}

func (s *Server) renderReport(w http.ResponseWriter, r *http.Request, status int, rp report.Report, formErr error) error {
	p := principal(r)
	c, err := s.st.Cycle(r.Context(), rp.CycleID)
	if err != nil {
		return err
	}
	taking := c.Status == cycle.Reporting || c.Status == cycle.Reviewing
	t := action.ReportTarget(rp)
	d := reportData{Report: rp, Cycle: c,
		Edit:   taking && rp.Status.Editable() && action.Can(p, action.ReportEdit, t),
		Submit: taking && rp.Status.Editable() && action.Can(p, action.ReportSubmit, t),
		Review: rp.Status == report.Submitted && action.Can(p, action.ReportReview, t)}
	if d.Versions, err = s.st.ReportVersions(r.Context(), rp.ID); err != nil {
		return err
	}
	if d.Carry, err = s.st.CarryOvers(r.Context(), rp.ID); err != nil {
		return err
	}
	if d.Files, err = s.st.Attachments(r.Context(), rp.ID); err != nil {
		return err
	}
	d.Comments = action.Can(p, action.CommentWrite, t)
	if d.Comment, err = s.st.Comment(r.Context(), rp.ID); err != nil {
		return err
	}
	if d.Comment.Published() || d.Comments {
		if d.Findings, err = s.st.ReportFindings(r.Context(), rp.ID); err != nil {
			return err
		}
	} else {
		d.Comment = comment.Comment{}
	}
	d.Kinds = attachment.Kinds
	d.Progress = []finding.Progress{finding.Rectified, finding.InProgress}
	if err := s.similarTo(r, &d); err != nil {
		return err
	}
	v := s.newView(w, r, "title.report", d).withError(formErr)
	v.Title = rp.UnitName + " · " + c.Title
	return s.render(w, status, "report", v)
}

// similarTo loads the report's similarity figure and marks the passages it
// shares with its best match, when there is one the user may read.
func (s *Server) similarTo(r *http.Request, d *reportData) error {
	sm, other, err := s.act.Similar(r.Context(), principal(r), d.Report)
	if err != nil || sm == nil {
		return err
	}
	d.Similar = sm
	if other == nil {
		return nil
	}
	d.Copied = similarity.Mark(sectionsText(d.Report.Sections), sectionsText(other.Sections))
	return nil
}

// sectionsText is a report's text as plain paragraphs, for marking.
func sectionsText(secs []report.Section) string {
	var b strings.Builder
	for _, s := range secs {
		for _, t := range []string{s.Achievements, s.Problems, s.NextSteps} {
			if t = strings.TrimSpace(t); t != "" {
				b.WriteString(t + "\n\n")
			}
		}
	}
	return b.String()
}

// Percent shows a 0–1 score as a whole percentage.
func (v *view) Percent(f float64) int { return int(f*100 + 0.5) }

// reportSave stores the draft: a plain form post, or the autosave that
// htmx sends every few seconds and when a field is left, which gets back
// just the new version and a "saved" line.
func (s *Server) reportSave(w http.ResponseWriter, r *http.Request) error {
	rp, err := s.readableReport(r)
	if err != nil {
		return err
	}
	if err := action.Check(principal(r), action.ReportEdit, action.ReportTarget(rp)); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	version, err := requiredInt(r, "version")
	if err != nil {
		return err
	}
	saved, err := s.saveSections(r, rp, version)
	if r.Header.Get("HX-Request") == "true" {
		v := s.newView(w, r, "title.report", saved)
		status := http.StatusOK
		if err != nil {
			if apperr.KindOf(err) == apperr.Internal {
				return err
			}
			v.withError(err)
			status = apperr.Status(err)
		}
		return s.render(w, status, "#report_saved", v)
	}
	if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Conflict {
		current, gerr := s.st.Report(r.Context(), rp.ID)
		if gerr != nil {
			return gerr
		}
		return s.renderReport(w, r, apperr.Status(err), current, err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, reportPath(rp.ID), "flash.saved")
}

// saveSections saves the form's text. An autosave may have stored the very
// same text a moment before (the field's change event and a button click
// race): a stale version whose stored text equals what the form sends is
// then no conflict, since nobody else's change would be lost; the form's
// answers are stored on top.
func (s *Server) saveSections(r *http.Request, rp report.Report, version int64) (report.Report, error) {
	posted := sectionsFromForm(rp, r)
	answers, err := s.answersFromForm(r, rp)
	if err != nil {
		return report.Report{}, err
	}
	// Autosaves of the same form may land in between, more than once while
	// the server is busy: each time the stored text is the form's, the form
	// goes on from the version they made.
	for range 3 {
		saved, err := s.act.SaveReport(r.Context(), principal(r), rp.ID, version, posted, answers...)
		if !apperr.Is(err, apperr.Conflict) {
			return saved, err
		}
		current, gerr := s.st.Report(r.Context(), rp.ID)
		if gerr != nil || !current.Status.Editable() || !report.SameText(current.Sections, posted) {
			return saved, err
		}
		if len(answers) == 0 {
			return current, nil
		}
		// The answers to carried-over findings may have been typed after
		// that autosave left: store them on its version, or they are lost.
		version = current.Version
	}
	return report.Report{}, apperr.New(apperr.Conflict, "err.stale_version")
}

// answersFromForm reads the answers to the carried-over findings the form sends.
func (s *Server) answersFromForm(r *http.Request, rp report.Report) ([]store.Answer, error) {
	cs, err := s.st.CarryOvers(r.Context(), rp.ID)
	var out []store.Answer
	for _, c := range cs {
		id := strconv.FormatInt(c.Finding.ID, 10)
		if _, ok := r.PostForm["response_"+id]; ok {
			out = append(out, store.Answer{FindingID: c.Finding.ID, Response: r.PostForm.Get("response_" + id),
				Progress: finding.Progress(r.PostForm.Get("progress_" + id))})
		}
	}
	return out, err
}

// sectionsFromForm reads the texts the form sends; a form may send some
// areas only.
func sectionsFromForm(rp report.Report, r *http.Request) []report.Section {
	var out []report.Section
	for _, sec := range rp.Sections {
		id := strconv.FormatInt(sec.AreaID, 10)
		if _, ok := r.PostForm["achievements_"+id]; !ok {
			continue
		}
		out = append(out, report.Section{AreaID: sec.AreaID,
			Achievements: r.PostForm.Get("achievements_" + id), Problems: r.PostForm.Get("problems_" + id),
			NextSteps: r.PostForm.Get("next_steps_" + id)})
	}
	return out
}

func reportPath(id int64) string { return "/reports/" + strconv.FormatInt(id, 10) }

// reportPreview renders Markdown for the live preview beside each text
// box: the field htmx names as the trigger (the whole form comes along),
// or the field "text".
func (s *Server) reportPreview(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	name := r.Header.Get("HX-Trigger-Name")
	if name == "" {
		name = "text"
	}
	text := r.PostForm.Get(name)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write([]byte(report.HTML(text)))
	return err
}

// reportMove submits (the unit leader), returns with a reason or accepts
// (the organizer) a report.
func (s *Server) reportMove(t report.Transition) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		rp, err := s.readableReport(r)
		if err != nil {
			return err
		}
		if err := action.Check(principal(r), action.MoveName(t), action.ReportTarget(rp)); err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		version, err := requiredInt(r, "version")
		// Submitting from the edit form saves its text first.
		if err == nil && t == report.Submit && (len(sectionsFromForm(rp, r)) > 0 || r.PostForm.Has("version")) {
			var saved report.Report
			if saved, err = s.saveSections(r, rp, version); err == nil {
				version = saved.Version
			}
		}
		if err == nil {
			_, err = s.act.MoveReport(r.Context(), principal(r), rp.ID, version, t, r.PostForm.Get("reason"))
		}
		if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.Conflict {
			current, gerr := s.st.Report(r.Context(), rp.ID)
			if gerr != nil {
				return gerr
			}
			return s.renderReport(w, r, apperr.Status(err), current, err)
		}
		if err != nil {
			return err
		}
		flash := map[report.Transition]string{report.Submit: "flash.report_submit", report.Return: "flash.report_return", report.Accept: "flash.report_accept"}[t]
		return s.redirect(w, r, reportPath(rp.ID), flash)
	}
}
