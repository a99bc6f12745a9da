package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
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

// SecondFactorDue loads whether the user has a second factor and which roles
// must have one, and answers with auth.SecondFactorDue for their grants.
func (s *Store) SecondFactorDue(ctx context.Context, userID int64, grants []auth.Grant) (string, error) {
	var enrolled bool
	var required sql.NullString
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT u.totp_secret <> '', (SELECT value FROM settings WHERE key = ?)
		FROM users u WHERE u.id = ?`), auth.SettingTOTPRoles, userID).Scan(&enrolled, &required)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return "", fmt.Errorf("second factor due: %w", err)
	}
	return auth.SecondFactorDue(enrolled, required.String, grants), nil
}

// SetTOTP sets up (secret != "") or removes a user's second factor. The
// secret never enters the audit trail.
func (s *Store) SetTOTP(ctx context.Context, by audit.Actor, userID int64, secret string) error {
	return s.setTOTP(ctx, by, userID, secret, 0)
}

// EnableTOTP sets up a user's second factor with the secret whose code of
// time step usedStep confirmed it; that code is spent, as at login.
func (s *Store) EnableTOTP(ctx context.Context, by audit.Actor, userID int64, secret string, usedStep int64) error {
	return s.setTOTP(ctx, by, userID, secret, usedStep)
}

func (s *Store) setTOTP(ctx context.Context, by audit.Actor, userID int64, secret string, usedStep int64) error {
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.userForUpdate(ctx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET totp_secret = ?, version = version + 1,
			totp_last_step = CASE WHEN totp_last_step < ? THEN ? ELSE totp_last_step END WHERE id = ?`,
			secret, usedStep, usedStep, userID); err != nil {
			return err
		}
		action := "user.totp_enable"
		if secret == "" {
			action = "user.totp_disable"
		}
		return tx.auditUser(ctx, by, action, before)
	})
}

// SpendTOTPStep records that a user's code of the given time step was
// accepted, and reports false when that step or a later one was accepted
// already: each code works once. The check and the write are one
// conditional UPDATE, so two processes given the same code at once cannot
// both accept it.
func (s *Store) SpendTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`), step, userID, step)
	if err != nil {
		return false, fmt.Errorf("spend totp step: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
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
