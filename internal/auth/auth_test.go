package auth

import (
	"slices"
	"testing"

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
