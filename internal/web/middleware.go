package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"zeren/internal/api"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/route"
)

type ctxKey int

const principalKey ctxKey = iota

// principal returns the signed-in user, or nil.
func principal(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey).(*auth.Principal)
	return p
}

const sessionCookie = "zeren_session"

// withPrincipal loads the session's user for the HTML pages; the API
// authenticates with bearer tokens instead.
func (s *Server) withPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" || strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		p, err := s.st.SessionPrincipal(r.Context(), c.Value, s.opt.Sessions)
		if err != nil {
			if !apperr.Is(err, apperr.Unauthorized) && !apperr.Is(err, apperr.NotFound) {
				s.fail(w, r, err)
				return
			}
			s.clearCookie(w, r, sessionCookie)
		} else {
			r = r.WithContext(context.WithValue(r.Context(), principalKey, p))
		}
		next.ServeHTTP(w, r)
	})
}

// secure reports whether the client reached us over TLS.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.opt.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
}

// securityHeaders forbids framing, sniffing and inline script.
func securityHeaders(next http.Handler) http.Handler {
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if isPasswordLink(r) {
			// The path holds a set-password token: no Referer carries it
			// anywhere, and no cache keeps the page.
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// isPasswordLink reports whether r is for a set-password link's page.
func isPasswordLink(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/password/") }

// logPath is a request's path as logged: a set-password token is secret
// and never written to the log.
func logPath(r *http.Request) string {
	if isPasswordLink(r) {
		return "/password/…"
	}
	return r.URL.Path
}

// limitBody caps every request body; handlers see a 413 error past it.
// Uploads (evidence files, ledger imports) get the upload limit, plus room
// for the form.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			limit := s.opt.MaxBody
			if r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/attachments") || strings.HasSuffix(r.URL.Path, "/updates") ||
				strings.HasSuffix(r.URL.Path, "/import")) {
				limit = s.opt.MaxUpload*4/3 + 1<<20 // base64 in the API
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// checkText refuses, with 400 naming the field, a request whose path, query
// string or form (urlencoded or multipart: names, values and file names)
// holds text that is not api.StorableText: PostgreSQL cannot store it and
// SQLite would, so both engines answer alike, and before anything changes.
// JSON bodies are checked by the API's decoder. match holds every route, to
// name the path value at fault; refusals under /api/ are answered in JSON.
func (s *Server) checkText(match *http.ServeMux, apiFail func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := badPath(match, r)
			if err == nil {
				q, _ := url.ParseQuery(r.URL.RawQuery) // what fails to parse no handler sees
				err = badValues(q, "query")
			}
			if err == nil {
				// Every multipart route needs a session or a token: the
				// uploads of anonymous callers are left unread, as before.
				err = badForm(r, principal(r) != nil || r.Header.Get("Authorization") != "")
			}
			if r.MultipartForm != nil {
				// Its files over the memory limit are on disk; the server
				// removes them only for the request it made, not this copy.
				defer r.MultipartForm.RemoveAll()
			}
			switch {
			case err == nil:
				next.ServeHTTP(w, r)
			case strings.HasPrefix(r.URL.Path, "/api/"):
				apiFail(w, r, err)
			default:
				s.fail(w, r, err)
			}
		})
	}
}

// badPath names the path value (or else "path") holding bad text.
func badPath(match *http.ServeMux, r *http.Request) error {
	if api.StorableText(r.URL.Path) {
		return nil
	}
	_, pattern := match.Handler(r)
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		segs, want := strings.Split(r.URL.Path, "/"), strings.Split(pattern[i:], "/")
		for j, p := range want {
			if j >= len(segs) || !strings.HasPrefix(p, "{") {
				continue
			}
			v := segs[j]
			if strings.HasSuffix(p, "...}") {
				v = strings.Join(segs[j:], "/")
			}
			if !api.StorableText(v) {
				return api.BadText(strings.TrimSuffix(strings.Trim(p, "{}"), "..."))
			}
		}
	}
	return api.BadText("path")
}

// badValues names the first field, in order of names, holding bad text; a
// bad name is reported as the whole (what: "query" or "body").
func badValues(vs url.Values, what string) error {
	for _, k := range slices.Sorted(maps.Keys(vs)) {
		if !api.StorableText(k) {
			return api.BadText(what)
		}
		for _, v := range vs[k] {
			if !api.StorableText(v) {
				return api.BadText(k)
			}
		}
	}
	return nil
}

// badForm checks a posted form. An urlencoded body is read and put back,
// so that the handler parses it as before; a multipart one is parsed here
// (files past 1 MiB go to temporary files) and the handler's own parse
// (ParseMultipartForm, FormFile, FormValue) reuses the result. When reading
// fails (too large, malformed), the handler meets the same error when it
// reads, and answers as it always did. Multipart bodies are read only when
// multipart is set.
func badForm(r *http.Request, multipart bool) error {
	if r.Body == nil || (r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch) {
		return nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), failedReader{err}))
		if err != nil {
			return nil
		}
		vs, _ := url.ParseQuery(string(b))
		return badValues(vs, "body")
	case "multipart/form-data":
		if !multipart {
			return nil
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				err = mb
			}
			r.Form, r.PostForm, r.MultipartForm = nil, nil, nil
			r.Body = io.NopCloser(failedReader{err})
			return nil
		}
		if err := badValues(r.MultipartForm.Value, "body"); err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(r.MultipartForm.File)) {
			if !api.StorableText(k) {
				return api.BadText("body")
			}
			for _, h := range r.MultipartForm.File[k] {
				if !api.StorableText(h.Filename) {
					return api.BadText(k)
				}
			}
		}
	}
	return nil
}

// failedReader gives back a read error met earlier (nil: end of input).
type failedReader struct{ err error }

func (f failedReader) Read([]byte) (int, error) {
	if f.err == nil {
		return 0, io.EOF
	}
	return 0, f.err
}

// statusWriter remembers the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request once and counts it by route pattern, never by
// raw path, so that ids and query strings stay out of logs and metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(route.With(r.Context()))
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		pattern := route.Pattern(r.Context())
		d := time.Since(start)
		s.metrics.observe(pattern, r.Method, sw.status, d)
		if pattern == "GET /healthz" || pattern == "GET /readyz" || pattern == "GET /metrics" {
			return
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", pattern),
			slog.Int("status", sw.status), slog.Duration("duration", d), slog.Int("bytes", sw.bytes))
	})
}

// recoverPanics turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "route", route.Pattern(r.Context()), "panic", v, "stack", string(debug.Stack()))
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// handler is a page handler; its error goes to Server.fail.
type handler func(w http.ResponseWriter, r *http.Request) error

// page adapts a handler to http.Handler.
func (s *Server) page(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// signedIn sends anonymous visitors to the login page, and those whose
// second factor is still due to finish it.
func (s *Server) signedIn(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := principal(r)
		if p == nil {
			return apperr.New(apperr.Unauthorized, "err.sign_in")
		}
		if p.Pending != "" {
			http.Redirect(w, r, pendingPage(p.Pending, r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		return h(w, r)
	}
}

// halfSignedIn lets through users who gave their password but whose second
// factor is still due, for the pages where they finish it.
func (s *Server) halfSignedIn(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if principal(r) == nil {
			return apperr.New(apperr.Unauthorized, "err.sign_in")
		}
		return h(w, r)
	}
}

// formError maps body-size and parse failures to typed errors.
func formError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return apperr.New(apperr.TooLarge, "err.too_large")
	}
	return apperr.Field("body", "err.bad_form")
}

// parseForm parses a posted form, mapping failures to 400 or 413.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	return nil
}
