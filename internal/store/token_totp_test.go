package store_test

import (
	"context"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/store/storetest"
	"zeren/internal/user"
)

// TestTokenPrincipalSecondFactor: a required role's token is refused until
// its user has set up the second factor; other roles are not concerned.
func TestTokenPrincipalSecondFactor(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	root := mustUnit(t, st, 0, "中共绵阳市委")
	mk := func(login string, role auth.Role) (int64, string) {
		u, err := st.CreateUser(ctx, audit.System, user.Draft{Login: login, Name: login}, "h", []auth.Grant{{Role: role, UnitID: root.ID}})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := st.CreateAPIToken(ctx, audit.System, u.ID, "脚本")
		if err != nil {
			t.Fatal(err)
		}
		return u.ID, tok
	}
	supID, supTok := mk("sup", auth.Supervisor)
	_, leaderTok := mk("leader", auth.UnitLeader)
	if _, err := st.TokenPrincipal(ctx, supTok); err != nil {
		t.Fatalf("before the requirement: %v", err)
	}
	if err := st.SetSetting(ctx, audit.System, auth.SettingTOTPRoles, "admin,supervisor"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TokenPrincipal(ctx, supTok); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("supervisor without a second factor: %v", err)
	}
	if _, err := st.TokenPrincipal(ctx, leaderTok); err != nil {
		t.Fatalf("leader: %v", err)
	}
	if err := st.EnableTOTP(ctx, audit.System, supID, "JBSWY3DPEHPK3PXP", 1); err != nil {
		t.Fatal(err)
	}
	if p, err := st.TokenPrincipal(ctx, supTok); err != nil || p.UserID != supID {
		t.Fatalf("after enrolling: %v", err)
	}
}
