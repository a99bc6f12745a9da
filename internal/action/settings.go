package action

import (
	"context"

	"zeren/internal/apperr"
	"zeren/internal/auth"
)

// UpdateSettings changes the system-wide settings (the roles that must use
// a second factor, the warning days) in one transaction.
func (a *Actions) UpdateSettings(ctx context.Context, p *auth.Principal, totpRoles string, warningDays int) error {
	if !CanChangeSettings(p) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a.st.InTx(ctx, func(ctx context.Context) error {
		if err := a.st.SetSetting(ctx, p.Actor(), auth.SettingTOTPRoles, totpRoles); err != nil {
			return err
		}
		if warningDays == a.st.WarningDays() {
			return nil
		}
		return a.st.SetWarningDays(ctx, p.Actor(), warningDays)
	})
}
