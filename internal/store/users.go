package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/remind"
	"zeren/internal/unit"
	"zeren/internal/user"
)

const userCols = `u.id, u.login, u.name, u.locale, u.disabled, u.version, u.created_at, u.updated_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (user.User, error) {
	var u user.User
	var created, updated int64
	dest := append([]any{&u.ID, &u.Login, &u.Name, &u.Locale, &u.Disabled, &u.Version, &created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return u, err
	}
	u.CreatedAt, u.UpdatedAt = fromUnix(created), fromUnix(updated)
	return u, nil
}

// CreateUser adds a user with a password hash and grants, all or nothing.
func (s *Store) CreateUser(ctx context.Context, by audit.Actor, d user.Draft, passwordHash string, grants []auth.Grant) (user.User, error) {
	if err := d.Normalize(); err != nil {
		return user.User{}, err
	}
	var id int64
	err := s.Tx(ctx, func(tx *Tx) error {
		now := unix(s.Now())
		err := tx.queryRow(ctx, `INSERT INTO users (login, name, password_hash, locale, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.Login, d.Name, passwordHash, d.Locale, d.Disabled, now, now).Scan(&id)
		if isUniqueViolation(err) {
			return apperr.Field("login", "err.login_taken")
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		u, err := tx.userForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.audit(ctx, by, change{action: "user.create", objectType: "user", objectID: id, after: u}); err != nil {
			return err
		}
		for _, g := range grants {
			if err := tx.addGrant(ctx, by, id, g.Role, g.UnitID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return user.User{}, err
	}
	return s.User(ctx, id)
}

// User returns one user.
func (s *Store) User(ctx context.Context, id int64) (user.User, error) {
	u, err := scanUser(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+userCols+` FROM users u WHERE u.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "err.not_found")
	}
	return u, err
}

func (t *Tx) userForUpdate(ctx context.Context, id int64) (user.User, error) {
	lock := t.forUpdate("")
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ?`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "err.not_found")
	}
	return u, err
}

// UserByLogin returns a user and their password hash, for logging in.
func (s *Store) UserByLogin(ctx context.Context, login string) (user.User, string, error) {
	var hash string
	u, err := scanUser(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+userCols+`, u.password_hash FROM users u WHERE u.login = ?`),
		strings.ToLower(strings.TrimSpace(login))), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", apperr.New(apperr.NotFound, "err.not_found")
	}
	return u, hash, err
}

// UpdateUser changes name, locale and the disabled flag, if version is
// current. The login is fixed once created. Disabling a user ends their
// sessions in the same transaction.
func (s *Store) UpdateUser(ctx context.Context, by audit.Actor, id, version int64, d user.Draft) (user.User, error) {
	if err := d.Normalize(); err != nil {
		return user.User{}, err
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.userForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return staleVersion()
		}
		if _, err := tx.exec(ctx, `UPDATE users SET name = ?, locale = ?, disabled = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, d.Name, d.Locale, d.Disabled, unix(s.Now()), id); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if d.Disabled {
			if _, err = tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		return tx.auditUser(ctx, by, "user.update", before)
	})
	if err != nil {
		return user.User{}, err
	}
	return s.User(ctx, id)
}

// auditUser records a change of a user, reading their state after it.
func (t *Tx) auditUser(ctx context.Context, by audit.Actor, action string, before user.User) error {
	after, err := t.userForUpdate(ctx, before.ID)
	if err != nil {
		return err
	}
	return t.audit(ctx, by, change{action: action, objectType: "user", objectID: before.ID, before: before, after: after})
}

// SetLocale stores the interface language a user chose. The choice is the
// user's own and needs no version: the last choice wins.
func (s *Store) SetLocale(ctx context.Context, by audit.Actor, id int64, locale string) error {
	if err := user.CheckLocale(locale); err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.userForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET locale = ?, version = version + 1 WHERE id = ?`, locale, id); err != nil {
			return err
		}
		return tx.auditUser(ctx, by, "user.locale", before)
	})
}

// SetPassword replaces a user's password hash and ends their sessions except
// keep (the session of a user changing their own password; "" for none).
func (s *Store) SetPassword(ctx context.Context, by audit.Actor, id int64, hash, keep string) error {
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.userForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			hash, unix(s.Now()), id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, id, auth.HashToken(keep)); err != nil {
			return err
		}
		return tx.auditUser(ctx, by, "user.password", before)
	})
}

// UserFilter selects users for the admin list.
type UserFilter struct {
	Scopes  []string  // the admin's subtrees; users whose every grant lies inside them (or who have none) are listed
	Query   string    // substring of login or name
	Unit    string    // a unit's path: only users with a grant in its subtree ("" for any)
	Role    auth.Role // only users with a grant of this role, in Unit's subtree when both are set ("" for any)
	AfterID int64     // keyset cursor
	Limit   int
}

// Users lists users an admin manages (auth.ManagesUser): those whose every
// grant lies inside the admin's subtrees, and those with no grant yet (just
// created, to be granted). The unit and role filters only narrow that set:
// a unit outside the scopes lists no one.
func (s *Store) Users(ctx context.Context, f UserFilter) ([]user.User, error) {
	if len(f.Scopes) == 0 {
		return nil, nil
	}
	scope, args := scopeClause("un.path", f.Scopes)
	where := `NOT EXISTS (SELECT 1 FROM grants g JOIN units un ON un.id = g.unit_id
		WHERE g.user_id = u.id AND NOT ` + scope + `) AND u.id > ?`
	args = append(args, f.AfterID)
	switch {
	case f.Unit != "":
		// Drawn from the subtree's units (units_path, then grants_unit), so
		// that a county's users are found without walking the province's.
		lo, hi := unit.SubtreeRange(f.Unit)
		in := `SELECT fg.user_id FROM grants fg JOIN units fu ON fu.id = fg.unit_id WHERE fu.path >= ? AND fu.path < ?`
		args = append(args, lo, hi)
		if f.Role != "" {
			in += ` AND fg.role = ?`
			args = append(args, string(f.Role))
		}
		where += ` AND u.id IN (` + in + `)`
	case f.Role != "":
		// A role alone is common: checked per user on the (user_id, unit_id,
		// role) key while walking users in id order, as the scope is.
		where += ` AND EXISTS (SELECT 1 FROM grants fg WHERE fg.user_id = u.id AND fg.role = ?)`
		args = append(args, string(f.Role))
	}
	if f.Query != "" {
		where += ` AND (u.login LIKE ? ESCAPE '\' OR u.name LIKE ? ESCAPE '\')`
		like := "%" + likeEscape(f.Query) + "%"
		args = append(args, like, like)
	}
	// 501: a page of 500 and one more that tells whether another page follows.
	if f.Limit <= 0 || f.Limit > 501 {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+userCols+` FROM users u WHERE `+where+` ORDER BY u.id LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []user.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// GrantsOf returns the grants of several users, with unit names and paths,
// in one query: a page of the user list shows each user's grants.
func (s *Store) GrantsOf(ctx context.Context, userIDs []int64) (map[int64][]auth.Grant, error) {
	out := make(map[int64][]auth.Grant, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(userIDs)), ",")
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT g.user_id, g.id, g.role, g.unit_id, un.name, un.path
		FROM grants g JOIN units un ON un.id = g.unit_id WHERE g.user_id IN (`+in+`) ORDER BY g.user_id, un.path, g.role`), args...)
	if err != nil {
		return nil, fmt.Errorf("grants of users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var userID int64
		var g auth.Grant
		if err := rows.Scan(&userID, &g.ID, &g.Role, &g.UnitID, &g.UnitName, &g.UnitPath); err != nil {
			return nil, err
		}
		out[userID] = append(out[userID], g)
	}
	return out, rows.Err()
}

// Grants returns a user's grants with the unit names and paths.
func (s *Store) Grants(ctx context.Context, userID int64) ([]auth.Grant, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT g.id, g.role, g.unit_id, un.name, un.path
		FROM grants g JOIN units un ON un.id = g.unit_id WHERE g.user_id = ? ORDER BY un.path, g.role`), userID)
	if err != nil {
		return nil, fmt.Errorf("grants: %w", err)
	}
	defer rows.Close()
	var out []auth.Grant
	for rows.Next() {
		var g auth.Grant
		if err := rows.Scan(&g.ID, &g.Role, &g.UnitID, &g.UnitName, &g.UnitPath); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// AddGrant gives a user a role on a unit's subtree.
func (s *Store) AddGrant(ctx context.Context, by audit.Actor, userID int64, role auth.Role, unitID int64) error {
	return s.Tx(ctx, func(tx *Tx) error { return tx.addGrant(ctx, by, userID, role, unitID) })
}

// grantSnapshot is how a grant appears in the audit trail.
type grantSnapshot struct {
	UserID int64     `json:"user_id"`
	Role   auth.Role `json:"role"`
	UnitID int64     `json:"unit_id"`
}

func (t *Tx) addGrant(ctx context.Context, by audit.Actor, userID int64, role auth.Role, unitID int64) error {
	if !role.Valid() {
		return apperr.Field("role", "err.unknown_role", role)
	}
	u, err := t.unitForUpdate(ctx, unitID)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field("unit_id", "err.no_such_unit", unitID)
	}
	if err != nil {
		return err
	}
	if u.Archived {
		return apperr.Field("unit_id", "err.unit_archived")
	}
	var id int64
	err = t.queryRow(ctx, `INSERT INTO grants (user_id, unit_id, role, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		userID, unitID, string(role), unix(t.s.Now())).Scan(&id)
	if isUniqueViolation(err) {
		return apperr.Field("role", "err.grant_exists")
	}
	if err != nil {
		return fmt.Errorf("insert grant: %w", err)
	}
	return t.audit(ctx, by, change{action: "grant.add", objectType: "grant", objectID: id, unit: &u,
		after: grantSnapshot{UserID: userID, Role: role, UnitID: unitID}})
}

// Grant returns one grant with its unit.
func (s *Store) Grant(ctx context.Context, id int64) (userID int64, g auth.Grant, err error) {
	err = s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT g.user_id, g.id, g.role, g.unit_id, un.name, un.path
		FROM grants g JOIN units un ON un.id = g.unit_id WHERE g.id = ?`), id).
		Scan(&userID, &g.ID, &g.Role, &g.UnitID, &g.UnitName, &g.UnitPath)
	if errors.Is(err, sql.ErrNoRows) {
		err = apperr.New(apperr.NotFound, "err.not_found")
	}
	return userID, g, err
}

// RemoveGrant deletes one grant.
func (s *Store) RemoveGrant(ctx context.Context, by audit.Actor, id int64) error {
	userID, g, err := s.Grant(ctx, id)
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM grants WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		u := unit.Unit{ID: g.UnitID, Path: g.UnitPath}
		return tx.audit(ctx, by, change{action: "grant.remove", objectType: "grant", objectID: id, unit: &u,
			before: grantSnapshot{UserID: userID, Role: g.Role, UnitID: g.UnitID}})
	})
}

// Contact returns how a person is reached and the channels they chose.
func (s *Store) Contact(ctx context.Context, id int64) (user.Contact, error) {
	var c user.Contact
	var channels string
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT email, phone, channels FROM users WHERE id = ?`), id).Scan(&c.Email, &c.Phone, &channels)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "err.not_found")
	}
	for _, ch := range SplitChannels(channels) {
		c.Channels = append(c.Channels, remind.Channel(ch))
	}
	return c, err
}

// SetContact changes a person's contact and channels, audited. Like the
// locale, it is the person's own choice: the last one wins.
func (s *Store) SetContact(ctx context.Context, by audit.Actor, id int64, c user.Contact) error {
	if err := c.Normalize(); err != nil {
		return err
	}
	before, err := s.Contact(ctx, id)
	if err != nil {
		return err
	}
	channels := make([]string, len(c.Channels))
	for i, ch := range c.Channels {
		channels[i] = string(ch)
	}
	return s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE users SET email = ?, phone = ?, channels = ?, updated_at = ? WHERE id = ?`,
			c.Email, c.Phone, strings.Join(channels, ","), unix(s.Now()), id); err != nil {
			return fmt.Errorf("set contact: %w", err)
		}
		return tx.audit(ctx, by, change{action: "user.contact", objectType: "user", objectID: id, before: before, after: c})
	})
}
