package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/report"
)

//go:embed templates
var templateFS embed.FS

// pageNames declares every page; each is templates/pages/NAME.html parsed
// with the layout and the partials. A missing or broken one fails at start.
var pageNames = []string{"login", "login_totp", "totp_setup", "error", "units", "unit", "unit_new",
	"users", "user", "user_new", "profile", "settings", "audit", "cycles", "cycle", "report", "report_diff", "agenda", "present", "booklet",
	"appraisal", "codes", "vote", "vote_code", "results", "comments", "comment", "ledger", "rectification", "ledger_import",
	"finding_new", "findings_import", "roster_import", "assessment", "summary", "dashboard", "unit_dashboard", "compare", "todo",
	"inbox", "jobs", "password_link"}

// fragmentNames are partials rendered alone for htmx requests.
var fragmentNames = []string{"unit_children", "unit_pick", "report_saved"}

type pages struct {
	set map[string]*template.Template
}

func loadPages(a *assets, cat *i18n.Catalog) (*pages, error) {
	funcs := template.FuncMap{
		"asset":     a.url,
		"query":     func(k, v string) string { return url.Values{k: {v}}.Encode() },
		"hasPrefix": strings.HasPrefix,
		"add":       func(a, b int) int { return a + b },
		"list":      func(s ...string) []string { return s },
		"field":     sectionField,
		"kb":        func(n int64) int64 { return (n + 1023) / 1024 },
		"deref":     deref,
		"join":      strings.Join,
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{set: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/pages/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", name, err)
		}
		p.set[name] = t
	}
	for _, name := range fragmentNames {
		if base.Lookup(name) == nil {
			return nil, fmt.Errorf("fragment %s is not defined", name)
		}
		p.set["#"+name] = base
	}
	return p, nil
}

// sectionField reads one text of a report section by its form name.
func sectionField(sec report.Section, name string) string {
	switch name {
	case "achievements":
		return sec.Achievements
	case "problems":
		return sec.Problems
	case "next_steps":
		return sec.NextSteps
	}
	return ""
}

// view is what every template receives: the user, the locale, the page's
// data, flash and field errors.
type view struct {
	s       *Server
	r       *http.Request
	Locale  string
	User    *auth.Principal
	Title   string
	Flash   string
	Problem string            // a form-level error message
	Errors  map[string]string // field → message
	Data    any

	todoCount int // the menu's to-do badge, -1 until counted
}

// T translates a catalog key in the view's locale.
func (v *view) T(key string, args ...any) string { return v.s.cat.T(v.Locale, key, args...) }

// Severity names a level of a severity scale: the default levels are
// translated, a cycle's own labels are shown as the organizer wrote them.
func (v *view) Severity(s finding.Severity) string {
	if k := "severity." + string(s); v.s.cat.Has(k) {
		return v.T(k)
	}
	return string(s) // a cycle's own label
}

// Can reports whether the user may take the action somewhere, for menus.
func (v *view) Can(action string) bool { return v.User.CanAnywhere(auth.Action(action)) }

// Path is the current request path, for marking the active menu entry.
func (v *view) Path() string { return v.r.URL.Path }

// Here is the current path and query, where the language switch returns to.
func (v *view) Here() string { return v.r.URL.RequestURI() }

// Locales lists the choices of the language switch.
func (v *view) Locales() []string { return i18n.Locales }

// Time formats a time in the configured zone.
func (v *view) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(v.s.opt.Location).Format("2006-01-02 15:04")
}

// newView prepares a view for r, consuming the flash cookie.
func (s *Server) newView(w http.ResponseWriter, r *http.Request, titleKey string, data any) *view {
	v := &view{s: s, r: r, Locale: s.locale(r), User: principal(r), Data: data, Errors: map[string]string{}, todoCount: -1}
	v.Title = v.T(titleKey)
	if c, err := r.Cookie(flashCookie); err == nil && s.cat.Has(c.Value) {
		v.Flash = v.T(c.Value)
		s.clearCookie(w, r, flashCookie)
	}
	return v
}

// withError puts a typed error on the view: always as a sentence at the top
// of the page naming the field, since not every field a request can name
// has a place on the page, and beside the field when it has one.
func (v *view) withError(err error) *view {
	e, ok := apperr.As(err)
	if !ok {
		return v
	}
	v.Problem = v.s.cat.Error(v.Locale, e)
	if e.Field != "" {
		v.Errors[e.Field] = v.T(e.Key, e.Args...)
	}
	return v
}

// render writes a page or, for names starting with '#', a fragment.
func (s *Server) render(w http.ResponseWriter, status int, name string, v *view) error {
	t, ok := s.pages.set[name]
	if !ok {
		return fmt.Errorf("render: unknown page %q", name)
	}
	exec := "layout"
	if name[0] == '#' {
		exec = name[1:]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, exec, v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

const flashCookie = "zeren_flash"

// redirect sends the browser on after a successful POST, with a flash message.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to, flashKey string) error {
	if flashKey != "" {
		s.setCookie(w, r, flashCookie, flashKey, time.Minute)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// fail maps an error to a status and an error page, logging server faults once.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := apperr.Status(err)
	if status == http.StatusUnauthorized {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = "/"
		}
		if r.Header.Get("HX-Request") == "true" {
			w.Header().Set("HX-Redirect", "/login")
			w.WriteHeader(status)
			return
		}
		http.Redirect(w, r, "/login?"+url.Values{"next": {next}}.Encode(), http.StatusSeeOther)
		return
	}
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", logPath(r), "error", err)
		err = apperr.New(apperr.Internal, "err.internal")
	}
	v := s.newView(w, r, "title.error", status)
	if e, ok := apperr.As(err); ok {
		v.Problem = s.cat.Error(v.Locale, e)
	}
	if rerr := s.render(w, status, "error", v); rerr != nil {
		s.log.Error("render error page", "error", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

// locale picks the interface language: the user's stored choice, then the
// language cookie, then Accept-Language.
func (s *Server) locale(r *http.Request) string {
	if p := principal(r); p != nil && i18n.Supported(p.Locale) != "" {
		return i18n.Supported(p.Locale)
	}
	if c, err := r.Cookie(localeCookie); err == nil && i18n.Supported(c.Value) != "" {
		return i18n.Supported(c.Value)
	}
	return s.cat.Match(r.Header.Get("Accept-Language"))
}

const localeCookie = "zeren_lang"
