package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"zeren/internal/apperr"
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

// CreateSession stores a new session for a user and returns its secret,
// which only the cookie holds.
func (s *Store) CreateSession(ctx context.Context, userID int64) (string, error) {
	secret, hash := auth.NewToken("")
	now := unix(s.Now())
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`),
		hash, userID, now, now)
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return secret, nil
}

// SessionPrincipal returns the principal of a live session and keeps it
// alive; an expired, unknown or disabled user's session is Unauthorized.
func (s *Store) SessionPrincipal(ctx context.Context, secret string, to SessionTimeouts) (*auth.Principal, error) {
	hash := auth.HashToken(secret)
	var userID, created, seen int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT s.user_id, s.created_at, s.last_seen_at FROM sessions s
		JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled = ?`), hash, false).Scan(&userID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthorized, "err.session_expired")
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	now := s.Now()
	if now.Sub(fromUnix(seen)) >= to.Idle || now.Sub(fromUnix(created)) >= to.Absolute {
		_ = s.DeleteSession(ctx, secret)
		return nil, apperr.New(apperr.Unauthorized, "err.session_expired")
	}
	if now.Sub(fromUnix(seen)) >= touchEvery {
		if _, err := s.write.ExecContext(ctx, s.q(`UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`), unix(now), hash); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return s.Principal(ctx, userID)
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, secret string) error {
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE token_hash = ?`), auth.HashToken(secret))
	return err
}

// DeleteExpiredSessions removes sessions past either timeout; run periodically.
func (s *Store) DeleteExpiredSessions(ctx context.Context, to SessionTimeouts) (int64, error) {
	now := s.Now()
	res, err := s.write.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`),
		unix(now.Add(-to.Idle)), unix(now.Add(-to.Absolute)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
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
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name string) (string, error) {
	secret, hash := auth.NewToken("zrn_")
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`),
		userID, name, hash, unix(s.Now()))
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return secret, nil
}

// TokenPrincipal returns the principal of a live API token and records its use.
func (s *Store) TokenPrincipal(ctx context.Context, secret string) (*auth.Principal, error) {
	hash := auth.HashToken(secret)
	var id, userID int64
	var used sql.NullInt64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`), hash).
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
	return s.Principal(ctx, userID)
}
