package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"zeren/internal/audit"
)

// The user list shows each user's grants and filters by unit subtree and
// role, on the page and in the API, never beyond the users the admin may
// read (action.Users): admina (admin of A) never sees B's or root's users,
// whatever the filter says.
func TestUserListGrantsAndFilters(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, who, query string
		status           int
		want, not        []string // logins, or other text of the page
	}{
		{"grants shown", "admin", "q=below-a", 200,
			[]string{">below-a<", "单位工作人员 ·</span> <a href=\"/units/{A1}\">城厢街道党工委</a>"}, []string{">member-a<"}},
		{"no grant yet", "admin", "q=nogrant", 200, []string{">nogrant<", "尚无授权。"}, nil},
		{"unit subtree", "admin", "unit_id={A}", 200,
			[]string{">leadera<", ">member-a<", ">below-a<", ">role-admin<", `value="{A}" checked`},
			[]string{">member-b<", ">below-b<", ">nogrant<", ">observer<"}},
		{"unit leaf", "admin", "unit_id={A1}", 200, []string{">below-a<"}, []string{">member-a<", ">below-b<"}},
		{"role", "admin", "role=leader", 200, []string{">leadera<", ">role-leader<", `value="leader" selected`},
			[]string{">member-a<", ">below-a<", ">role-staff<"}},
		{"unit, role and search", "admin", "unit_id={A}&role=staff&q=below", 200, []string{">below-a<"},
			[]string{">member-a<", ">below-b<", ">role-staff<"}},
		{"the role on the unit's subtree", "admin", "unit_id={B}&role=staff", 200, []string{">member-b<", ">below-b<"},
			[]string{">member-a<", ">below-a<"}},
		{"county admin's own list", "admina", "", 200, []string{">member-a<", ">below-a<", ">nogrant<"},
			[]string{">member-b<", ">below-b<", ">observer<", ">admin<"}},
		{"county admin, own sub-unit", "admina", "unit_id={A1}", 200, []string{">below-a<"}, []string{">member-a<", ">below-b<"}},
		{"county admin, other county", "admina", "unit_id={B}", 400, []string{"不在您的权限范围内"},
			[]string{">member-b<", ">below-b<", "游仙"}},
		{"county admin, the city", "admina", "unit_id={root}", 400, []string{"不在您的权限范围内"},
			[]string{">member-b<", ">observer<", ">admin<"}},
		{"county admin, other county's sub-unit with a role", "admina", "unit_id={B1}&role=staff", 400, nil, []string{">below-b<"}},
		{"unknown role", "admin", "role=boss", 400, []string{"未知角色“boss”", `aria-invalid="true"`}, []string{">member-a<"}},
		{"unit not a number", "admin", "unit_id=abc", 400, []string{"应为正整数"}, nil},
		{"no such unit", "admin", "unit_id=999999", 400, []string{"单位 999999 不存在"}, nil},
		{"bad cursor", "admin", "after=x", 400, []string{"应为正整数"}, nil},
		{"not an admin", "leadera", "", 403, nil, []string{">member-a<"}},
		{"not an admin, bad input", "leadera", "role=boss&unit_id=x", 403, nil, []string{"未知角色"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(tc.who, "GET", "/users?"+tc.query, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tc.status, body)
			}
			for _, s := range tc.want {
				if !strings.Contains(body, f.expand(s)) {
					t.Errorf("missing %q", f.expand(s))
				}
			}
			for _, s := range tc.not {
				if strings.Contains(body, f.expand(s)) {
					t.Errorf("shows %q", f.expand(s))
				}
			}
		})
	}
	// English: the same roles in the catalog's words.
	if err := f.st.SetLocale(context.Background(), audit.System, f.users["admin"].ID, "en"); err != nil {
		t.Fatal(err)
	}
	if _, body := f.do("admin", "GET", "/users?q=below-a", ""); !strings.Contains(body, "Unit staff ·</span>") || !strings.Contains(body, "Any role") {
		t.Errorf("English words missing")
	}
}

type apiUsers struct {
	Items []struct {
		Login  string `json:"login"`
		Grants []struct {
			Role     string `json:"role"`
			UnitID   int64  `json:"unit_id"`
			UnitName string `json:"unit_name"`
		} `json:"grants"`
	} `json:"items"`
	Next *int64 `json:"next"`
}

func (f *fixture) apiUsers(who, query string) (int, apiUsers, string) {
	f.t.Helper()
	resp, body := f.do(who, "GET", "/api/v1/users?"+query, "")
	var out apiUsers
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			f.t.Fatal(err, body)
		}
	}
	return resp.StatusCode, out, body
}

func logins(l apiUsers) string {
	var s []string
	for _, u := range l.Items {
		s = append(s, u.Login)
	}
	return strings.Join(s, " ")
}

func TestAPIUserListGrantsAndFilters(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, who, query string
		want             string // the logins, in order
	}{
		{"unit subtree and role", "admin", "unit_id={A}&role=staff", "member-a below-a role-staff"},
		{"role only", "admin", "role=observer", "observer role-observer"},
		{"unit and search", "admin", "unit_id={B}&q=below", "below-b"},
		{"county admin, own unit", "admina", "unit_id={A}&role=leader", "leadera role-leader"},
		{"county admin, search outside", "admina", "q=-b", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, l, body := f.apiUsers(tc.who, f.expand(tc.query))
			if status != 200 || logins(l) != tc.want {
				t.Fatalf("status %d, logins %q, want %q\n%s", status, logins(l), tc.want, body)
			}
		})
	}
	// Each user with their grants: role, unit id and unit name.
	_, l, _ := f.apiUsers("admin", "q=below-a")
	if len(l.Items) != 1 || len(l.Items[0].Grants) != 1 {
		t.Fatalf("below-a: %+v", l)
	}
	if g := l.Items[0].Grants[0]; g.Role != "staff" || g.UnitID != f.units["A1"].ID || g.UnitName != "城厢街道党工委" {
		t.Fatalf("below-a's grant: %+v", g)
	}
	if _, l, body := f.apiUsers("admin", "q=nogrant"); len(l.Items) != 1 || !strings.Contains(body, `"grants":[]`) {
		t.Fatalf("a user without grants: %s", body)
	}
	// Keyset pages keep the filters.
	var all []string
	after := ""
	for range 5 {
		_, l, body := f.apiUsers("admin", f.expand("unit_id={A}&role=staff&limit=1"+after))
		if len(l.Items) != 1 {
			t.Fatalf("page: %s", body)
		}
		all = append(all, l.Items[0].Login)
		if l.Next == nil {
			break
		}
		after = "&after=" + jsonInt(*l.Next)
	}
	if strings.Join(all, " ") != "member-a below-a role-staff" {
		t.Fatalf("pages: %v", all)
	}
	if status, _, body := f.apiUsers("leadera", "role=boss&unit_id={A}"); status != 403 {
		t.Errorf("not an admin: %d %s", status, body)
	}
	// Refused: a unit outside the caller's subtree, bad input; each names its field.
	for _, tc := range []struct{ who, query, field string }{
		{"admina", "unit_id={B}", "unit_id"},
		{"admina", "unit_id={root}", "unit_id"},
		{"admina", "unit_id={B1}&role=staff", "unit_id"},
		{"admin", "unit_id=abc", "unit_id"},
		{"admin", "unit_id=-1", "unit_id"},
		{"admin", "unit_id=999999", "unit_id"},
		{"admin", "role=boss", "role"},
		{"admin", "after=x", "after"},
	} {
		status, _, body := f.apiUsers(tc.who, f.expand(tc.query))
		if status != 400 || !strings.Contains(body, `"field":"`+tc.field+`"`) || strings.Contains(body, "below-b") {
			t.Errorf("%s %s: %d %s", tc.who, tc.query, status, body)
		}
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
