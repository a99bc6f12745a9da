// Package web serves the HTML interface, the operational endpoints and the
// static assets, and mounts the JSON API.
package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"zeren/internal/api"
	"zeren/internal/i18n"
	"zeren/internal/route"
	"zeren/internal/store"
)

// Options configure the web server.
type Options struct {
	Sessions   store.SessionTimeouts
	TrustProxy bool           // believe X-Forwarded-Proto and X-Forwarded-For
	Location   *time.Location // zone in which times are shown
	Version    string
	MaxBody    int64 // bytes accepted in a request body
}

// Server holds the handlers' dependencies.
type Server struct {
	st      *store.Store
	cat     *i18n.Catalog
	log     *slog.Logger
	opt     Options
	pages   *pages
	assets  *assets
	metrics *metrics
}

// New prepares the server: templates are parsed and assets hashed here, so
// that a broken template fails at start rather than on a request.
func New(st *store.Store, cat *i18n.Catalog, log *slog.Logger, opt Options) (*Server, error) {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.MaxBody <= 0 {
		opt.MaxBody = 1 << 20
	}
	s := &Server{st: st, cat: cat, log: log, opt: opt}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	if s.pages, err = loadPages(s.assets, cat); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	s.metrics = newMetrics(st)
	return s, nil
}

// Handler returns the whole HTTP interface with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	mux.Handle("/api/v1/", api.New(s.st, s.cat, s.log).Handler())

	// The middleware, outermost first.
	h := route.Recorder(mux)
	h = s.withPrincipal(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.limitBody(h)
	h = securityHeaders(h)
	h = s.observe(h) // logs and metrics, by route pattern
	h = s.recoverPanics(h)
	return h
}

// routes lists every page. A new route needs a row in the route test.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("GET /static/{hash}/{file...}", s.assets.serve)

	mux.Handle("GET /{$}", s.page(s.home))
	mux.Handle("GET /login", s.page(s.loginForm))
	mux.Handle("POST /login", s.page(s.login))
	mux.Handle("POST /logout", s.page(s.logout))
	mux.Handle("POST /locale", s.page(s.setLocale))

	mux.Handle("GET /units", s.page(s.signedIn(s.unitList)))
	mux.Handle("GET /units/pick", s.page(s.signedIn(s.unitPick)))
	mux.Handle("GET /units/new", s.page(s.signedIn(s.unitNew)))
	mux.Handle("POST /units", s.page(s.signedIn(s.unitCreate)))
	mux.Handle("GET /units/{id}", s.page(s.signedIn(s.unitShow)))
	mux.Handle("GET /units/{id}/children", s.page(s.signedIn(s.unitChildren)))
	mux.Handle("POST /units/{id}", s.page(s.signedIn(s.unitUpdate)))
	mux.Handle("POST /units/{id}/move", s.page(s.signedIn(s.unitMove)))
	mux.Handle("POST /units/{id}/archive", s.page(s.signedIn(s.unitArchive)))

	mux.Handle("GET /users", s.page(s.signedIn(s.userList)))
	mux.Handle("GET /users/new", s.page(s.signedIn(s.userNew)))
	mux.Handle("POST /users", s.page(s.signedIn(s.userCreate)))
	mux.Handle("GET /users/{id}", s.page(s.signedIn(s.userShow)))
	mux.Handle("POST /users/{id}", s.page(s.signedIn(s.userUpdate)))
	mux.Handle("POST /users/{id}/grants", s.page(s.signedIn(s.grantAdd)))
	mux.Handle("POST /grants/{id}/delete", s.page(s.signedIn(s.grantRemove)))
}
