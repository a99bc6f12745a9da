package action

import (
	"context"

	"zeren/internal/auth"
	"zeren/internal/notify"
	"zeren/internal/unit"
)

// UnitChannels loads the group robots set on a unit, for an admin of the
// unit or above: the DingTalk secret and the robots' tokens are
// credentials, so reading them needs the same right as setting them.
func (a *Actions) UnitChannels(ctx context.Context, p *auth.Principal, unitID int64) (unit.Unit, notify.Channels, error) {
	u, err := a.UnitFor(ctx, p, unitID, UnitChannels)
	if err != nil {
		return u, notify.Channels{}, err
	}
	c, err := a.st.UnitChannels(ctx, u)
	return u, c, err
}

// SaveUnitChannels sets the unit's robots if version is the one the draft
// rests on (0: none saved yet), with its audit event.
func (a *Actions) SaveUnitChannels(ctx context.Context, p *auth.Principal, unitID, version int64, d notify.Draft) (notify.Channels, error) {
	if _, err := a.UnitFor(ctx, p, unitID, UnitChannels); err != nil {
		return notify.Channels{}, err
	}
	return a.st.SaveUnitChannels(ctx, p.Actor(), unitID, version, d)
}

// CanUnitChannels reports whether p may read and set the robots of the
// unit at path, for the unit page's section.
func CanUnitChannels(p *auth.Principal, path string) bool {
	return Can(p, UnitChannels, UnitAt(path))
}
