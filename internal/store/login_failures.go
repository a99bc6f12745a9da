package store

import (
	"context"
	"fmt"
	"time"

	"zeren/internal/audit"
	"zeren/internal/auth"
)

// LoginRetryAt returns when logins may resume for the given counter keys
// (account and address), or the zero time if they may now.
func (s *Store) LoginRetryAt(ctx context.Context, keys ...string) (time.Time, error) {
	var latest time.Time
	since := s.Now().Add(-auth.LoginFailureWindow).UnixMicro()
	for _, k := range keys {
		rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at`), k, since)
		if err != nil {
			return latest, fmt.Errorf("login failures: %w", err)
		}
		var times []time.Time
		for rows.Next() {
			var at int64
			if err := rows.Scan(&at); err != nil {
				rows.Close()
				return latest, err
			}
			times = append(times, time.UnixMicro(at))
		}
		rows.Close()
		if t := auth.RetryAt(k, times); t.After(latest) {
			latest = t
		}
	}
	return latest, nil
}

// LoginFailure records a failed login against each key and in the audit
// trail, with a lockout event when this failure reaches a key's limit.
func (s *Store) LoginFailure(ctx context.Context, userID int64, login, addr string, keys ...string) error {
	return s.credentialFailure(ctx, "login", userID, login, addr, keys)
}

// PasswordFailure records a wrong current password (or second-factor code)
// given by a signed-in user, against auth.PasswordKey.
func (s *Store) PasswordFailure(ctx context.Context, by audit.Actor, addr string) error {
	return s.credentialFailure(ctx, "password", by.UserID, by.Login, addr, []string{auth.PasswordKey(by.UserID)})
}

// credentialFailure writes the failure under each key and the audit events
// kind+".failure" and, at a key's limit, kind+".lockout".
func (s *Store) credentialFailure(ctx context.Context, kind string, userID int64, login, addr string, keys []string) error {
	now := s.Now()
	return s.Tx(ctx, func(tx *Tx) error {
		detail := map[string]string{"login": login, "addr": addr}
		by := audit.Actor{UserID: userID, Login: login}
		if err := tx.audit(ctx, by, change{action: kind + ".failure", objectType: "user", objectID: userID, after: detail}); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.exec(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`, k, now.UnixMicro()); err != nil {
				return err
			}
			var n int
			err := tx.queryRow(ctx, `SELECT count(*) FROM login_failures WHERE key = ? AND at > ?`,
				k, now.Add(-auth.LoginFailureWindow).UnixMicro()).Scan(&n)
			if err != nil {
				return err
			}
			if n == auth.FailureLimit(k) {
				lock := map[string]string{"key": k, "login": login, "addr": addr}
				if err := tx.audit(ctx, by, change{action: kind + ".lockout", objectType: "user", objectID: userID, after: lock}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ClearLoginFailures forgets the failures under the given keys after a
// successful check (never an address's own key: logging in to one's own
// account must not reset the count of an address guessing at others).
func (s *Store) ClearLoginFailures(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if _, err := s.write.ExecContext(ctx, s.q(`DELETE FROM login_failures WHERE key = ?`), k); err != nil {
			return fmt.Errorf("clear login failures: %w", err)
		}
	}
	return nil
}

// DeleteOldLoginFailures drops failures past the window; housekeeping.
func (s *Store) DeleteOldLoginFailures(ctx context.Context) error {
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM login_failures WHERE at <= ?`),
		s.Now().Add(-auth.LoginFailureWindow).UnixMicro())
	return err
}
