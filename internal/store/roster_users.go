package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/remind"
	"zeren/internal/roster"
)

// ruser is a saved user as an import sees them.
type ruser struct {
	id       int64
	login    string
	name     string
	email    string
	phone    string
	channels string
	disabled bool
	grants   []auth.Grant
	line     int
}

// One slice per outcome, shared by the plans (never changed).
var (
	opsCreate = []roster.Op{roster.Create}
	opsUpdate = []roster.Op{roster.Update}
	opsKeep   = []roster.Op{roster.Keep}
)

// userPlan is what one row does to its user.
type userPlan struct {
	u      *ruser          // nil for a new user
	row    *roster.UserRow // the sheet's, not a copy: a province has half a million
	grants []auth.Grant    // as the row gives them, units resolved
	ops    []roster.Op
	fields []roster.Field
	id     int64
	link   string
	mailed bool
}

// userImportSnapshot is a user as an import's audit event records them.
type userImportSnapshot struct {
	ID       int64        `json:"id"`
	Login    string       `json:"login"`
	Name     string       `json:"name"`
	Email    string       `json:"email"`
	Phone    string       `json:"phone"`
	Disabled bool         `json:"disabled"`
	Grants   []auth.Grant `json:"grants"`
}

// ImportUsers brings a users sheet in: each row names a user by login and
// updates them (name, phone, email, active, and their grants, which become
// the row's), or creates them without a password and with a one-time
// set-password link. All or nothing, as ImportUnits; a user the importer
// does not manage, a grant on a unit they may not grant on, disabling
// themselves or taking their own admin grant away are errors of the row.
// With ArchiveMissing the users the importer may change that no row names
// are disabled (the importer excepted).
func (s *Store) ImportUsers(ctx context.Context, by audit.Actor, sh roster.UserSheet, in RosterImport) (roster.Result, error) {
	res := roster.Result{Sheet: roster.Users, Rows: len(sh.Rows) + len(sh.Errors), DryRun: in.DryRun,
		Errors: append([]roster.RowError(nil), sh.Errors...)}
	var plans []*userPlan
	plan := func(ctx context.Context, tx *Tx) error {
		tr, err := loadTree(ctx, tx.tx, in.Policy.Sees)
		if err != nil {
			return err
		}
		users, err := loadUsers(ctx, tx.tx)
		if err != nil {
			return err
		}
		for i := range sh.Rows {
			row := &sh.Rows[i]
			p, f, err := planUser(tr, users, row, by, in.Policy)
			if err != nil {
				if apperr.KindOf(err) == apperr.Internal {
					return err
				}
				res.Errors = append(res.Errors, roster.NewRowError(row.Line, f, err))
				continue
			}
			plans = append(plans, p)
		}
		if in.ArchiveMissing {
			for _, u := range users {
				if u.line != 0 || u.disabled || u.id == by.UserID || len(u.grants) == 0 || !allInScopes(u.grants, in.Policy.Scopes) {
					continue
				}
				if in.Policy.User(u.id, u.grants) != nil {
					continue
				}
				plans = append(plans, &userPlan{u: u, id: u.id, ops: []roster.Op{roster.Disable}})
			}
		}
		return nil
	}
	apply := func(ctx context.Context, tx *Tx) error { return tx.applyUsers(ctx, by, plans, in) }
	changes := func() []roster.Change {
		out := make([]roster.Change, len(plans))
		for i, p := range plans {
			out[i] = p.change()
		}
		return out
	}
	err := s.importSheet(ctx, by, &res, in, plan, apply, changes)
	return res, err
}

func (p *userPlan) change() roster.Change {
	c := roster.Change{Ops: p.ops, ID: p.id, Fields: p.fields, Link: p.link, Mailed: p.mailed}
	if p.row != nil {
		c.Line, c.Name = p.row.Line, p.row.Login
	} else {
		c.Name = p.u.login
	}
	return c
}

func allInScopes(grants []auth.Grant, scopes []string) bool {
	for _, g := range grants {
		if !inScopes(g.UnitPath, scopes) {
			return false
		}
	}
	return true
}

// loadUsers reads every user with their grants, by login.
func loadUsers(ctx context.Context, q querier) (map[string]*ruser, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, login, name, email, phone, channels, disabled FROM users`)
	if err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	defer rows.Close()
	out := map[string]*ruser{}
	byID := map[int64]*ruser{}
	for rows.Next() {
		u := &ruser{}
		if err := rows.Scan(&u.id, &u.login, &u.name, &u.email, &u.phone, &u.channels, &u.disabled); err != nil {
			return nil, err
		}
		out[u.login], byID[u.id] = u, u
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	grows, err := q.QueryContext(ctx, `SELECT g.user_id, g.id, g.role, g.unit_id, un.name, un.path
		FROM grants g JOIN units un ON un.id = g.unit_id ORDER BY g.id`)
	if err != nil {
		return nil, fmt.Errorf("load grants: %w", err)
	}
	defer grows.Close()
	for grows.Next() {
		var uid int64
		var g auth.Grant
		if err := grows.Scan(&uid, &g.ID, &g.Role, &g.UnitID, &g.UnitName, &g.UnitPath); err != nil {
			return nil, err
		}
		if u := byID[uid]; u != nil {
			u.grants = append(u.grants, g)
		}
	}
	return out, grows.Err()
}

// planUser checks a row and returns what it does, or the column at fault.
func planUser(tr *rtree, users map[string]*ruser, row *roster.UserRow, by audit.Actor, pol RosterPolicy) (*userPlan, roster.Field, error) {
	p := &userPlan{row: row}
	for _, g := range row.Grants {
		n, err := tr.resolve(g.Unit)
		if err != nil {
			return nil, roster.Grants, withField(err, roster.Grants)
		}
		if n.path == "" {
			return nil, roster.Grants, apperr.Field(string(roster.Grants), "err.roster_unknown_unit", g.Unit)
		}
		if n.archived {
			return nil, roster.Grants, apperr.Field(string(roster.Grants), "err.unit_archived")
		}
		p.grants = append(p.grants, auth.Grant{Role: g.Role, UnitID: n.id, UnitName: n.name, UnitPath: n.path})
	}
	u := users[row.Login]
	if u == nil {
		for _, g := range p.grants {
			if !pol.GrantOn(g.UnitPath) {
				return nil, roster.Grants, apperr.Field(string(roster.Grants), "err.roster_unknown_unit", g.UnitName)
			}
		}
		// The sheet's reader already refused a login twice (roster.ReadUsers).
		p.ops = opsCreate
		return p, "", nil
	}
	if u.line != 0 {
		return nil, roster.Login, apperr.Field(string(roster.Login), "err.roster_duplicate", u.line)
	}
	u.line = row.Line
	if err := pol.User(u.id, u.grants); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, roster.Login, apperr.Field(string(roster.Login), "err.login_taken")
		}
		return nil, roster.Login, withField(err, roster.Login)
	}
	p.u, p.id = u, u.id
	if row.Name != u.name {
		p.fields = append(p.fields, roster.Person)
	}
	if row.Phone != u.phone {
		p.fields = append(p.fields, roster.Phone)
	}
	if row.Email != u.email {
		p.fields = append(p.fields, roster.Email)
	}
	if row.Active == u.disabled {
		if !row.Active && u.id == by.UserID {
			return nil, roster.Active, apperr.Field(string(roster.Active), "err.disable_self")
		}
		p.fields = append(p.fields, roster.Active)
	}
	have := map[[2]any]bool{}
	for _, g := range u.grants {
		have[[2]any{g.Role, g.UnitID}] = true
	}
	want := map[[2]any]bool{}
	changed := false
	for _, g := range p.grants {
		want[[2]any{g.Role, g.UnitID}] = true
		if !have[[2]any{g.Role, g.UnitID}] {
			changed = true
			if !pol.GrantOn(g.UnitPath) {
				return nil, roster.Grants, apperr.Field(string(roster.Grants), "err.roster_unknown_unit", g.UnitName)
			}
		}
	}
	for _, g := range u.grants {
		if !want[[2]any{g.Role, g.UnitID}] {
			changed = true
			if u.id == by.UserID && g.Role == auth.Admin {
				return nil, roster.Grants, apperr.Field(string(roster.Grants), "err.remove_own_admin")
			}
		}
	}
	if changed {
		p.fields = append(p.fields, roster.Grants)
	}
	p.ops = opsKeep
	if len(p.fields) > 0 {
		p.ops = opsUpdate
	}
	return p, "", nil
}

// channelsFor is the channels a user imported with this address gets:
// mail when they have an address, and the in-app inbox always.
func channelsFor(email, saved string) string {
	var out []string
	for _, c := range strings.Split(saved, ",") {
		if c != "" && (c != string(remind.Email) || email != "") {
			out = append(out, c)
		}
	}
	if email != "" && !slices.Contains(out, string(remind.Email)) {
		out = append(out, string(remind.Email))
	}
	return strings.Join(out, ",")
}

// applyUsers writes the plans: new users, their grants, events and links
// in bulk; changed and disabled users one by one, each with an event.
func (t *Tx) applyUsers(ctx context.Context, by audit.Actor, plans []*userPlan, in RosterImport) error {
	var created []*userPlan
	for _, p := range plans {
		if p.ops[0] == roster.Create {
			created = append(created, p)
		}
	}
	ids, err := t.reserveIDs(ctx, "users", len(created))
	if err != nil {
		return err
	}
	total, done := len(plans), 0
	now := t.s.Now()
	urows := t.bulk("users", "id", "login", "name", "password_hash", "locale", "disabled", "email", "phone", "channels", "created_at", "updated_at")
	grows := t.bulk("grants", "user_id", "unit_id", "role", "created_at")
	c, err := t.chain(ctx)
	if err != nil {
		return err
	}
	var linked, mail []int64
	for i, p := range created {
		p.id = ids[i]
		r := p.row
		if err := urows.add(ctx, p.id, r.Login, r.Name, "", "", !r.Active, r.Email, r.Phone, channelsFor(r.Email, ""), unix(now), unix(now)); err != nil {
			return err
		}
		for _, g := range p.grants {
			if err := grows.add(ctx, p.id, g.UnitID, string(g.Role), unix(now)); err != nil {
				return err
			}
		}
		after := userImportSnapshot{ID: p.id, Login: r.Login, Name: r.Name, Email: r.Email, Phone: r.Phone, Disabled: !r.Active, Grants: p.grants}
		if err := c.add(ctx, audit.Event{At: now, UserID: by.UserID, Login: by.Login, Action: "user.create", ObjectType: "user",
			ObjectID: p.id, After: audit.Snapshot(after)}); err != nil {
			return err
		}
		switch {
		case !r.Active:
		case r.Email != "" && in.MailLinks != nil:
			mail = append(mail, p.id)
		default:
			linked = append(linked, p.id)
		}
		if done++; done%1000 == 0 {
			in.progress(done, total)
		}
	}
	// Users before their grants: the foreign key checks each statement.
	if err := urows.flush(ctx); err != nil {
		return err
	}
	if err := grows.flush(ctx); err != nil {
		return err
	}
	if err := c.close(ctx, t); err != nil {
		return err
	}
	mailed := map[int64]bool{}
	if len(mail) > 0 {
		unmailed, err := in.MailLinks(ctx, mail)
		if err != nil {
			return fmt.Errorf("mail set-password links: %w", err)
		}
		for _, id := range mail {
			mailed[id] = true
		}
		for _, id := range unmailed {
			mailed[id] = false
			linked = append(linked, id)
		}
	}
	links, err := t.addPasswordLinks(ctx, linked)
	if err != nil {
		return err
	}
	for _, p := range created {
		p.link, p.mailed = links[p.id], mailed[p.id]
	}
	for _, p := range plans {
		switch p.ops[0] {
		case roster.Update:
			if err := t.updateImportedUser(ctx, by, p); err != nil {
				return fmt.Errorf("row %d: %w", p.row.Line, err)
			}
		case roster.Disable:
			if err := t.disableImportedUser(ctx, by, p.u); err != nil {
				return fmt.Errorf("%s: %w", p.u.login, err)
			}
		default:
			continue
		}
		if done++; done%1000 == 0 {
			in.progress(done, total)
		}
	}
	in.progress(total, total)
	return nil
}

func (u *ruser) snapshot() userImportSnapshot {
	return userImportSnapshot{ID: u.id, Login: u.login, Name: u.name, Email: u.email, Phone: u.phone, Disabled: u.disabled, Grants: u.grants}
}

// updateImportedUser saves a row's changes to a user: fields, and grants
// made the row's.
func (t *Tx) updateImportedUser(ctx context.Context, by audit.Actor, p *userPlan) error {
	u, r := p.u, p.row
	before := u.snapshot()
	now := unix(t.s.Now())
	if _, err := t.exec(ctx, `UPDATE users SET name = ?, email = ?, phone = ?, channels = ?, disabled = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		r.Name, r.Email, r.Phone, channelsFor(r.Email, u.channels), !r.Active, now, u.id); err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if slices.Contains(p.fields, roster.Grants) {
		if _, err := t.exec(ctx, `DELETE FROM grants WHERE user_id = ?`, u.id); err != nil {
			return err
		}
		for _, g := range p.grants {
			if _, err := t.exec(ctx, `INSERT INTO grants (user_id, unit_id, role, created_at) VALUES (?, ?, ?, ?)`, u.id, g.UnitID, string(g.Role), now); err != nil {
				return fmt.Errorf("insert grant: %w", err)
			}
		}
	}
	if !r.Active && !u.disabled {
		if _, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.id); err != nil {
			return err
		}
	}
	u.name, u.email, u.phone, u.disabled, u.grants = r.Name, r.Email, r.Phone, !r.Active, p.grants
	return t.audit(ctx, by, change{action: "user.update", objectType: "user", objectID: u.id, before: before, after: u.snapshot()})
}

// disableImportedUser disables a user missing from the sheet and ends
// their sessions.
func (t *Tx) disableImportedUser(ctx context.Context, by audit.Actor, u *ruser) error {
	before := u.snapshot()
	if _, err := t.exec(ctx, `UPDATE users SET disabled = ?, version = version + 1, updated_at = ? WHERE id = ?`, true, unix(t.s.Now()), u.id); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.id); err != nil {
		return err
	}
	u.disabled = true
	return t.audit(ctx, by, change{action: "user.disable", objectType: "user", objectID: u.id, before: before, after: u.snapshot()})
}
