package web

import (
	"net/http"
	"strconv"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/assessment"
	"zeren/internal/cycle"
)

// assessmentData is the assessment page: the organizer's scheme editor and
// results, or a unit's own published breakdown.
type assessmentData struct {
	Cycle   cycle.Cycle
	A       assessment.Assessment
	Manage  bool // the organizer: edit, compute, adjust, publish
	All     bool // sees every unit's results (organizers, supervisors)
	Scores  []assessment.Score
	Group   map[string]int // peer group → units in it, for "rank 2 of 9"
	Parts   []cycle.Participant
	Manual  map[int64]map[string]float64
	Sources []assessment.Source
	// Rows of the scheme editor: the indicators and the default grade
	// bands, each with blank rows to add one.
	Indicators []assessment.Indicator
	Bands      []assessment.Band
	Groups     []assessment.PeerGroup
	Assessing  bool
}

// ManualValue is a unit's score entered by hand on an indicator, "" if none.
func (d assessmentData) ManualValue(unitID int64, key string) string {
	v, ok := d.Manual[unitID][key]
	if !ok {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// InGroup reports whether a unit is in a peer group, for the editor.
func (d assessmentData) InGroup(g assessment.PeerGroup, unitID int64) bool {
	for _, id := range g.Units {
		if id == unitID {
			return true
		}
	}
	return false
}

func (s *Server) cycleAssessment(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	return s.renderAssessment(w, r, http.StatusOK, c, nil)
}

func (s *Server) renderAssessment(w http.ResponseWriter, r *http.Request, status int, c cycle.Cycle, formErr error) error {
	p, ctx := principal(r), r.Context()
	a, err := s.st.Assessment(ctx, c.ID)
	if err != nil {
		return err
	}
	d := assessmentData{Cycle: c, A: a, Manage: action.Can(p, action.AssessmentManage, action.CycleAt(c.UnitPath)), All: action.Can(p, action.AssessmentReadFull, action.CycleAt(c.UnitPath)),
		Sources: assessment.Sources, Group: map[string]int{}, Assessing: c.Status == cycle.Assessing}
	scores, err := s.st.Scores(ctx, c.ID, 0)
	if err != nil {
		return err
	}
	for _, x := range scores {
		d.Group[x.PeerGroup]++
	}
	d.Scores = assessment.Visible(a.Status, scores, d.All, func(path string) bool { return action.Can(p, action.UnitRead, action.UnitAt(path)) })
	if !d.All && len(d.Scores) == 0 {
		return apperr.New(apperr.Forbidden, "err.assessment_not_published")
	}
	if d.Manage {
		if d.Parts, err = s.st.Participants(ctx, c.ID); err != nil {
			return err
		}
		if d.Manual, err = s.st.ManualScores(ctx, c.ID); err != nil {
			return err
		}
		d.Indicators = append(append([]assessment.Indicator(nil), a.Scheme.Indicators...), assessment.Indicator{}, assessment.Indicator{})
		d.Bands = append(append([]assessment.Band(nil), a.Scheme.GradeSet("").Bands...), assessment.Band{})
		d.Groups = append(append([]assessment.PeerGroup(nil), a.Scheme.PeerGroups...), assessment.PeerGroup{})
	}
	return s.render(w, status, "assessment", s.newView(w, r, "title.assessment", d).withError(formErr))
}

// assessedCycle is organizedCycle with the version of the assessment the
// form was based on: 0 before the scheme was first saved.
func (s *Server) assessedCycle(r *http.Request) (cycle.Cycle, int64, error) {
	c, err := s.organizedCycle(r)
	if err != nil {
		return c, 0, err
	}
	version, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("version")), 10, 64)
	if err != nil || version < 0 {
		return c, 0, apperr.Field("version", "err.not_a_number")
	}
	return c, version, nil
}

// afterAssessment shows a refused change on the page, or goes back to it.
func (s *Server) afterAssessment(w http.ResponseWriter, r *http.Request, c cycle.Cycle, err error, flash string) error {
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		return s.renderAssessment(w, r, apperr.Status(err), c, err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/cycles/"+strconv.FormatInt(c.ID, 10)+"/assessment", flash)
}

// assessmentScheme saves the scheme from the editor: the indicator rows
// with a name, the default grade bands with a label, the peer groups with
// a name. Grade sets for single unit kinds, which only the API edits, are
// kept.
func (s *Server) assessmentScheme(w http.ResponseWriter, r *http.Request) error {
	c, version, err := s.assessedCycle(r)
	if err != nil {
		return err
	}
	cur, err := s.st.Assessment(r.Context(), c.ID)
	if err != nil {
		return err
	}
	f := r.PostForm
	var sc assessment.Scheme
	num := func(field, v string) (float64, error) {
		v = strings.TrimSpace(v)
		if v == "" {
			return 0, nil
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, apperr.Field(field, "err.not_a_number")
		}
		return x, nil
	}
	for i := 0; i < assessment.MaxIndicators+2; i++ {
		n := strconv.Itoa(i)
		name := strings.TrimSpace(f.Get("ind_name_" + n))
		if name == "" {
			continue
		}
		in := assessment.Indicator{Key: f.Get("ind_key_" + n), Name: name, Source: assessment.Source(f.Get("ind_source_" + n)), Rule: f.Get("ind_rule_" + n)}
		if in.Points, err = num("indicators", f.Get("ind_points_"+n)); err == nil {
			in.PerItem, err = num("indicators", f.Get("ind_per_item_"+n))
		}
		if err != nil {
			return s.afterAssessment(w, r, c, err, "")
		}
		sc.Indicators = append(sc.Indicators, in)
	}
	def := assessment.GradeSet{}
	for i := 0; i < assessment.MaxBands+1; i++ {
		n := strconv.Itoa(i)
		label := strings.TrimSpace(f.Get("band_grade_" + n))
		if label == "" {
			continue
		}
		b := assessment.Band{Grade: label}
		if b.Min, err = num("grades", f.Get("band_min_"+n)); err == nil {
			b.Max, err = num("grades", f.Get("band_max_"+n))
		}
		if err != nil {
			return s.afterAssessment(w, r, c, err, "")
		}
		def.Bands = append(def.Bands, b)
	}
	sc.Grades = append(sc.Grades, def)
	for _, g := range cur.Scheme.Grades {
		if g.Kind != "" {
			sc.Grades = append(sc.Grades, g)
		}
	}
	for i := 0; i < assessment.MaxPeerGroups+1; i++ {
		n := strconv.Itoa(i)
		name := strings.TrimSpace(f.Get("group_name_" + n))
		if name == "" {
			continue
		}
		g := assessment.PeerGroup{Name: name}
		for _, v := range f["group_units_"+n] {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return s.afterAssessment(w, r, c, apperr.Field("peer_groups", "err.not_a_number"), "")
			}
			g.Units = append(g.Units, id)
		}
		sc.PeerGroups = append(sc.PeerGroups, g)
	}
	_, err = s.act.SaveScheme(r.Context(), principal(r), c.ID, version, sc)
	return s.afterAssessment(w, r, c, err, "flash.saved")
}

// assessmentManual records the scores entered by hand for one unit.
func (s *Server) assessmentManual(w http.ResponseWriter, r *http.Request) error {
	c, err := s.organizedCycle(r)
	if err != nil {
		return err
	}
	a, err := s.st.Assessment(r.Context(), c.ID)
	if err != nil {
		return err
	}
	unitID, err := requiredInt(r, "unit_id")
	if err != nil {
		return err
	}
	for _, in := range a.Scheme.Indicators {
		if in.Source != assessment.FromManual {
			continue
		}
		v := strings.TrimSpace(r.PostForm.Get("manual_" + in.Key))
		var score *float64
		if v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return s.afterAssessment(w, r, c, apperr.Field("manual", "err.not_a_number"), "")
			}
			score = &x
		}
		if err := s.act.SetManual(r.Context(), principal(r), c.ID, unitID, in.Key, score); err != nil {
			return s.afterAssessment(w, r, c, err, "")
		}
	}
	return s.afterAssessment(w, r, c, nil, "flash.saved")
}

func (s *Server) assessmentCompute(w http.ResponseWriter, r *http.Request) error {
	c, err := s.organizedCycle(r)
	if err != nil {
		return err
	}
	_, err = s.act.ComputeAssessment(r.Context(), principal(r), c.ID)
	return s.afterAssessment(w, r, c, err, "flash.assessment_computed")
}

func (s *Server) assessmentAdjust(w http.ResponseWriter, r *http.Request) error {
	c, err := s.organizedCycle(r)
	if err != nil {
		return err
	}
	unitID, err := requiredInt(r, "unit_id")
	if err != nil {
		return err
	}
	adj := assessment.Adjustment{Reason: r.PostForm.Get("reason")}
	if v := strings.TrimSpace(r.PostForm.Get("adjustment")); v != "" {
		if adj.Points, err = strconv.ParseFloat(v, 64); err != nil {
			return s.afterAssessment(w, r, c, apperr.Field("adjustment", "err.not_a_number"), "")
		}
	}
	err = s.act.AdjustScore(r.Context(), principal(r), c.ID, unitID, adj)
	return s.afterAssessment(w, r, c, err, "flash.assessment_adjusted")
}

func (s *Server) assessmentPublish(w http.ResponseWriter, r *http.Request) error {
	c, version, err := s.assessedCycle(r)
	if err != nil {
		return err
	}
	err = s.act.PublishAssessment(r.Context(), principal(r), c.ID, version)
	return s.afterAssessment(w, r, c, err, "flash.assessment_published")
}

func (s *Server) assessmentReopen(w http.ResponseWriter, r *http.Request) error {
	c, version, err := s.assessedCycle(r)
	if err != nil {
		return err
	}
	err = s.act.ReopenAssessment(r.Context(), principal(r), c.ID, version, r.PostForm.Get("reason"))
	return s.afterAssessment(w, r, c, err, "flash.assessment_reopened")
}

// MissingNames lists the names of the manual indicators a unit still
// lacks, in the view's language's list style.
func (v *view) MissingNames(s assessment.Scheme, keys []string) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k
		if in, ok := s.Indicator(k); ok {
			names[i] = in.Name
		}
	}
	return strings.Join(names, v.T("list.sep"))
}

// Points formats a score or points, to two decimals at most.
func (v *view) Points(f float64) string {
	return strconv.FormatFloat(assessment.Round2(f), 'f', -1, 64)
}
