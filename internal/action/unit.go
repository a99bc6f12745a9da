package action

import (
	"context"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/unit"
)

// Unit loads a unit p may see.
func (a *Actions) Unit(ctx context.Context, p *auth.Principal, id int64) (unit.Unit, error) {
	return a.UnitFor(ctx, p, id, UnitRead)
}

// UnitFor loads a unit p may see for decision n on it.
func (a *Actions) UnitFor(ctx context.Context, p *auth.Principal, id int64, n Name) (unit.Unit, error) {
	u, err := a.st.Unit(ctx, id)
	if err != nil {
		return u, err
	}
	return u, decide(p, n, Target{Unit: u.Path})
}

// CreateUnit adds a sub-unit under a parent p manages.
func (a *Actions) CreateUnit(ctx context.Context, p *auth.Principal, parentID int64, d unit.Draft) (unit.Unit, error) {
	if _, err := a.UnitFor(ctx, p, parentID, UnitCreate); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return unit.Unit{}, apperr.Field("parent_id", "err.no_such_unit", parentID)
		}
		return unit.Unit{}, err
	}
	return a.st.CreateUnit(ctx, p.Actor(), parentID, d)
}

// UnitPatch is a change of several parts of a unit at once; nil parts are kept.
type UnitPatch struct {
	Draft    *unit.Draft
	ParentID *int64
	Archived *bool
}

// PatchUnit edits, moves and archives a unit in one transaction: if one
// part is refused, none is saved. A move needs the right on the new parent
// too; a parent p may not manage is reported as absent.
func (a *Actions) PatchUnit(ctx context.Context, p *auth.Principal, id, version int64, in UnitPatch) (unit.Unit, error) {
	u, err := a.UnitFor(ctx, p, id, UnitChange)
	if err != nil {
		return u, err
	}
	if u.Version != version {
		return u, apperr.New(apperr.Conflict, "err.stale_version")
	}
	move := in.ParentID != nil && *in.ParentID != u.ParentID
	if move {
		if _, err := a.UnitFor(ctx, p, *in.ParentID, UnitChange); err != nil {
			if apperr.KindOf(err) == apperr.Internal {
				return u, err
			}
			return u, apperr.Field("parent_id", "err.no_such_unit", *in.ParentID)
		}
	}
	by := p.Actor()
	err = a.st.InTx(ctx, func(ctx context.Context) error {
		v := version // checked under the lock by the first part only
		if in.Draft != nil {
			if _, err := a.st.UpdateUnit(ctx, by, id, v, *in.Draft); err != nil {
				return err
			}
			v = 0
		}
		if move {
			if _, err := a.st.MoveUnit(ctx, by, id, v, *in.ParentID); err != nil {
				return err
			}
			v = 0
		}
		if in.Archived != nil && *in.Archived != u.Archived {
			if _, err := a.st.ArchiveUnit(ctx, by, id, v, *in.Archived); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return u, err
	}
	return a.st.Unit(ctx, id)
}

// CanChangeUnit reports whether p may edit the unit at path.
func CanChangeUnit(p *auth.Principal, path string) bool {
	return Can(p, UnitChange, Target{Unit: path})
}
