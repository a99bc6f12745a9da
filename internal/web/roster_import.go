package web

import (
	"net/http"
	"strings"

	"zeren/internal/action"
	"zeren/internal/api"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/roster"
	"zeren/internal/unit"
)

// rosterImportData is the page to import units or users: the form with
// what the columns say, and after an import or a dry run its result.
type rosterImportData struct {
	Sheet   roster.Sheet
	Archive bool // the box to archive what the file does not name was ticked
	Result  *roster.Result
	Changes []roster.Change // the result's changes, unchanged rows aside
	Links   []rosterLink    // new users' set-password links, shown this once
}

// rosterLink is a new user's set-password link.
type rosterLink struct {
	Login  string
	URL    string
	Mailed bool
}

// rosterOps lists the operations in the order the counts are shown.
var rosterOps = []roster.Op{roster.Create, roster.Update, roster.Move, roster.Restore, roster.Archive, roster.Disable, roster.Keep}

// importer refuses the page to those who may not import the sheet; each
// row is still decided by the action on its unit.
func importer(r *http.Request, s roster.Sheet) error {
	if !action.CanImport(principal(r), s) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return nil
}

// rosterImportForm shows the form to import the sheet.
func (s *Server) rosterImportForm(sheet roster.Sheet) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := importer(r, sheet); err != nil {
			return err
		}
		return s.renderRosterImport(w, r, http.StatusOK, rosterImportData{Sheet: sheet}, nil)
	}
}

// rosterImport imports an uploaded sheet (multipart "file"; "dry_run" to
// only check, "archive_missing" to archive or disable what it does not
// name), all or nothing. The page lists each bad row with its column and
// reason, or the changes; after a real import of users, their links.
func (s *Server) rosterImport(sheet roster.Sheet) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := importer(r, sheet); err != nil {
			return err
		}
		d := rosterImportData{Sheet: sheet}
		file, opt, err := api.RosterUpload(r)
		opt.MailLinks = s.mailLinks()
		var res roster.Result
		if err == nil {
			d.Archive = opt.ArchiveMissing
			res, err = api.ImportRoster(r.Context(), s.act, principal(r), s.cat, sheet, file, opt)
			file.Close()
		}
		if k := apperr.KindOf(err); err != nil && (k == apperr.Invalid || k == apperr.TooLarge) {
			return s.renderRosterImport(w, r, apperr.Status(err), d, err)
		}
		if err != nil {
			return err
		}
		d.Result = &res
		for _, c := range res.Changes {
			if len(c.Ops) == 1 && c.Ops[0] == roster.Keep {
				continue
			}
			d.Changes = append(d.Changes, c)
			if c.Link != "" && !res.DryRun {
				d.Links = append(d.Links, rosterLink{Login: c.Name, URL: api.PasswordURL(s.linkBase(r), c.Link)})
			} else if c.Mailed && !res.DryRun {
				d.Links = append(d.Links, rosterLink{Login: c.Name, Mailed: true})
			}
		}
		status := http.StatusOK
		if !res.OK() {
			status = http.StatusBadRequest
		}
		// The links are shown once: no cache may keep them.
		w.Header().Set("Cache-Control", "no-store")
		return s.renderRosterImport(w, r, status, d, nil)
	}
}

// rosterExport sends the units or users the user sees as a sheet to import
// again (?format=xlsx or csv), titled in the user's language.
func (s *Server) rosterExport(sheet roster.Sheet) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		format, err := api.RosterFormat(r.URL.Query().Get("format"))
		if err != nil {
			return err
		}
		return api.ExportRoster(r.Context(), w, s.act, principal(r), s.cat, s.locale(r), sheet, format, s.log)
	}
}

func (s *Server) renderRosterImport(w http.ResponseWriter, r *http.Request, status int, d rosterImportData, formErr error) error {
	v := s.newView(w, r, "title."+string(d.Sheet)+"_import", d).withError(formErr)
	return s.render(w, status, "roster_import", v)
}

// rosterColumn is a column of the sheet as the page explains it.
type rosterColumn struct {
	Title, About string
	Required     bool
}

// RosterColumns explains the columns of the sheet, with the kinds and
// roles its cells may name.
func (v *view) RosterColumns(s roster.Sheet) []rosterColumn {
	var out []rosterColumn
	for _, f := range s.Fields() {
		c := rosterColumn{Title: v.T(f.Key()), Required: s.Required(f)}
		var names []string
		switch f {
		case roster.Kind:
			for _, k := range unit.Kinds {
				names = append(names, v.T("kind."+string(k)))
			}
		case roster.Grants:
			for _, r := range auth.Roles {
				names = append(names, v.T("role."+string(r)))
			}
		}
		if names != nil {
			c.About = v.T("roster_import.about."+string(f), strings.Join(names, v.T("roster_import.list_sep")))
		} else {
			c.About = v.T("roster_import.about." + string(f))
		}
		out = append(out, c)
	}
	return out
}

// RosterColumn names a row error's column; the file as a whole is none.
func (v *view) RosterColumn(e roster.RowError) string {
	if e.Field == "" || e.Field == roster.File {
		return ""
	}
	return v.T(e.Field.Key())
}

// RosterReason is a row error's reason.
func (v *view) RosterReason(e roster.RowError) string {
	return v.T(e.Err.Key, e.Err.Args...)
}

// RosterOps names what a change does, and the columns it changes.
func (v *view) RosterOps(c roster.Change) string {
	ops := make([]string, len(c.Ops))
	for i, op := range c.Ops {
		ops[i] = v.T("roster.op." + string(op))
	}
	out := strings.Join(ops, v.T("roster_import.list_sep"))
	if len(c.Fields) > 0 {
		fs := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			fs[i] = v.T(f.Key())
		}
		out += v.T("roster_import.fields", strings.Join(fs, v.T("roster_import.list_sep")))
	}
	return out
}

// RosterCounts are the result's counts, in a fixed order, zeros aside.
func (v *view) RosterCounts(res *roster.Result) []string {
	var out []string
	for _, op := range rosterOps {
		if n := res.Counts[op]; n > 0 {
			out = append(out, v.T("roster_import.count", v.T("roster.op."+string(op)), n))
		}
	}
	return out
}

// CanImport reports whether the user may import the sheet ("units" or
// "users"), for the links on the lists.
func (v *view) CanImport(sheet string) bool {
	return action.CanImport(v.User, roster.Sheet(sheet))
}

// mailLinks is how imports mail new users their links: through the jobs
// when a mail server is set, else not at all (every link is shown).
func (s *Server) mailLinks() api.MailLinks {
	if s.opt.Jobs == nil || !s.opt.Jobs.CanMail() {
		return nil
	}
	return s.opt.Jobs.MailPasswordLinks
}
