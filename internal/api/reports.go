package api

import (
	"net/http"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/finding"
	"zeren/internal/report"
	"zeren/internal/store"
)

func (a *API) readableReport(r *http.Request, p *auth.Principal) (report.Report, error) {
	id, err := pathID(r)
	if err != nil {
		return report.Report{}, err
	}
	return a.act.Report(r.Context(), p, id)
}

// reportOut is a report with the findings carried into it.
type reportOut struct {
	report.Report
	CarryOvers []finding.CarryOver `json:"carried_over"`
}

func (a *API) reportGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rp, err := a.readableReport(r, p)
	if err != nil {
		return err
	}
	cs, err := a.st.CarryOvers(r.Context(), rp.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reportOut{Report: rp, CarryOvers: nonNil(cs)})
	return nil
}

type reportIn struct {
	Version  *int64           `json:"version"`
	Sections []report.Section `json:"sections"`
	Answers  []store.Answer   `json:"answers"` // to the findings carried over
	Reason   string           `json:"reason"`
}

// reportPatch saves sections of a draft (area_id with achievements,
// problems, next_steps; areas not sent are kept).
func (a *API) reportPatch(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	rp, err := a.readableReport(r, p)
	if err != nil {
		return err
	}
	var in reportIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return apperr.Field("version", "err.required")
	}
	if rp, err = a.act.SaveReport(r.Context(), p, rp.ID, *in.Version, in.Sections, in.Answers...); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rp)
	return nil
}

// reportMove submits (the unit leader), returns with {"reason"} or accepts
// (the organizer) a report; the body carries the version read.
func (a *API) reportMove(t report.Transition) handler {
	return func(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
		rp, err := a.readableReport(r, p)
		if err != nil {
			return err
		}
		var in reportIn
		if err := decode(r, &in); err != nil {
			return err
		}
		if in.Version == nil {
			return apperr.Field("version", "err.required")
		}
		if rp, err = a.act.MoveReport(r.Context(), p, rp.ID, *in.Version, t, in.Reason); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rp)
		return nil
	}
}
