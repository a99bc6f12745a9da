package web

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// evilNext are redirect targets that lead, or could lead, off this site.
var evilNext = []string{
	"", "evil.example", "//evil.example", "///evil.example", "/\\evil.example", "\\/evil.example",
	"/%09/evil.example", "/%0a/evil.example", "/%0D/evil.example", "/%5Cevil.example", "/%5c%5cevil.example",
	"/%2F/evil.example", "/%2f%2fevil.example", "/%252F/evil.example", "/%2509/evil.example",
	"\t/evil.example", "/\t/evil.example", "/\r\n/evil.example", "/units\x00", "/units\x7f", "/\u0085/evil.example",
	"https://evil.example", "http:/evil.example", "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x",
	" /units", "/units\\..\\", "/a%zz", "/\xff/units", "%2F%2Fevil.example",
}

// goodNext are paths of this site, kept as written.
var goodNext = []string{"/", "/units", "/units/3?tab=reports&x=1", "/cycles/7#comments", "/units/%E6%B6%AA",
	"/audit?from=2021-01-01&action=login.", "/a:b", "/units?q=http://x"}

func TestLocalNext(t *testing.T) {
	for _, next := range evilNext {
		if got := localNext(next); got != "/" {
			t.Errorf("localNext(%q) = %q, want /", next, got)
		}
	}
	for _, next := range goodNext {
		if got := localNext(next); got != next {
			t.Errorf("localNext(%q) = %q, want it kept", next, got)
		}
	}
}

// loginNext are the cases also tried through a real login (each costs an
// argon2 hash, so not the whole table).
var loginNext = []string{"//evil.example", "/\\evil.example", "/%09/evil.example", "/%5Cevil.example",
	"https://evil.example", "javascript:alert(1)", "\t/evil.example", "/%2F/evil.example", "/units", "/units/3?tab=reports&x=1"}

// TestLoginNextStaysOnSite follows next through a real login, the login
// page of a signed-in user and the language switch.
func TestLoginNextStaysOnSite(t *testing.T) {
	f := newFixture(t)
	want := func(next string) string {
		for _, g := range goodNext {
			if next == g {
				return next
			}
		}
		return "/"
	}
	check := func(how, next, got string) {
		t.Helper()
		if got != want(next) {
			t.Errorf("%s with next=%q: Location %q, want %q", how, next, got, want(next))
		}
	}
	for _, next := range loginNext {
		form := url.Values{"login": {"observer"}, "password": {testPassword}, "next": {next}}.Encode()
		resp, _ := f.do("", "POST", "/login", form)
		if resp.StatusCode != 303 {
			t.Fatalf("login with next=%q: %d", next, resp.StatusCode)
		}
		check("login", next, resp.Header.Get("Location"))
	}
	for _, next := range append(append([]string{}, evilNext...), goodNext...) {
		resp, _ := f.do("observer", "GET", "/login?"+url.Values{"next": {next}}.Encode(), "")
		if unstorable(next) {
			// Refused at the edge before anything reads it, with no redirect.
			if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
				t.Errorf("next=%q: %d to %q, want 400", next, resp.StatusCode, resp.Header.Get("Location"))
			}
			continue
		}
		check("login page when signed in", next, resp.Header.Get("Location"))
		resp, _ = f.do("", "POST", "/locale", url.Values{"locale": {"en"}, "next": {next}}.Encode())
		check("language switch", next, resp.Header.Get("Location"))
	}
}

// unstorable reports whether s holds a NUL or invalid UTF-8, which the
// text check at the edge refuses in any query or form.
func unstorable(s string) bool { return strings.ContainsRune(s, 0) || !utf8.ValidString(s) }
