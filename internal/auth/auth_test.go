package auth

import (
	"slices"
	"strings"
	"testing"
	"time"

	"zeren/internal/apperr"
)

func TestPassword(t *testing.T) {
	h := HashPassword("correct horse battery")
	if !VerifyPassword(h, "correct horse battery") {
		t.Fatal("right password refused")
	}
	for _, bad := range []string{"", "correct horse batter", "Correct horse battery"} {
		if VerifyPassword(h, bad) {
			t.Fatalf("wrong password %q accepted", bad)
		}
	}
	if VerifyPassword("garbage", "x") || VerifyPassword("$argon2id$v=19$m=1,t=1,p=1$$", "") {
		t.Fatal("malformed hash accepted")
	}
	if HashPassword("a-long-password") == HashPassword("a-long-password") {
		t.Fatal("hashes not salted")
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"short", false},
		{"a-good-long-pass", true},
		{"xx-zhangsan-xx", false},
		{"xx-ZhangSan-xx", false},
	} {
		if err := CheckPassword("zhangsan", tc.pw); (err == nil) != tc.ok {
			t.Errorf("%q: err %v", tc.pw, err)
		}
	}
}

func TestParseGrant(t *testing.T) {
	r, id, err := ParseGrant("organizer@12")
	if err != nil || r != Organizer || id != 12 {
		t.Fatalf("got %v %v %v", r, id, err)
	}
	for _, bad := range []string{"organizer", "boss@1", "admin@x", "admin@-1", "@1"} {
		if _, _, err := ParseGrant(bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%q: err %v", bad, err)
		}
	}
}

func TestPolicy(t *testing.T) {
	p := &Principal{Grants: []Grant{
		{Role: Admin, UnitPath: "/1/12/"},
		{Role: Observer, UnitPath: "/1/"},
		{Role: Admin, UnitPath: "/1/12/30/"},
	}}
	for _, tc := range []struct {
		a    Action
		path string
		want apperr.Kind // 0 (Internal) stands for allowed
	}{
		{ManageUnits, "/1/12/", 0},
		{ManageUnits, "/1/12/30/4/", 0},
		{ManageUnits, "/1/13/", apperr.Forbidden},
		{ManageUnits, "/1/", apperr.Forbidden},
		{ReadUnit, "/1/13/", 0},
		{ReadUnit, "/2/", apperr.NotFound},
		{ManageUnits, "/2/", apperr.NotFound},
	} {
		err := p.Check(tc.a, tc.path)
		got := apperr.Kind(0)
		if err != nil {
			got = apperr.KindOf(err)
		}
		if got != tc.want {
			t.Errorf("%s on %s: got kind %v, want %v", tc.a, tc.path, got, tc.want)
		}
	}
	if got := p.Scopes(ManageUnits); !slices.Equal(got, []string{"/1/12/"}) {
		t.Errorf("Scopes = %v", got)
	}
	var nobody *Principal
	if nobody.Can(ReadUnit, "/1/") || nobody.CanAnywhere(ReadUnit) {
		t.Error("nil principal allowed")
	}
}

func TestManagesUser(t *testing.T) {
	admin := &Principal{Grants: []Grant{{Role: Admin, UnitPath: "/1/12/"}}}
	leader := &Principal{Grants: []Grant{{Role: UnitLeader, UnitPath: "/1/"}}}
	inside := []Grant{{Role: UnitStaff, UnitPath: "/1/12/30/"}}
	outside := []Grant{{Role: UnitStaff, UnitPath: "/1/13/"}}
	mixed := append(append([]Grant{}, outside...), inside...)
	for _, tc := range []struct {
		p      *Principal
		grants []Grant
		want   bool
	}{
		{admin, inside, true},
		{admin, outside, false},
		{admin, mixed, false}, // a grant outside keeps the user out of the county admin's hands
		{admin, nil, true},
		{leader, nil, false},
		{leader, inside, false},
	} {
		if got := tc.p.ManagesUser(tc.grants); got != tc.want {
			t.Errorf("%v manages %v: %v, want %v", tc.p.Grants, tc.grants, got, tc.want)
		}
	}
	if _, err := leader.ScopesOrForbidden(ManageUsers); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("leader's user admin scopes: %v", err)
	}
}

// TestChangesUser: an admin changes only users below their own level; a
// top admin changes anyone they manage; anyone changes themselves.
func TestChangesUser(t *testing.T) {
	county := &Principal{UserID: 1, Grants: []Grant{{Role: Admin, UnitPath: "/1/12/"}}}
	top := &Principal{UserID: 2, Grants: []Grant{{Role: Admin, UnitPath: "/1/"}}}
	for _, tc := range []struct {
		name   string
		p      *Principal
		id     int64
		grants []Grant
		want   bool
	}{
		{"below", county, 9, []Grant{{Role: UnitLeader, UnitPath: "/1/12/30/"}}, true},
		{"at the admin's own unit", county, 9, []Grant{{Role: UnitLeader, UnitPath: "/1/12/"}}, false},
		{"a peer admin", county, 9, []Grant{{Role: Admin, UnitPath: "/1/12/"}}, false},
		{"a sibling county", county, 9, []Grant{{Role: UnitLeader, UnitPath: "/1/13/"}}, false},
		{"above", county, 9, []Grant{{Role: Observer, UnitPath: "/1/"}}, false},
		{"one grant above among others", county, 9, []Grant{{Role: Observer, UnitPath: "/1/12/30/"}, {Role: Organizer, UnitPath: "/1/"}}, false},
		{"no grant yet", county, 9, nil, true},
		{"oneself", county, 1, []Grant{{Role: Admin, UnitPath: "/1/12/"}}, true},
		{"top admin, a county admin", top, 9, []Grant{{Role: Admin, UnitPath: "/1/12/"}}, true},
		{"top admin, another top admin", top, 9, []Grant{{Role: Admin, UnitPath: "/1/"}}, true},
	} {
		if got := tc.p.ChangesUser(tc.id, tc.grants); got != tc.want {
			t.Errorf("%s: ChangesUser = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestLevel: the level a recorder speaks for is their outermost grant
// allowing the action over the unit.
func TestLevel(t *testing.T) {
	p := &Principal{Grants: []Grant{{Role: Supervisor, UnitID: 12, UnitPath: "/1/12/"}, {Role: Supervisor, UnitID: 1, UnitPath: "/1/"},
		{Role: UnitLeader, UnitID: 30, UnitPath: "/1/12/30/"}}}
	if id, ok := p.Level(RecordFinding, "/1/12/30/"); !ok || id != 1 {
		t.Errorf("level over a township: %d %v, want 1", id, ok)
	}
	if id, ok := p.Level(RecordFinding, "/2/"); ok {
		t.Errorf("level outside the grants: %d", id)
	}
	if id, ok := p.Level(RecordOwnFinding, "/1/12/30/"); !ok || id != 30 {
		t.Errorf("own level: %d %v, want 30", id, ok)
	}
}

func FuzzParseGrant(f *testing.F) {
	for _, s := range []string{"admin@1", "organizer@12", "@", "x@y", "admin@-1", "admin@99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		role, id, err := ParseGrant(s)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("%q: error of the wrong kind: %v", s, err)
			}
			return
		}
		if !role.Valid() || id <= 0 {
			t.Fatalf("%q accepted as %q@%d", s, role, id)
		}
	})
}

func TestRetryAt(t *testing.T) {
	t0 := time.Date(2021, 1, 12, 9, 0, 0, 0, time.UTC)
	key := AccountAddressKey("admin", "192.0.2.1")
	var fails []time.Time
	for i := 0; i < MaxLoginFailures-1; i++ {
		fails = append(fails, t0.Add(time.Duration(i)*time.Minute))
	}
	if !RetryAt(key, fails).IsZero() {
		t.Fatal("locked before the limit")
	}
	fails = append(fails, t0.Add(10*time.Minute))
	if got := RetryAt(key, fails); !got.Equal(t0.Add(LoginFailureWindow)) {
		t.Fatalf("retry at %v", got)
	}
	fails = append(fails, t0.Add(11*time.Minute))
	if got := RetryAt(key, fails); !got.Equal(t0.Add(time.Minute + LoginFailureWindow)) {
		t.Fatalf("retry with six failures at %v", got)
	}
}

// TestFailureLimits: the address alone is allowed many more failures than
// one account, so that one office behind a NAT is not locked out together.
func TestFailureLimits(t *testing.T) {
	t0 := time.Date(2021, 1, 12, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		key   string
		limit int
	}{
		{AccountKey("admin"), MaxAccountFailures},
		{AccountAddressKey("admin", "192.0.2.1"), MaxLoginFailures},
		{AddressKey("192.0.2.1"), MaxAddressFailures},
		{PasswordKey(7), MaxLoginFailures},
	} {
		var fails []time.Time
		for i := 0; i < c.limit-1; i++ {
			fails = append(fails, t0)
		}
		if !RetryAt(c.key, fails).IsZero() {
			t.Errorf("%s: locked after %d failures", c.key, len(fails))
		}
		if RetryAt(c.key, append(fails, t0)).IsZero() {
			t.Errorf("%s: not locked after %d failures", c.key, c.limit)
		}
	}
	if MaxAddressFailures < 10*MaxLoginFailures || MaxAccountFailures < MaxLoginFailures {
		t.Fatal("an address alone must be allowed far more failures than one account")
	}
	keys := LoginKeys("admin", "192.0.2.1")
	if len(keys) != 3 || keys[0] == keys[1] || keys[1] == keys[2] {
		t.Fatalf("login keys %q", keys)
	}
}

func TestTOTP(t *testing.T) {
	secret, url, qr, err := NewTOTP("admin")
	if err != nil || !strings.HasPrefix(url, "otpauth://totp/zeren:admin") || !strings.HasPrefix(qr, "data:image/png;base64,") {
		t.Fatalf("NewTOTP: %q %q %v", url, qr[:30], err)
	}
	now := time.Date(2021, 1, 12, 9, 0, 0, 0, time.UTC)
	code := TOTPCode(secret, now)
	if !CheckTOTP(secret, code, now) || !CheckTOTP(secret, code, now.Add(30*time.Second)) {
		t.Fatal("current code refused")
	}
	if CheckTOTP(secret, code, now.Add(2*time.Minute)) {
		t.Fatal("stale code accepted")
	}
	for _, bad := range []string{"", "12345", "abcdef", "1234567"} {
		if CheckTOTP(secret, bad, now) {
			t.Fatalf("%q accepted", bad)
		}
	}
	if CheckTOTP("", code, now) {
		t.Fatal("code accepted without a secret")
	}
	// A code names its own time step, whichever neighbouring step it is checked at.
	want := now.Unix() / TOTPPeriod
	for _, at := range []time.Time{now, now.Add(29 * time.Second), now.Add(30 * time.Second), now.Add(-30 * time.Second)} {
		if step, ok := MatchTOTP(secret, code, at); !ok || step != want {
			t.Errorf("at %v: step %d %v, want %d", at, step, ok, want)
		}
	}
	if step, ok := MatchTOTP(secret, TOTPCode(secret, now.Add(30*time.Second)), now); !ok || step != want+1 {
		t.Errorf("the next code: step %d %v, want %d", step, ok, want+1)
	}
	admin := []Grant{{Role: Admin}}
	if !RequiresTOTP("admin,supervisor", admin) || RequiresTOTP("supervisor", admin) || RequiresTOTP("", admin) {
		t.Fatal("RequiresTOTP")
	}
}
