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
