package api

import (
	"context"
	"net/http"
	"strconv"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/report"
)

// cycleOut is a cycle with its areas and the participants the caller may see.
type cycleOut struct {
	cycle.Cycle
	Areas        []cycle.Area        `json:"areas"`
	Participants []cycle.Participant `json:"participants"`
}

func (a *API) cycleList(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	cycles, err := a.st.Cycles(r.Context(), p.Scopes(auth.ReadUnit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[cycle.Cycle]{Items: nonNil(cycles)})
	return nil
}

// readableCycle loads the {id} cycle if p may see it (action.Cycle).
func (a *API) readableCycle(r *http.Request, p *auth.Principal) (cycle.Cycle, error) {
	id, err := pathID(r)
	if err != nil {
		return cycle.Cycle{}, err
	}
	return a.act.Cycle(r.Context(), p, id)
}

func (a *API) cycleOut(r *http.Request, p *auth.Principal, c cycle.Cycle) (cycleOut, error) {
	out := cycleOut{Cycle: c, Participants: []cycle.Participant{}}
	var err error
	if out.Areas, err = a.st.Areas(r.Context(), c.ID); err != nil {
		return out, err
	}
	parts, err := a.st.Participants(r.Context(), c.ID)
	if err != nil {
		return out, err
	}
	all := action.Can(p, action.UnitRead, action.UnitAt(c.UnitPath))
	for _, pt := range parts {
		if all || action.Can(p, action.UnitRead, action.UnitAt(pt.UnitPath)) {
			out.Participants = append(out.Participants, pt)
		}
	}
	out.Areas = nonNil(out.Areas)
	return out, nil
}

func (a *API) cycleGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return err
	}
	out, err := a.cycleOut(r, p, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type cycleIn struct {
	UnitID       *int64            `json:"unit_id"`
	Year         *int              `json:"year"`
	Title        *string           `json:"title"`
	Deadline     *string           `json:"deadline"`
	Areas        []string          `json:"areas"`
	Severities   *[]string         `json:"severities"`
	Participants []cycleParticipIn `json:"participants"`
	StallDays    *int              `json:"stall_days"`
	Version      *int64            `json:"version"`
	To           string            `json:"to"`
}

type cycleParticipIn struct {
	UnitID  int64  `json:"unit_id"`
	Mode    string `json:"mode"`
	Excused string `json:"excused"`
}

func (a *API) cycleCreate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in cycleIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.UnitID == nil {
		return apperr.Field("unit_id", "err.required")
	}
	c, err := a.act.CreateCycle(r.Context(), p, *in.UnitID, cycle.Draft{Year: deref(in.Year), Title: deref(in.Title), Deadline: deref(in.Deadline)})
	if err != nil {
		return err
	}
	out, err := a.cycleOut(r, p, c)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cycles/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// managedCycle loads the {id} cycle for an organizer and reads the body,
// which must carry the version the client read.
func (a *API) managedCycle(r *http.Request, p *auth.Principal) (cycle.Cycle, cycleIn, error) {
	var in cycleIn
	id, err := pathID(r)
	if err != nil {
		return cycle.Cycle{}, in, err
	}
	c, err := a.act.CycleFor(r.Context(), p, id, action.CycleManage)
	if err != nil {
		return c, in, err
	}
	if err := decode(r, &in); err != nil {
		return c, in, err
	}
	if in.Version == nil {
		return c, in, apperr.Field("version", "err.required")
	}
	if *in.Version != c.Version {
		return c, in, apperr.New(apperr.Conflict, "err.stale_version")
	}
	return c, in, nil
}

// cyclePatch changes the year, title, deadline, areas, severity scale or
// participants (each list replaces the old one; all but the first three
// only while planning), which organizers decide and which need the
// version read; and the stall days, which those who urge at the cycle's
// unit decide (cycle.escalation) and which alone need no version. All the
// parts are saved together or not at all.
func (a *API) cyclePatch(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return err
	}
	t := action.CycleTarget(c)
	if !action.Can(p, action.CycleManage, t) && !action.Can(p, action.CycleEscalation, t) {
		return action.Check(p, action.CycleManage, t)
	}
	var in cycleIn
	if err := decode(r, &in); err != nil {
		return err
	}
	patch, ok := in.patch(c)
	switch {
	case ok && !action.Can(p, action.CycleManage, t):
		return action.Check(p, action.CycleManage, t)
	case in.StallDays != nil && !action.Can(p, action.CycleEscalation, t):
		return action.Check(p, action.CycleEscalation, t)
	case ok && in.Version == nil:
		return apperr.Field("version", "err.required")
	case in.Version != nil && *in.Version != c.Version:
		return apperr.New(apperr.Conflict, "err.stale_version")
	}
	err = a.st.InTx(r.Context(), func(ctx context.Context) error {
		if ok {
			if _, err := a.act.PatchCycle(ctx, p, c.ID, c.Version, patch); err != nil {
				return err
			}
		}
		if in.StallDays != nil {
			return a.act.SetStallDays(ctx, p, c.ID, *in.StallDays)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if c, err = a.st.Cycle(r.Context(), c.ID); err != nil {
		return err
	}
	out, err := a.cycleOut(r, p, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// patch is the organizer's part of the change, and whether there is one.
func (in cycleIn) patch(c cycle.Cycle) (action.CyclePatch, bool) {
	var patch action.CyclePatch
	if in.Year != nil || in.Title != nil || in.Deadline != nil {
		d := cycle.Draft{Year: c.Year, Title: c.Title, Deadline: c.Deadline}
		if in.Year != nil {
			d.Year = *in.Year
		}
		if in.Title != nil {
			d.Title = *in.Title
		}
		if in.Deadline != nil {
			d.Deadline = *in.Deadline
		}
		patch.Draft = &d
	}
	patch.Areas, patch.SetAreas = in.Areas, in.Areas != nil
	patch.Severities = in.Severities
	if in.Participants != nil {
		patch.SetParts = true
		for _, x := range in.Participants {
			patch.Participants = append(patch.Participants, cycle.Participant{UnitID: x.UnitID, Mode: cycle.Mode(x.Mode), Excused: x.Excused})
		}
	}
	some := patch.Draft != nil || patch.SetAreas || patch.Severities != nil || patch.SetParts || in.StallDays == nil
	return patch, some
}

// cycleAdvance moves the cycle to {"to": next status}, or says what is missing.
func (a *API) cycleAdvance(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, in, err := a.managedCycle(r, p)
	if err != nil {
		return err
	}
	if in.To == "" {
		return apperr.Field("to", "err.required")
	}
	if c, err = a.act.AdvanceCycle(r.Context(), p, c.ID, c.Version, cycle.Status(in.To)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// cycleReports lists the cycle's reports the caller may see, in agenda order.
func (a *API) cycleReports(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return err
	}
	reports, err := a.st.CycleReports(r.Context(), c.ID, p.Scopes(auth.ReadUnit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[report.Report]{Items: nonNil(reports)})
	return nil
}
