package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"zeren/internal/audit"
)

// TOTPSecret returns a user's second-factor secret, "" when not set up.
func (s *Store) TOTPSecret(ctx context.Context, userID int64) (string, error) {
	var secret string
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT totp_secret FROM users WHERE id = ?`), userID).Scan(&secret)
	return secret, err
}

// HasTOTP reports whether a user has set up a second factor.
func (s *Store) HasTOTP(ctx context.Context, userID int64) (bool, error) {
	secret, err := s.TOTPSecret(ctx, userID)
	return secret != "", err
}

// SetTOTP sets up (secret != "") or removes a user's second factor. The
// secret never enters the audit trail.
func (s *Store) SetTOTP(ctx context.Context, by audit.Actor, userID int64, secret string) error {
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.userForUpdate(ctx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET totp_secret = ?, version = version + 1 WHERE id = ?`, secret, userID); err != nil {
			return err
		}
		action := "user.totp_enable"
		if secret == "" {
			action = "user.totp_disable"
		}
		return tx.auditUser(ctx, by, action, before)
	})
}

// Setting returns a system setting, "" when never set.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting changes a system setting.
func (s *Store) SetSetting(ctx context.Context, by audit.Actor, key, value string) error {
	return s.Tx(ctx, func(tx *Tx) error {
		var before string
		err := tx.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&before)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, key, value)
		case err == nil:
			_, err = tx.exec(ctx, `UPDATE settings SET value = ?, version = version + 1 WHERE key = ?`, value, key)
		}
		if err != nil {
			return fmt.Errorf("setting %s: %w", key, err)
		}
		return tx.audit(ctx, by, change{action: "setting.update", objectType: "setting",
			before: map[string]string{key: before}, after: map[string]string{key: value}})
	})
}
