package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

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
		next.ServeHTTP(w, r)
	})
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
