package action

import (
	"context"
	"strconv"
	"strings"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/unit"
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

// CanListUsers reports whether p may open the user list at all: p may read
// users somewhere (UserRead). The list itself holds only those p may read.
func CanListUsers(p *auth.Principal) bool { return p.CanAnywhere(RuleOf(UserRead).Need) }

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

// UserQuery is what the user list asks for, as the pages and the API read
// it: a search, a unit (users with a grant in its subtree) and a role.
type UserQuery struct {
	Query   string
	UnitID  int64     // 0 for any
	Role    auth.Role // "" for any
	AfterID int64
	Limit   int
}

// ParseUserQuery reads the list's query parameters, naming the field that
// is malformed.
func ParseUserQuery(q, unitID, role, after string) (UserQuery, error) {
	uq := UserQuery{Query: strings.TrimSpace(q), Role: auth.Role(strings.TrimSpace(role))}
	if uq.Role != "" && !uq.Role.Valid() {
		return uq, apperr.Field("role", "err.unknown_role", uq.Role)
	}
	var err error
	if uq.UnitID, err = optionalID(unitID); err != nil {
		return uq, apperr.Field("unit_id", "err.not_a_number")
	}
	if uq.AfterID, err = optionalID(after); err != nil {
		return uq, apperr.Field("after", "err.not_a_number")
	}
	return uq, nil
}

// optionalID reads a positive id; empty reads as 0.
func optionalID(s string) (int64, error) {
	if s = strings.TrimSpace(s); s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil && n <= 0 {
		err = strconv.ErrRange
	}
	return n, err
}

// UserPage is a page of the user list.
type UserPage struct {
	Users []Managed
	Unit  unit.Unit // the filter's unit, when one was asked for
	Next  int64     // keyset cursor of the next page, 0 when none
}

// Users lists the users p may read (UserRead), a page at a time, each with
// their grants loaded for the whole page at once. The store scopes the query
// by p's subtrees; a filter unit outside them is refused by name, as a unit
// that does not exist is, and every user is checked again against the rule.
func (a *Actions) Users(ctx context.Context, p *auth.Principal, q UserQuery) (UserPage, error) {
	var page UserPage
	if q.Limit <= 0 {
		q.Limit = 50
	}
	scopes, err := p.ScopesOrForbidden(RuleOf(UserRead).Need)
	if err != nil {
		return page, err
	}
	if q.Role != "" && !q.Role.Valid() {
		return page, apperr.Field("role", "err.unknown_role", q.Role)
	}
	f := store.UserFilter{Scopes: scopes, Query: q.Query, Role: q.Role, AfterID: q.AfterID, Limit: q.Limit + 1}
	if q.UnitID != 0 {
		u, err := a.st.Unit(ctx, q.UnitID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return page, err
		}
		if err != nil || !p.Can(RuleOf(UserRead).Need, u.Path) {
			return page, apperr.Field("unit_id", "err.no_such_unit", q.UnitID)
		}
		page.Unit, f.Unit = u, u.Path
	}
	users, err := a.st.Users(ctx, f)
	if err != nil {
		return page, err
	}
	if len(users) > q.Limit {
		users = users[:q.Limit]
		page.Next = users[q.Limit-1].ID
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	grants, err := a.st.GrantsOf(ctx, ids)
	if err != nil {
		return page, err
	}
	for _, u := range users {
		m := Managed{User: u, Grants: grants[u.ID]}
		if decideUser(p, UserRead, m) == nil {
			page.Users = append(page.Users, m)
		}
	}
	return page, nil
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
