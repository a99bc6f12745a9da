package store

import (
	"context"
	"strconv"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/rectification"
)

// SettingWarningDays names the setting of how many days before its deadline
// an open item turns yellow.
const SettingWarningDays = "warning_days"

// The bounds of the warning days: a day's notice at least, a quarter at most.
const (
	MinWarningDays = 1
	MaxWarningDays = 90
)

// WarningDays returns the days before a deadline at which an item turns
// yellow. It is read on every item shown, so it is kept in memory and read
// from the database only until it has been read once.
func (s *Store) WarningDays() int {
	if n := s.warnDays.Load(); n > 0 {
		return int(n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := s.Setting(ctx, SettingWarningDays)
	if err != nil {
		return rectification.DefaultWarningDays // not cached: read again next time
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < MinWarningDays || n > MaxWarningDays {
		n = rectification.DefaultWarningDays
	}
	s.warnDays.Store(int32(n))
	return n
}

// SetWarningDays changes the warning days, audited.
func (s *Store) SetWarningDays(ctx context.Context, by audit.Actor, n int) error {
	if n < MinWarningDays || n > MaxWarningDays {
		return apperr.Field("warning_days", "err.warning_days_range", MinWarningDays, MaxWarningDays)
	}
	if err := s.SetSetting(ctx, by, SettingWarningDays, strconv.Itoa(n)); err != nil {
		return err
	}
	s.warnDays.Store(int32(n))
	return nil
}

// soonDay is the last deadline day that is yellow today.
func (s *Store) soonDay(today time.Time) string {
	return rectification.Day(today).AddDate(0, 0, s.WarningDays()).Format(rectification.Date)
}
