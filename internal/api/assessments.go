package api

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/assessment"
	"zeren/internal/auth"
	"zeren/internal/cycle"
)

// The assessment (考核) that ends a cycle (DESIGN.md section 4), as the
// assessment page offers it: organizers (ManageCycles on the cycle's unit)
// change it; readers of results (ReadResults there) see every unit's scores
// at any time; anyone else who may see the cycle gets the scores of the
// units they may read, and only once published.

// assessmentOut is a cycle's assessment with the scores the caller may see.
type assessmentOut struct {
	Assessment assessment.Assessment `json:"assessment"`
	Scores     []assessment.Score    `json:"scores"`
	// Manual is the scores entered by hand, for organizers: what the
	// next computation will use.
	Manual []manualOut `json:"manual,omitempty"`
}

type manualOut struct {
	UnitID    int64   `json:"unit_id"`
	Indicator string  `json:"indicator"`
	Score     float64 `json:"score"`
}

// schemeIn replaces the scheme; version is 0 before the first save.
type schemeIn struct {
	Version *int64             `json:"version"`
	Scheme  *assessment.Scheme `json:"scheme"`
}

// manualIn records a unit's score on an indicator scored by hand; a null
// score clears it. The score must be sent, so that leaving it out by
// mistake does not clear an entry.
type manualIn struct {
	UnitID    *int64          `json:"unit_id"`
	Indicator string          `json:"indicator"`
	Score     json.RawMessage `json:"score"`
}

type adjustIn struct {
	UnitID     *int64   `json:"unit_id"`
	Adjustment *float64 `json:"adjustment"` // 0 removes the unit's adjustment
	Reason     string   `json:"reason"`
}

type reopenIn struct {
	Version *int64 `json:"version"`
	Reason  string `json:"reason"`
}

// managedAssessment loads the {id} cycle for one who organizes it.
func (a *API) managedAssessment(r *http.Request, p *auth.Principal) (cycle.Cycle, error) {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return c, err
	}
	return c, action.Check(p, action.AssessmentManage, action.CycleAt(c.UnitPath))
}

// assessmentVersion passes on the version the client read (0: none saved
// yet), which the store checks; a negative one, which the store would read
// as "any version", is bad input.
func assessmentVersion(version int64) (int64, error) {
	if version < 0 {
		return 0, apperr.Field("version", "err.not_a_number")
	}
	return version, nil
}

// assessmentOut gathers what p may see of the cycle's assessment.
func (a *API) assessmentOut(r *http.Request, p *auth.Principal, c cycle.Cycle) (assessmentOut, error) {
	ctx := r.Context()
	var out assessmentOut
	asm, err := a.st.Assessment(ctx, c.ID)
	if err != nil {
		return out, err
	}
	all := action.Can(p, action.AssessmentReadFull, action.CycleAt(c.UnitPath))
	if !all && asm.Status != assessment.Published {
		return out, apperr.New(apperr.Forbidden, "err.assessment_not_published")
	}
	out.Assessment, out.Scores = tidyAssessment(asm), []assessment.Score{}
	scores, err := a.st.Scores(ctx, c.ID, 0)
	if err != nil {
		return out, err
	}
	for _, x := range assessment.Visible(asm.Status, scores, all, func(path string) bool { return action.Can(p, action.UnitRead, action.UnitAt(path)) }) {
		x.Lines = nonNil(x.Lines)
		out.Scores = append(out.Scores, x)
	}
	if !action.Can(p, action.AssessmentManage, action.CycleAt(c.UnitPath)) {
		return out, nil
	}
	manual, err := a.st.ManualScores(ctx, c.ID)
	if err != nil {
		return out, err
	}
	for _, id := range slices.Sorted(maps.Keys(manual)) {
		for _, in := range asm.Scheme.Indicators {
			if v, ok := manual[id][in.Key]; ok {
				out.Manual = append(out.Manual, manualOut{UnitID: id, Indicator: in.Key, Score: v})
			}
		}
	}
	return out, nil
}

// tidyAssessment answers empty lists as [] rather than null.
func tidyAssessment(asm assessment.Assessment) assessment.Assessment {
	s := &asm.Scheme
	s.Indicators, s.Grades, s.PeerGroups = nonNil(s.Indicators), nonNil(s.Grades), nonNil(s.PeerGroups)
	for i := range s.Grades {
		s.Grades[i].Bands = nonNil(s.Grades[i].Bands)
	}
	for i := range s.PeerGroups {
		s.PeerGroups[i].Units = nonNil(s.PeerGroups[i].Units)
	}
	return asm
}

func (a *API) writeAssessment(w http.ResponseWriter, r *http.Request, p *auth.Principal, c cycle.Cycle) error {
	out, err := a.assessmentOut(r, p, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) assessmentGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return err
	}
	return a.writeAssessment(w, r, p, c)
}

// inField names a bad-input error's field by its path in the body, e.g.
// "scheme.indicators" for the scheme's "indicators".
func inField(prefix string, err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || e.Field == "" {
		return err
	}
	named := *e
	named.Field = prefix + "." + e.Field
	return &named
}

// assessmentScheme replaces the scheme; results computed with the old one
// are dropped and the assessment is back in draft.
func (a *API) assessmentScheme(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.managedAssessment(r, p)
	if err != nil {
		return err
	}
	var in schemeIn
	if err := decode(r, &in); err != nil {
		return err
	}
	switch {
	case in.Version == nil:
		return apperr.Field("version", "err.required")
	case in.Scheme == nil:
		return apperr.Field("scheme", "err.required")
	}
	// Checked before the version, so that bad input is named first;
	// SaveScheme checks it again, which changes nothing.
	if err := in.Scheme.Normalize(); err != nil {
		return inField("scheme", err)
	}
	version, err := assessmentVersion(*in.Version)
	if err != nil {
		return err
	}
	asm, err := a.act.SaveScheme(r.Context(), p, c.ID, version, *in.Scheme)
	if err != nil {
		return inField("scheme", err)
	}
	writeJSON(w, http.StatusOK, tidyAssessment(asm))
	return nil
}

// assessmentManual records or (score null) clears a unit's score on an
// indicator scored by hand. The store names the score "manual"; here it is
// the body's "indicator" or "score".
func (a *API) assessmentManual(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.managedAssessment(r, p)
	if err != nil {
		return err
	}
	var in manualIn
	if err := decode(r, &in); err != nil {
		return err
	}
	in.Indicator = strings.TrimSpace(in.Indicator)
	score, err := in.score()
	switch {
	case in.UnitID == nil:
		return apperr.Field("unit_id", "err.required")
	case in.Indicator == "":
		return apperr.Field("indicator", "err.required")
	case err != nil:
		return err
	}
	if score == nil {
		// Clearing is not checked by the store; an unknown key is a mistake.
		cur, err := a.st.Assessment(r.Context(), c.ID)
		if err != nil {
			return err
		}
		if ind, ok := cur.Scheme.Indicator(in.Indicator); !ok || ind.Source != assessment.FromManual {
			return apperr.Field("indicator", "err.manual_unknown", in.Indicator)
		}
	}
	err = a.act.SetManual(r.Context(), p, c.ID, *in.UnitID, in.Indicator, score)
	if e, ok := apperr.As(err); ok && e.Field == "manual" {
		named := *e
		named.Field = "score"
		if e.Key == "err.manual_unknown" {
			named.Field = "indicator"
		}
		return &named
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// score is the score sent: nil for null, an error when left out or not a number.
func (in manualIn) score() (*float64, error) {
	raw := bytes.TrimSpace(in.Score)
	switch {
	case len(raw) == 0:
		return nil, apperr.Field("score", "err.required")
	case string(raw) == "null":
		return nil, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, apperr.Field("score", "err.json_type", "number")
	}
	return &v, nil
}

// assessmentCompute scores every participant from the live data.
func (a *API) assessmentCompute(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.managedAssessment(r, p)
	if err != nil {
		return err
	}
	if _, err := a.act.ComputeAssessment(r.Context(), p, c.ID); err != nil {
		return err
	}
	return a.writeAssessment(w, r, p, c)
}

// assessmentAdjust sets (or, with 0, removes) a unit's adjustment and
// answers with the recomputed assessment and scores: the ranks follow, and
// the new version is what publishing needs.
func (a *API) assessmentAdjust(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.managedAssessment(r, p)
	if err != nil {
		return err
	}
	var in adjustIn
	if err := decode(r, &in); err != nil {
		return err
	}
	switch {
	case in.UnitID == nil:
		return apperr.Field("unit_id", "err.required")
	case in.Adjustment == nil:
		return apperr.Field("adjustment", "err.required")
	}
	adj := assessment.Adjustment{Points: *in.Adjustment, Reason: in.Reason}
	if err := a.act.AdjustScore(r.Context(), p, c.ID, *in.UnitID, adj); err != nil {
		return err
	}
	return a.writeAssessment(w, r, p, c)
}

// assessmentPublish shows the computed results to the units.
func (a *API) assessmentPublish(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.managedAssessment(r, p)
	if err != nil {
		return err
	}
	version, err := decodeVersion(r)
	if err != nil {
		return err
	}
	if version, err = assessmentVersion(version); err != nil {
		return err
	}
	if err := a.act.PublishAssessment(r.Context(), p, c.ID, version); err != nil {
		return err
	}
	return a.writeStoredAssessment(w, r, c)
}

// assessmentReopen takes published results back, with a reason.
func (a *API) assessmentReopen(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.managedAssessment(r, p)
	if err != nil {
		return err
	}
	var in reopenIn
	if err := decode(r, &in); err != nil {
		return err
	}
	switch {
	case in.Version == nil:
		return apperr.Field("version", "err.required")
	case strings.TrimSpace(in.Reason) == "":
		return apperr.Field("reason", "err.required")
	}
	version, err := assessmentVersion(*in.Version)
	if err != nil {
		return err
	}
	if err := a.act.ReopenAssessment(r.Context(), p, c.ID, version, in.Reason); err != nil {
		return err
	}
	return a.writeStoredAssessment(w, r, c)
}

func (a *API) writeStoredAssessment(w http.ResponseWriter, r *http.Request, c cycle.Cycle) error {
	asm, err := a.st.Assessment(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tidyAssessment(asm))
	return nil
}
