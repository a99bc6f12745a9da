package api

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/roster"
)

func (a *API) unitsExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return a.rosterExport(w, r, p, roster.Units)
}

func (a *API) usersExport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return a.rosterExport(w, r, p, roster.Users)
}

// rosterExport sends the units or users the caller sees as a sheet to
// import again (?format=xlsx, the default, or csv), titled in the
// Accept-Language.
func (a *API) rosterExport(w http.ResponseWriter, r *http.Request, p *auth.Principal, s roster.Sheet) error {
	format, err := RosterFormat(r.URL.Query().Get("format"))
	if err != nil {
		return err
	}
	loc := a.cat.Match(r.Header.Get("Accept-Language"))
	return ExportRoster(r.Context(), w, a.act, p, a.cat, loc, s, format, a.log)
}

// RosterFormat reads the format of an export: xlsx (also when empty) or csv.
func RosterFormat(v string) (roster.Format, error) {
	switch roster.Format(v) {
	case "", roster.XLSX:
		return roster.XLSX, nil
	case roster.CSV:
		return roster.CSV, nil
	}
	return "", apperr.Field("format", "err.roster_format")
}

// ExportRoster streams the sheet of the units or users p may export as an
// attachment. The response starts only when the first bytes leave the
// buffer, so a refusal, or a failure before that, is still answered as an
// error; a failure later is logged and cuts the file short. The pages'
// export links use it too.
func ExportRoster(ctx context.Context, w http.ResponseWriter, act *action.Actions, p *auth.Principal, cat roster.Catalog,
	locale string, s roster.Sheet, format roster.Format, log *slog.Logger) error {
	name := cat.T(locale, "roster.sheet."+string(s)) + "." + string(format)
	out := &download{w: w, name: name, format: format}
	buf := bufio.NewWriterSize(out, 64<<10)
	// Hidden behind a plain writer: the zip writer would flush a
	// *bufio.Writer it is given, and start the response too early.
	sw, err := roster.NewWriter(struct{ io.Writer }{buf}, format, s, cat, locale)
	if err != nil {
		return err
	}
	if s == roster.Units {
		err = act.ExportUnits(ctx, p, sw.Unit)
	} else {
		err = act.ExportUsers(ctx, p, sw.User)
	}
	if cerr := sw.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = buf.Flush()
	}
	if err != nil && !out.started {
		return err
	}
	if err != nil {
		log.Error("roster export cut short", "sheet", s, "error", err)
	}
	return nil
}

// download is a response that sends its headers with its first bytes.
type download struct {
	w       http.ResponseWriter
	name    string
	format  roster.Format
	started bool
}

func (a *download) Write(b []byte) (int, error) {
	if !a.started {
		a.started = true
		h := a.w.Header()
		if a.format == roster.CSV {
			h.Set("Content-Type", "text/csv; charset=utf-8")
		} else {
			h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		}
		h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(a.name))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		a.w.WriteHeader(http.StatusOK)
	}
	return a.w.Write(b)
}
