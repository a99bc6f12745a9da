package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"zeren/internal/config"
	"zeren/internal/jobs"
	"zeren/internal/store"
	"zeren/internal/web"
)

func serve(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("serve", "[--addr ADDR] [--db DB] [--data DIR]", "Serve the web interface and the API.")
	c.ServeFlags(fs)
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return usageError{err.Error()}
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	return e.serveStore(c, st, nil)
}

// serveStore serves until SIGINT or SIGTERM, then lets in-flight requests
// finish before returning (the caller closes the database). ready, if not
// nil, is called with the URL once the listener is open.
func (e *env) serveStore(c config.Config, st *store.Store, ready func(url string)) error {
	log := newLogger(e.stderr, c.LogFormat)
	loc, _ := time.LoadLocation(c.TimeZone)
	var j *jobs.Jobs
	if c.Jobs {
		var err error
		if j, err = e.jobs(c, st, log); err != nil {
			return err
		}
		// Started apart from the signal's context, so that a shutdown lets
		// a delivery in flight finish instead of cutting it.
		if err := j.Start(context.WithoutCancel(e.ctx)); err != nil {
			return fmt.Errorf("job queue: %w", err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := j.Stop(sctx); err != nil {
				log.Warn("job queue stop", "error", err)
			}
		}()
	}
	srv, err := web.New(st, e.cat, log, web.Options{
		Sessions:   store.SessionTimeouts{Idle: c.SessionIdle, Absolute: c.SessionAbsolute},
		TrustProxy: c.TrustProxy, Location: loc, Version: Version, MaxBody: c.MaxBody, MaxUpload: c.MaxUpload,
		Jobs: j, BaseURL: c.BaseURL,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", c.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	log.Info("serving", "url", url, "engine", st.Engine())
	if ready != nil {
		ready(url)
	}
	go housekeeping(e.ctx, st, c, log)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// housekeeping removes expired sessions and old login failures hourly and lets SQLite refresh its
// statistics nightly. Both are idempotent, so it does not matter that every
// process behind a load balancer runs them.
func housekeeping(ctx context.Context, st *store.Store, c config.Config, log *slog.Logger) {
	hourly := time.NewTicker(time.Hour)
	defer hourly.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-hourly.C:
		}
		if _, err := st.DeleteExpiredSessions(ctx, store.SessionTimeouts{Idle: c.SessionIdle, Absolute: c.SessionAbsolute}); err != nil {
			log.Warn("delete expired sessions", "error", err)
		}
		if err := st.DeleteOldLoginFailures(ctx); err != nil {
			log.Warn("delete old login failures", "error", err)
		}
		if n++; n%24 == 0 {
			if err := st.Optimize(ctx); err != nil {
				log.Warn("optimize", "error", err)
			}
		}
	}
}
