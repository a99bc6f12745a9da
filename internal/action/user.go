package action

import (
	"context"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/user"
)

// A user is decided on every one of their grants (DESIGN.md section 3):
// an admin sees a user only when each grant lies in the admin's subtree
// (auth.ManagesUser), and changes them only when, besides, none is at or
// above the admin's own level, unless the admin is a top admin
// (auth.ChangesUser).

// Managed is a user with their grants, loaded for an admin.
type Managed struct {
	User   user.User
	Grants []auth.Grant
}

// User loads a user p manages; any other is not found.
func (a *Actions) User(ctx context.Context, p *auth.Principal, id int64) (Managed, error) {
	if !p.CanAnywhere(auth.ManageUsers) {
		return Managed{}, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	u, err := a.st.User(ctx, id)
	if err != nil {
		return Managed{}, err
	}
	grants, err := a.st.Grants(ctx, id)
	if err != nil {
		return Managed{}, err
	}
	m := Managed{User: u, Grants: grants}
	return m, decideUser(p, UserRead, m)
}

// canUser answers a user decision: OnUser is auth.ManagesUser, OnPeer
// auth.ChangesUser.
func canUser(p *auth.Principal, n Name, m Managed) bool {
	if RuleOf(n).On == OnPeer {
		return p.ChangesUser(m.User.ID, m.Grants)
	}
	return p.ManagesUser(m.Grants)
}

// decideUser is decide for a user: one p does not manage is not found,
// one p manages but may not change is forbidden.
func decideUser(p *auth.Principal, n Name, m Managed) error {
	switch {
	case canUser(p, n, m):
		return nil
	case p.ManagesUser(m.Grants):
		return apperr.New(apperr.Forbidden, "err.user_above")
	}
	return apperr.New(apperr.NotFound, "err.not_found")
}

// CanChangeUser reports whether p may edit, disable, reset or re-grant m.
func CanChangeUser(p *auth.Principal, m Managed) bool { return canUser(p, UserChange, m) }

// changeable loads a user p may change.
func (a *Actions) changeable(ctx context.Context, p *auth.Principal, id int64) (Managed, error) {
	m, err := a.User(ctx, p, id)
	if err != nil {
		return m, err
	}
	return m, decideUser(p, UserChange, m)
}

// checkGrantUnit returns nil if p may give a grant on the unit.
func (a *Actions) checkGrantUnit(ctx context.Context, p *auth.Principal, unitID int64, field string) error {
	u, err := a.st.Unit(ctx, unitID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	if err != nil || !Can(p, UserCreate, Target{Unit: u.Path}) {
		return apperr.Field(field, "err.no_such_unit", unitID)
	}
	return nil
}

// CreateUser adds a user with grants, each on a unit p manages.
func (a *Actions) CreateUser(ctx context.Context, p *auth.Principal, d user.Draft, password string, grants []auth.Grant) (user.User, error) {
	if !p.CanAnywhere(auth.ManageUsers) {
		return user.User{}, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	if err := d.Normalize(); err != nil {
		return user.User{}, err
	}
	if err := auth.CheckPassword(d.Login, password); err != nil {
		return user.User{}, err
	}
	for _, g := range grants {
		if !g.Role.Valid() {
			return user.User{}, apperr.Field("grants.role", "err.unknown_role", g.Role)
		}
		if err := a.checkGrantUnit(ctx, p, g.UnitID, "grants.unit_id"); err != nil {
			return user.User{}, err
		}
	}
	return a.st.CreateUser(ctx, p.Actor(), d, auth.HashPassword(password), grants)
}

// UpdateUser changes a user's name, locale and disabled flag and, when a
// password is given, resets it; both or neither.
func (a *Actions) UpdateUser(ctx context.Context, p *auth.Principal, id, version int64, d user.Draft, password string) (user.User, error) {
	m, err := a.changeable(ctx, p, id)
	if err != nil {
		return m.User, err
	}
	if m.User.Version != version {
		return m.User, apperr.New(apperr.Conflict, "err.stale_version")
	}
	d.Login = m.User.Login
	if d.Disabled && id == p.UserID {
		return m.User, apperr.Field("disabled", "err.disable_self")
	}
	if password != "" {
		if err := auth.CheckPassword(m.User.Login, password); err != nil {
			return m.User, err
		}
	}
	err = a.st.InTx(ctx, func(ctx context.Context) error {
		if _, err := a.st.UpdateUser(ctx, p.Actor(), id, version, d); err != nil {
			return err
		}
		if password == "" {
			return nil
		}
		return a.st.SetPassword(ctx, p.Actor(), id, auth.HashPassword(password), "")
	})
	if err != nil {
		return m.User, err
	}
	return a.st.User(ctx, id)
}

// AddGrant gives a user p may change a role on a unit p manages.
func (a *Actions) AddGrant(ctx context.Context, p *auth.Principal, userID int64, role auth.Role, unitID int64) error {
	if _, err := a.changeable(ctx, p, userID); err != nil {
		return err
	}
	if !role.Valid() {
		return apperr.Field("role", "err.unknown_role", role)
	}
	if err := a.checkGrantUnit(ctx, p, unitID, "unit_id"); err != nil {
		return err
	}
	return a.st.AddGrant(ctx, p.Actor(), userID, role, unitID)
}

// RemoveGrant deletes a grant of a user p may change; it returns the user's id.
func (a *Actions) RemoveGrant(ctx context.Context, p *auth.Principal, grantID int64) (int64, error) {
	userID, g, err := a.st.Grant(ctx, grantID)
	if err != nil {
		return 0, err
	}
	if _, err := a.changeable(ctx, p, userID); err != nil {
		return userID, err
	}
	if userID == p.UserID && g.Role == auth.Admin {
		return userID, apperr.Field("role", "err.remove_own_admin")
	}
	return userID, a.st.RemoveGrant(ctx, p.Actor(), grantID)
}

// CanChangeSettings reports whether p may change system-wide settings.
func CanChangeSettings(p *auth.Principal) bool {
	return RuleOf(SettingsChange).On == OnTop && p.IsTopAdmin()
}

// PasswordLink is a set-password link just made, shown this once.
type PasswordLink struct {
	UserID    int64
	Token     string
	ExpiresAt time.Time
}

// IssuePasswordLink makes a one-time set-password link for a user p may
// change (a reset for a person who forgot their password or never got the
// mail); a disabled user's link would not work, so none is made.
func (a *Actions) IssuePasswordLink(ctx context.Context, p *auth.Principal, userID int64) (PasswordLink, error) {
	m, err := a.changeable(ctx, p, userID)
	if err != nil {
		return PasswordLink{}, err
	}
	if m.User.Disabled {
		return PasswordLink{}, apperr.New(apperr.Conflict, "err.password_link_user_disabled")
	}
	token, expires, err := a.st.CreatePasswordLink(ctx, p.Actor(), userID)
	return PasswordLink{UserID: userID, Token: token, ExpiresAt: expires}, err
}
