package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/user"
)

// PasswordLinkTTL is how long a set-password link works.
const PasswordLinkTTL = 7 * 24 * time.Hour

// PasswordLinkPrefix starts every set-password token.
const PasswordLinkPrefix = "zpl_"

// addPasswordLinks makes a one-time set-password link for each user and
// returns the tokens by user; only their hashes are stored.
func (t *Tx) addPasswordLinks(ctx context.Context, userIDs []int64) (map[int64]string, error) {
	rows := t.bulk("password_links", "token_hash", "user_id", "created_at", "expires_at")
	now := t.s.Now()
	out := make(map[int64]string, len(userIDs))
	for _, id := range userIDs {
		secret, hash := auth.NewToken(PasswordLinkPrefix)
		if err := rows.add(ctx, hash, id, unix(now), unix(now.Add(PasswordLinkTTL))); err != nil {
			return nil, err
		}
		out[id] = secret
	}
	return out, rows.flush(ctx)
}

// linkSnapshot is how a link appears in the audit trail: when it stops
// working, never its token.
type linkSnapshot struct {
	ExpiresAt time.Time `json:"expires_at"`
}

// CreatePasswordLink makes a one-time set-password link for one user, with
// its audit event (user.password_link), and returns the token and when it
// stops working. Links made before stay valid until used or expired.
func (s *Store) CreatePasswordLink(ctx context.Context, by audit.Actor, userID int64) (token string, expires time.Time, err error) {
	err = s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.userForUpdate(ctx, userID); err != nil {
			return err
		}
		tokens, err := tx.addPasswordLinks(ctx, []int64{userID})
		if err != nil {
			return err
		}
		token = tokens[userID]
		var at int64
		if err := tx.queryRow(ctx, `SELECT expires_at FROM password_links WHERE token_hash = ?`, auth.HashToken(token)).Scan(&at); err != nil {
			return fmt.Errorf("password link: %w", err)
		}
		expires = fromUnix(at)
		return tx.audit(ctx, by, change{action: "user.password_link", objectType: "user", objectID: userID,
			after: linkSnapshot{ExpiresAt: expires}})
	})
	return token, expires, err
}

// Refusals of a set-password link: each is "not found", with a message
// saying why, since the person holding it can do something about each.
var (
	errLinkInvalid  = apperr.New(apperr.NotFound, "err.password_link_invalid")
	errLinkExpired  = apperr.New(apperr.NotFound, "err.password_link_expired")
	errLinkDisabled = apperr.New(apperr.NotFound, "err.password_link_disabled")
)

// wellFormedLink reports whether token can be a set-password token, so
// that no other text is looked up.
func wellFormedLink(token string) bool {
	return strings.HasPrefix(token, PasswordLinkPrefix) && len(token) <= 100
}

const linkQuery = `SELECT ` + userCols + `, l.expires_at FROM password_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = ?`

// scanLink reads the user of a link and checks that it still works.
func (s *Store) scanLink(row *sql.Row) (user.User, error) {
	var expires int64
	u, err := scanUser(row, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return u, errLinkInvalid
	case err != nil:
		return u, fmt.Errorf("password link: %w", err)
	case !s.Now().Before(fromUnix(expires)):
		return u, errLinkExpired
	case u.Disabled:
		return u, errLinkDisabled
	}
	return u, nil
}

// PasswordLinkUser returns the user whose working set-password link token
// is; an unknown, used, expired or malformed token, or one of a disabled
// user, is not found, with the reason.
func (s *Store) PasswordLinkUser(ctx context.Context, token string) (user.User, error) {
	if !wellFormedLink(token) {
		return user.User{}, errLinkInvalid
	}
	return s.scanLink(s.rd(ctx).QueryRowContext(ctx, s.q(linkQuery), auth.HashToken(token)))
}

// SetPasswordByLink uses a set-password link: in one transaction it checks
// the link as PasswordLinkUser does, stores the password hash, deletes all
// of the user's links, ends their sessions and records the change as done
// by the user (user.password_set_by_link).
func (s *Store) SetPasswordByLink(ctx context.Context, token, hash string) (user.User, error) {
	if !wellFormedLink(token) {
		return user.User{}, errLinkInvalid
	}
	var u user.User
	err := s.Tx(ctx, func(tx *Tx) error {
		var err error
		if u, err = s.scanLink(tx.queryRow(ctx, linkQuery+tx.forUpdate("l, u"), auth.HashToken(token))); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			hash, unix(s.Now()), u.ID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM password_links WHERE user_id = ?`, u.ID); err != nil {
			return fmt.Errorf("delete password links: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return tx.auditUser(ctx, audit.Actor{UserID: u.ID, Login: u.Login}, "user.password_set_by_link", u)
	})
	if err != nil {
		return user.User{}, err
	}
	return s.User(ctx, u.ID)
}

// DeleteExpiredPasswordLinks removes the links that no longer work.
func (s *Store) DeleteExpiredPasswordLinks(ctx context.Context) (int64, error) {
	res, err := s.write.ExecContext(ctx, s.q(`DELETE FROM password_links WHERE expires_at <= ?`), unix(s.Now()))
	if err != nil {
		return 0, fmt.Errorf("delete expired password links: %w", err)
	}
	return res.RowsAffected()
}
