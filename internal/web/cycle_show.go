package web

import (
	"net/http"
	"strconv"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/remind"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/unit"
)

type cycleData struct {
	Cycle        cycle.Cycle
	Draft        cycle.Draft
	Areas        []cycle.Area
	AreaText     string // the areas, one per line, for the editor
	Scale        []finding.Severity
	SeverityText string // the cycle's own severity scale, one per line, for the editor
	Participants []cycle.Participant
	Reports      map[int64]report.Report // by unit
	Manage       bool
	Next         cycle.Status
	Statuses     []cycle.Status
	Kinds        []unit.Kind
	Meeting      cycle.Meeting
	Papers       bool                       // the user may open the agenda, projector and booklet
	Results      bool                       // the user may open the appraisal
	Similar      map[int64]store.Similarity // by report id, for organizers
	Escalation   bool                       // the user may set the stall days
	MaxStallDays int
}

// readableCycle loads the {id} cycle if the user may see it: their grant
// covers the cycle's unit or one of its participants.
func (s *Server) readableCycle(r *http.Request) (cycle.Cycle, error) {
	id, err := pathID(r)
	if err != nil {
		return cycle.Cycle{}, err
	}
	return s.act.Cycle(r.Context(), principal(r), id)
}

// organizedCycle loads the {id} cycle for an organizer's change and parses
// the form.
func (s *Server) organizedCycle(r *http.Request) (cycle.Cycle, error) {
	c, err := s.readableCycle(r)
	if err != nil {
		return c, err
	}
	if err := action.Check(principal(r), action.CycleManage, action.CycleAt(c.UnitPath)); err != nil {
		return c, err
	}
	return c, parseForm(r)
}

// managedCycle is organizedCycle with the version the form was based on.
func (s *Server) managedCycle(r *http.Request) (cycle.Cycle, int64, error) {
	c, err := s.organizedCycle(r)
	if err != nil {
		return c, 0, err
	}
	version, err := requiredInt(r, "version")
	return c, version, err
}

func (s *Server) cycleShow(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	return s.renderCycle(w, r, http.StatusOK, c, nil)
}

func (s *Server) renderCycle(w http.ResponseWriter, r *http.Request, status int, c cycle.Cycle, formErr error) error {
	p := principal(r)
	d := cycleData{Cycle: c, Draft: cycle.Draft{Year: c.Year, Title: c.Title, Deadline: c.Deadline},
		Manage: action.Can(p, action.CycleManage, action.CycleAt(c.UnitPath)), Next: c.Status.Next(), Statuses: cycle.Statuses, Kinds: unit.Kinds,
		Reports: map[int64]report.Report{}}
	var err error
	if d.Areas, err = s.st.Areas(r.Context(), c.ID); err != nil {
		return err
	}
	var names []string
	for _, a := range d.Areas {
		names = append(names, a.Name)
	}
	d.AreaText = strings.Join(names, "\n")
	d.Scale, d.SeverityText = finding.Scale(c.Severities), strings.Join(c.Severities, "\n")
	if d.Meeting, err = s.st.Meeting(r.Context(), c.ID); err != nil {
		return err
	}
	d.Papers = action.Can(p, action.UnitRead, action.UnitAt(c.UnitPath))
	d.Results = action.Can(p, action.AppraisalResults, action.CycleAt(c.UnitPath))
	d.Escalation, d.MaxStallDays = action.Can(p, action.CycleEscalation, action.CycleTarget(c)), remind.MaxStallDays
	if action.Can(p, action.ReportReview, action.CycleAt(c.UnitPath)) {
		if d.Similar, err = s.st.Similarities(r.Context(), c.ID); err != nil {
			return err
		}
	}
	parts, err := s.st.Participants(r.Context(), c.ID)
	if err != nil {
		return err
	}
	// Organizers see every participant; a unit sees those in its grants.
	for _, pt := range parts {
		if d.Manage || action.Can(p, action.UnitRead, action.UnitAt(pt.UnitPath)) {
			d.Participants = append(d.Participants, pt)
		}
	}
	reports, err := s.st.CycleReports(r.Context(), c.ID, p.Scopes(auth.ReadUnit))
	if err != nil {
		return err
	}
	for _, rp := range reports {
		d.Reports[rp.UnitID] = rp
	}
	v := s.newView(w, r, "title.cycle", d).withError(formErr)
	v.Title = c.Title
	return s.render(w, status, "cycle", v)
}

// afterCycleChange redirects after a change, or shows the cycle page with
// the error (bad input, stale version, refused step).
func (s *Server) afterCycleChange(w http.ResponseWriter, r *http.Request, c cycle.Cycle, err error, flash string) error {
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		current, gerr := s.st.Cycle(r.Context(), c.ID)
		if gerr != nil {
			return gerr
		}
		return s.renderCycle(w, r, apperr.Status(err), current, err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, cyclePath(c.ID), flash)
}

func (s *Server) cycleUpdate(w http.ResponseWriter, r *http.Request) error {
	c, version, err := s.managedCycle(r)
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(r.PostForm.Get("year"))
	_, err = s.act.PatchCycle(r.Context(), principal(r), c.ID, version, action.CyclePatch{
		Draft: &cycle.Draft{Year: year, Title: r.PostForm.Get("title"), Deadline: r.PostForm.Get("deadline")}})
	return s.afterCycleChange(w, r, c, err, "flash.saved")
}

func (s *Server) cycleAreas(w http.ResponseWriter, r *http.Request) error {
	c, version, err := s.managedCycle(r)
	if err != nil {
		return err
	}
	_, err = s.act.PatchCycle(r.Context(), principal(r), c.ID, version, action.CyclePatch{
		Areas: strings.Split(r.PostForm.Get("areas"), "\n"), SetAreas: true})
	return s.afterCycleChange(w, r, c, err, "flash.saved")
}

// cycleSeverities sets the cycle's severity scale; an empty one is the default.
func (s *Server) cycleSeverities(w http.ResponseWriter, r *http.Request) error {
	c, version, err := s.managedCycle(r)
	if err != nil {
		return err
	}
	scale := strings.Split(r.PostForm.Get("severities"), "\n")
	_, err = s.act.PatchCycle(r.Context(), principal(r), c.ID, version, action.CyclePatch{Severities: &scale})
	return s.afterCycleChange(w, r, c, err, "flash.saved")
}

// cycleAdvance moves the cycle one step forward, or says what is missing.
func (s *Server) cycleAdvance(w http.ResponseWriter, r *http.Request) error {
	c, version, err := s.managedCycle(r)
	if err != nil {
		return err
	}
	_, err = s.act.AdvanceCycle(r.Context(), principal(r), c.ID, version, cycle.Status(r.PostForm.Get("to")))
	return s.afterCycleChange(w, r, c, err, "flash.cycle_advanced")
}
