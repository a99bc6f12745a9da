package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzBodies sends arbitrary form and JSON bodies to the write endpoints:
// whatever arrives, the answer is never a server error.
func FuzzBodies(f *testing.F) {
	fx := newFixture(f)
	for _, s := range []string{`{"parent_id": 1, "name": "x"}`, `{"version": "1"}`, `[`, `null`, `{"name": 1e999}`, "name=%zz", "parent_id=1&name=x&kind=park", "\x00\xff"} {
		f.Add(s)
	}
	h := fx.ts.Config.Handler
	f.Fuzz(func(t *testing.T, body string) {
		for _, tc := range []struct{ method, path, ctype, auth string }{
			{"POST", "/api/v1/units", "application/json", "Bearer " + fx.token["admin"]},
			{"PATCH", fx.expand("/api/v1/units/{A1}"), "application/json", "Bearer " + fx.token["admin"]},
			{"POST", "/api/v1/users", "application/json", "Bearer " + fx.token["admin"]},
			{"POST", "/units", "application/x-www-form-urlencoded", ""},
			{"POST", fx.expand("/units/{A1}/move"), "application/x-www-form-urlencoded", ""},
			{"POST", "/users", "application/x-www-form-urlencoded", ""},
		} {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(body))
			req.Header.Set("Content-Type", tc.ctype)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			} else {
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: fx.cookie["admin"]})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %s with %q: %d %s", tc.method, tc.path, body, rec.Code, rec.Body)
			}
		}
	})
}

// FuzzSessionAndToken sends arbitrary session cookies and Authorization
// headers: nothing but a real session or token gets in, and nothing fails.
func FuzzSessionAndToken(f *testing.F) {
	fx := newFixture(f)
	for _, s := range []string{"", "x", fx.cookie["admin"] + "x", "zrn_", "Bearer", "Bearer zrn_" + strings.Repeat("A", 43), "\x00", "a;b=c"} {
		f.Add(s)
	}
	h := fx.ts.Config.Handler
	f.Fuzz(func(t *testing.T, v string) {
		req := httptest.NewRequest("GET", "/units", nil)
		req.Header.Set("Cookie", sessionCookie+"="+v)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("cookie %q: %d", v, rec.Code)
		}
		req = httptest.NewRequest("GET", "/api/v1/units", nil)
		req.Header.Set("Authorization", v)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("authorization %q: %d", v, rec.Code)
		}
	})
}

// FuzzLoginForm posts arbitrary bodies to the login form: the answer is a
// redirect, a refusal or a rate limit, never a server error.
func FuzzLoginForm(f *testing.F) {
	fx := newFixture(f)
	for _, s := range []string{"login=admin&password=" + testPassword, "login=admin&password=x", "login=%ff&password=%00", "login[]=a", "&&&", strings.Repeat("a", 2000)} {
		f.Add(s)
	}
	h := fx.ts.Config.Handler
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusSeeOther, http.StatusBadRequest, http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%q: %d", body, rec.Code)
		}
	})
}
