package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/unit"
)

// formSources are the sources a finding is recorded from on the form. The
// others arrive by themselves: chair comments when the comment is
// published, appraisal comments from the results page (with their ballot),
// carried-over findings when a new cycle starts.
var formSources = []finding.Source{finding.Supervision, finding.InspectionFeedback, finding.SelfExamination}

// findingNewData is the form that records a finding: what it holds
// (prefilled or posted) and the choices it offers.
type findingNewData struct {
	Draft      finding.Finding
	Unit       unit.Unit   // the unit chosen, if any
	Cycle      cycle.Cycle // the cycle chosen, if any
	Ballot     string      // the appraisal ballot whose comment becomes the finding
	Cycles     []cycle.Cycle
	Areas      []cycle.Area // of the chosen cycle
	Severities []finding.Severity
	Sources    []finding.Source // those the user may record
}

// CanRecordFinding reports whether the user may record a finding of any
// source on the unit at path (the results page's "make a finding").
func (v *view) CanRecordFinding(path string) bool { return action.CanRecordAny(v.User, path) }

// queryID reads the first of the named query parameters that is set; 0 or
// none is no choice. The form's own field names are accepted too, so that
// changing the cycle on the form can reload its areas.
func queryID(r *http.Request, field string, names ...string) (int64, error) {
	for _, name := range names {
		v := strings.TrimSpace(r.URL.Query().Get(name))
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, apperr.Field(field, "err.not_a_number")
		}
		return n, nil
	}
	return 0, nil
}

// visibleUnit loads a unit the user may see; any other is bad input.
func (s *Server) visibleUnit(r *http.Request, id int64) (unit.Unit, error) {
	return s.act.VisibleUnit(r.Context(), principal(r), id, "unit_id")
}

// findingNew shows the form: ?unit=ID&cycle=ID preselect the unit and the
// cycle (the ledger's filter), ?ballot=ID prefills it from an appraisal
// comment on the results page.
func (s *Server) findingNew(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	d := findingNewData{}
	if ballot := r.URL.Query().Get("ballot"); ballot != "" {
		b, err := s.act.BallotComment(r.Context(), p, ballot)
		if err != nil {
			return err
		}
		if err := b.Check(); err != nil {
			return err
		}
		d.Ballot = b.BallotID
		d.Unit = unit.Unit{ID: b.UnitID, Name: b.UnitName, Path: b.UnitPath}
		d.Draft = finding.Finding{UnitID: b.UnitID, CycleID: b.CycleID, ReportID: b.ReportID, Source: finding.Appraisal, Text: b.Text}
		return s.renderFindingNew(w, r, http.StatusOK, d, nil)
	}
	var err error
	if d.Draft.UnitID, err = queryID(r, "unit_id", "unit", "unit_id"); err != nil {
		return err
	}
	if d.Draft.CycleID, err = queryID(r, "cycle_id", "cycle", "cycle_id"); err != nil {
		return err
	}
	if d.Draft.UnitID != 0 {
		if d.Unit, err = s.visibleUnit(r, d.Draft.UnitID); err != nil {
			return err
		}
	}
	if !action.CanRecord(p, d.Unit.Path) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return s.renderFindingNew(w, r, http.StatusOK, d, nil)
}

// renderFindingNew shows the form with its choices: the cycles the user
// sees (the newest holding the unit, when none is chosen), the chosen
// cycle's areas and severity scale, the sources the user may record.
func (s *Server) renderFindingNew(w http.ResponseWriter, r *http.Request, status int, d findingNewData, formErr error) error {
	p := principal(r)
	ctx := r.Context()
	var err error
	if d.Cycles, err = s.st.Cycles(ctx, p.Scopes(auth.ReadUnit)); err != nil {
		return err
	}
	for _, c := range d.Cycles {
		if d.Draft.CycleID == c.ID || d.Draft.CycleID == 0 && (d.Unit.ID == 0 || unit.Contains(c.UnitPath, d.Unit.Path)) {
			d.Cycle, d.Draft.CycleID = c, c.ID
			break
		}
	}
	if d.Cycle.ID == 0 && d.Draft.CycleID != 0 { // a cycle the unit takes part in, not listed for the user
		if d.Cycle, err = s.st.Cycle(ctx, d.Draft.CycleID); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	d.Severities = finding.Scale(d.Cycle.Severities)
	if d.Cycle.ID != 0 {
		if d.Areas, err = s.st.Areas(ctx, d.Cycle.ID); err != nil {
			return err
		}
	}
	switch {
	case d.Ballot != "":
		d.Sources = []finding.Source{finding.Appraisal}
	case action.CanRecordAny(p, d.Unit.Path):
		d.Sources = formSources
	default:
		d.Sources = []finding.Source{finding.SelfExamination}
	}
	v := s.newView(w, r, "title.finding_new", d).withError(formErr)
	return s.render(w, status, "finding_new", v)
}

// findingCreate records the finding and goes to its item; bad input shows
// the form again with what was posted and the field named.
func (s *Server) findingCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	d := findingNewData{Ballot: strings.TrimSpace(f.Get("ballot_id")), Draft: finding.Finding{Source: finding.Source(f.Get("source")),
		Area: f.Get("area"), Severity: finding.Severity(f.Get("severity")), Text: f.Get("text"), RootCause: f.Get("root_cause")}}
	id, err := s.recordFinding(r, &d)
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		return s.renderFindingNew(w, r, apperr.Status(err), d, err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, rectPath(id), "flash.finding_recorded")
}

// recordFinding checks the posted finding and records it, returning its
// item's id. Who may record is checked once the unit (and, for a comment,
// the ballot) is known; refusals are returned as they are, not shown on
// the form.
func (s *Server) recordFinding(r *http.Request, d *findingNewData) (int64, error) {
	p, ctx := principal(r), r.Context()
	var err error
	if d.Draft.UnitID, err = requiredInt(r, "unit_id"); err != nil {
		return 0, err
	}
	if d.Draft.CycleID, err = requiredInt(r, "cycle_id"); err != nil {
		return 0, err
	}
	if d.Draft.ReportID, err = formInt(r, "report_id"); err != nil {
		return 0, err
	}
	if d.Unit, err = s.visibleUnit(r, d.Draft.UnitID); err != nil {
		d.Draft.UnitID = 0
		return 0, err
	}
	if d.Ballot != "" {
		if _, err := s.act.BallotComment(ctx, p, d.Ballot); err != nil {
			return 0, err
		}
	} else {
		if !d.Draft.Source.Valid() {
			return 0, apperr.Field("source", "err.unknown_source")
		}
		if !slices.Contains(formSources, d.Draft.Source) {
			return 0, apperr.Field("source", "err.source_not_on_form")
		}
	}
	if err := s.checkArea(r, d.Draft.CycleID, d.Draft.Area); err != nil {
		return 0, err
	}
	var made finding.Finding
	if d.Ballot != "" {
		made, err = s.act.PromoteComment(ctx, p, d.Ballot, d.Draft)
	} else {
		made, err = s.act.RecordFinding(ctx, p, d.Draft)
	}
	if err != nil {
		return 0, err
	}
	rec, err := s.st.FindingRecord(ctx, made.ID)
	if err == nil && len(rec.RectificationIDs) == 0 {
		err = fmt.Errorf("finding %d recorded without its item", made.ID)
	}
	if err != nil {
		return 0, err
	}
	return rec.RectificationIDs[0], nil
}

// checkArea holds the form to the areas it offers: those of the cycle, or
// none. (Findings recorded through the API and the demo name areas freely.)
func (s *Server) checkArea(r *http.Request, cycleID int64, area string) error {
	area = strings.TrimSpace(area)
	if area == "" {
		return nil
	}
	c, err := s.st.Cycle(r.Context(), cycleID)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field("cycle_id", "err.no_such_cycle", cycleID)
	}
	if err != nil {
		return err
	}
	areas, err := s.st.Areas(r.Context(), c.ID)
	if err != nil {
		return err
	}
	for _, a := range areas {
		if a.Name == area {
			return nil
		}
	}
	return apperr.Field("area", "err.unknown_area")
}
