package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
)

// SessionTimeouts bound a session's life: idle since the last request, and
// absolute since login.
type SessionTimeouts struct {
	Idle     time.Duration
	Absolute time.Duration
}

// touchEvery limits last-seen writes to one per minute per session.
const touchEvery = time.Minute

// CreateSession stores a new session for the user who just logged in and
// returns its secret, which only the cookie holds.
// stage is "" for a full session or an auth.Stage* while a second factor is due.
func (s *Store) CreateSession(ctx context.Context, by audit.Actor, stage string) (string, error) {
	secret, hash := auth.NewToken("")
	now := unix(s.Now())
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, stage) VALUES (?, ?, ?, ?, ?)`,
			hash, by.UserID, now, now, stage); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		action := "session.login"
		if stage != "" {
			action = "session.password_ok"
		}
		return tx.audit(ctx, by, change{action: action, objectType: "user", objectID: by.UserID})
	})
	return secret, err
}

// SessionPrincipal returns the principal of a live session and keeps it
// alive; an expired, unknown or disabled user's session is Unauthorized.
func (s *Store) SessionPrincipal(ctx context.Context, secret string, to SessionTimeouts) (*auth.Principal, error) {
	hash := auth.HashToken(secret)
	var userID, created, seen int64
	var stage string
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT s.user_id, s.created_at, s.last_seen_at, s.stage FROM sessions s
		JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled = ?`), hash, false).Scan(&userID, &created, &seen, &stage)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthorized, "err.session_expired")
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	now := s.Now()
	if now.Sub(fromUnix(seen)) >= to.Idle || now.Sub(fromUnix(created)) >= to.Absolute {
		_ = s.DeleteSession(ctx, audit.System, secret, "session.expire")
		return nil, apperr.New(apperr.Unauthorized, "err.session_expired")
	}
	if now.Sub(fromUnix(seen)) >= touchEvery {
		if _, err := s.write.ExecContext(ctx, s.q(`UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`), unix(now), hash); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	p, err := s.Principal(ctx, userID)
	if err != nil {
		return nil, err
	}
	p.Pending = stage
	return p, nil
}

// DeleteSession ends a session (action "session.logout" or "session.expire").
// An unknown secret is not an error: the session is gone either way.
func (s *Store) DeleteSession(ctx context.Context, by audit.Actor, secret, action string) error {
	hash := auth.HashToken(secret)
	return s.Tx(ctx, func(tx *Tx) error {
		var userID int64
		err := tx.queryRow(ctx, `DELETE FROM sessions WHERE token_hash = ? RETURNING user_id`, hash).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: action, objectType: "user", objectID: userID})
	})
}

// DeleteExpiredSessions removes sessions past either timeout; run periodically.
func (s *Store) DeleteExpiredSessions(ctx context.Context, to SessionTimeouts) (int64, error) {
	now := s.Now()
	var n int64
	err := s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?`,
			unix(now.Add(-to.Idle)), unix(now.Add(-to.Absolute)))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return tx.audit(ctx, audit.System, change{action: "session.expire", objectType: "session", after: map[string]int64{"count": n}})
	})
	return n, err
}

// Principal loads a user and their grants.
func (s *Store) Principal(ctx context.Context, userID int64) (*auth.Principal, error) {
	u, err := s.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, apperr.New(apperr.Unauthorized, "err.user_disabled")
	}
	grants, err := s.Grants(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &auth.Principal{UserID: u.ID, Login: u.Login, Name: u.Name, Locale: u.Locale, Grants: grants}, nil
}

// APIToken describes a token without its secret.
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// CreateAPIToken makes a token for a user and returns its secret, shown once.
func (s *Store) CreateAPIToken(ctx context.Context, by audit.Actor, userID int64, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", apperr.Field("name", "err.required")
	case n > 100:
		return "", apperr.Field("name", "err.too_long", 100)
	}
	secret, hash := auth.NewToken(auth.TokenPrefix)
	err := s.Tx(ctx, func(tx *Tx) error {
		var id int64
		err := tx.queryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			userID, name, hash, unix(s.Now())).Scan(&id)
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		return tx.audit(ctx, by, change{action: "token.create", objectType: "token", objectID: id,
			after: map[string]any{"user_id": userID, "name": name}})
	})
	return secret, err
}

// APITokens lists a user's live tokens, newest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id, name, created_at, last_used_at FROM api_tokens
		WHERE user_id = ? AND revoked_at IS NULL ORDER BY id DESC`), userID)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var created int64
		var used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &created, &used); err != nil {
			return nil, err
		}
		t.CreatedAt = fromUnix(created)
		if used.Valid {
			u := fromUnix(used.Int64)
			t.LastUsedAt = &u
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken revokes one of a user's tokens; another user's token is not found.
func (s *Store) RevokeAPIToken(ctx context.Context, by audit.Actor, userID, id int64) error {
	return s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`,
			unix(s.Now()), id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		return tx.audit(ctx, by, change{action: "token.revoke", objectType: "token", objectID: id,
			before: map[string]any{"user_id": userID}})
	})
}

// TokenPrincipal returns the principal of a live API token and records its
// use. The token of a user whose role requires a second factor not yet set
// up is Forbidden until they set it up.
func (s *Store) TokenPrincipal(ctx context.Context, secret string) (*auth.Principal, error) {
	hash := auth.HashToken(secret)
	var id, userID int64
	var used sql.NullInt64
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`), hash).
		Scan(&id, &userID, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthorized, "err.bad_token")
	}
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	now := s.Now()
	if !used.Valid || now.Sub(fromUnix(used.Int64)) >= touchEvery {
		if _, err := s.write.ExecContext(ctx, s.q(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), unix(now), id); err != nil {
			return nil, fmt.Errorf("touch token: %w", err)
		}
	}
	p, err := s.Principal(ctx, userID)
	if err != nil {
		return nil, err
	}
	// A token is no way round a second factor the user's role requires.
	if due, err := s.SecondFactorDue(ctx, userID, p.Grants); err != nil {
		return nil, err
	} else if due == auth.StageEnroll {
		return nil, apperr.New(apperr.Forbidden, "err.token_totp_required")
	}
	return p, nil
}
