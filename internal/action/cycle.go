package action

import (
	"context"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/cycle"
)

// CycleTarget is what the cycle's decisions need: the unit that runs it.
func CycleTarget(c cycle.Cycle) Target {
	return Target{Unit: c.UnitPath, Cycle: c.UnitPath}
}

// Cycle loads a cycle p may see: a grant covers the unit that runs it or
// one of the units taking part (which see their own part).
func (a *Actions) Cycle(ctx context.Context, p *auth.Principal, id int64) (cycle.Cycle, error) {
	c, err := a.st.Cycle(ctx, id)
	if err != nil {
		return c, err
	}
	paths, err := a.st.ParticipantPaths(ctx, c.ID)
	if err != nil {
		return c, err
	}
	if Can(p, UnitRead, CycleAt(c.UnitPath)) {
		return c, nil
	}
	for _, path := range paths {
		if Can(p, UnitRead, UnitAt(path)) {
			return c, nil
		}
	}
	return c, apperr.New(apperr.NotFound, "err.not_found")
}

// CycleFor loads a cycle p may see for decision n, taken on the cycle's
// unit (CycleManage, AppraisalManage, AppraisalResults, CommentWrite,
// AssessmentManage, AssessmentReadFull).
func (a *Actions) CycleFor(ctx context.Context, p *auth.Principal, id int64, n Name) (cycle.Cycle, error) {
	c, err := a.Cycle(ctx, p, id)
	if err != nil {
		return c, err
	}
	return c, decide(p, n, CycleTarget(c))
}

// CreateCycle starts a cycle run by a unit.
func (a *Actions) CreateCycle(ctx context.Context, p *auth.Principal, unitID int64, d cycle.Draft) (cycle.Cycle, error) {
	u, err := a.VisibleUnit(ctx, p, unitID, "unit_id")
	if err != nil {
		return cycle.Cycle{}, err
	}
	if err := decide(p, CycleCreate, Target{Unit: u.Path}); err != nil {
		return cycle.Cycle{}, err
	}
	return a.st.CreateCycle(ctx, p.Actor(), unitID, d)
}

// CyclePatch is a change of several parts of a cycle at once; nil parts
// are kept.
type CyclePatch struct {
	Draft        *cycle.Draft
	Areas        []string
	Severities   *[]string
	Participants []cycle.Participant
	SetAreas     bool
	SetParts     bool
}

// PatchCycle applies every part of the change in one transaction: if one
// part is refused, none is saved.
func (a *Actions) PatchCycle(ctx context.Context, p *auth.Principal, id, version int64, in CyclePatch) (cycle.Cycle, error) {
	c, err := a.CycleFor(ctx, p, id, CycleManage)
	if err != nil {
		return c, err
	}
	if c.Version != version {
		return c, apperr.New(apperr.Conflict, "err.stale_version")
	}
	by := p.Actor()
	err = a.st.InTx(ctx, func(ctx context.Context) error {
		// The first part checks the version under the lock; the later ones
		// see the version it made, inside the same transaction.
		v := version
		if in.Draft != nil {
			if _, err := a.st.UpdateCycle(ctx, by, id, v, *in.Draft); err != nil {
				return err
			}
			v = 0
		}
		if in.SetAreas {
			if err := a.st.SetAreas(ctx, by, id, v, in.Areas); err != nil {
				return err
			}
			v = 0
		}
		if in.Severities != nil {
			if err := a.st.SetSeverities(ctx, by, id, v, *in.Severities); err != nil {
				return err
			}
			v = 0
		}
		if in.SetParts {
			if err := a.st.SetParticipants(ctx, by, id, v, in.Participants); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	return a.st.Cycle(ctx, id)
}

// AdvanceCycle moves the cycle to its next status.
func (a *Actions) AdvanceCycle(ctx context.Context, p *auth.Principal, id, version int64, to cycle.Status) (cycle.Cycle, error) {
	c, err := a.CycleFor(ctx, p, id, CycleManage)
	if err != nil {
		return c, err
	}
	if c.Version != version {
		return c, apperr.New(apperr.Conflict, "err.stale_version")
	}
	return a.st.AdvanceCycle(ctx, p.Actor(), id, version, to)
}

// SaveMeeting stores the cycle's review meeting.
func (a *Actions) SaveMeeting(ctx context.Context, p *auth.Principal, cycleID int64, m cycle.Meeting) (cycle.Meeting, error) {
	if _, err := a.CycleFor(ctx, p, cycleID, CycleManage); err != nil {
		return m, err
	}
	return a.st.SaveMeeting(ctx, p.Actor(), cycleID, m)
}

// ExcuseParticipant records why a unit need not hand in its report.
func (a *Actions) ExcuseParticipant(ctx context.Context, p *auth.Principal, cycleID, version, unitID int64, reason string) error {
	if _, err := a.CycleFor(ctx, p, cycleID, CycleManage); err != nil {
		return err
	}
	return a.st.ExcuseParticipant(ctx, p.Actor(), cycleID, version, unitID, reason)
}
