package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/roster"
)

// rosterImportOut is the outcome of a units or users import: what it did,
// or on a dry run would do, and each bad row. When a row is bad it also
// carries the error envelope, as the findings import does, so that clients
// that only read "error" still see that nothing was saved.
type rosterImportOut struct {
	*errorBody                   // nil unless a row is bad
	Rows       int               `json:"rows"`
	DryRun     bool              `json:"dry_run"`
	Counts     map[roster.Op]int `json:"counts"`
	Changes    []rosterChangeOut `json:"changes"`
	Errors     []rosterErrorOut  `json:"errors"`
}

// rosterChangeOut is one unit or user changed (or to change). link_url is
// a new user's one-time set-password address, given only by a real import.
type rosterChangeOut struct {
	Line    int            `json:"line"`
	Ops     []roster.Op    `json:"ops"`
	ID      int64          `json:"id,omitempty"`
	Name    string         `json:"name"`
	Fields  []roster.Field `json:"fields"`
	LinkURL string         `json:"link_url,omitempty"`
	Mailed  bool           `json:"mailed,omitempty"`
}

// rosterErrorOut is a bad row: its number in the sheet (0 for the file as
// a whole), the column at fault and the reason in the client's language.
type rosterErrorOut struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (a *API) unitsImport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return a.rosterImport(w, r, p, roster.Units)
}

func (a *API) usersImport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return a.rosterImport(w, r, p, roster.Users)
}

// rosterImport brings a units or users sheet in (the body: multipart
// "file" or the file itself; ?dry_run=1 to only check, ?archive_missing=1
// to archive the units, or disable the users, that it does not name), all
// or nothing: 200 with the changes, 422 with every bad row when any is bad.
func (a *API) rosterImport(w http.ResponseWriter, r *http.Request, p *auth.Principal, s roster.Sheet) error {
	file, opt, err := RosterUpload(r)
	opt.MailLinks = a.mailLinks
	if err != nil {
		return err
	}
	defer file.Close()
	res, err := ImportRoster(r.Context(), a.act, p, a.cat, s, file, opt)
	if err != nil {
		return err
	}
	loc := a.cat.Match(r.Header.Get("Accept-Language"))
	out := rosterImportOut{Rows: res.Rows, DryRun: res.DryRun, Counts: res.Counts, Changes: []rosterChangeOut{}, Errors: []rosterErrorOut{}}
	if out.Counts == nil {
		out.Counts = map[roster.Op]int{}
	}
	base := a.base(r)
	for _, c := range res.Changes {
		o := rosterChangeOut{Line: c.Line, Ops: c.Ops, ID: c.ID, Name: c.Name, Fields: nonNil(c.Fields), Mailed: c.Mailed}
		if c.Link != "" {
			o.LinkURL = PasswordURL(base, c.Link)
		}
		out.Changes = append(out.Changes, o)
	}
	for _, e := range res.Errors {
		out.Errors = append(out.Errors, rosterErrorOut{Line: e.Line, Field: string(e.Field), Message: e.Message(a.cat, loc)})
	}
	if res.OK() {
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	rejected := apperr.Field("file", "err.roster_rejected", len(out.Errors), res.Rows)
	out.errorBody = &errorBody{}
	out.Error.Code, out.Error.Message, out.Error.Field = apperr.Code(rejected), a.cat.T(loc, rejected.Key, rejected.Args...), rejected.Field
	writeJSON(w, http.StatusUnprocessableEntity, out)
	return nil
}

// PasswordURL is the address of a set-password link's page.
func PasswordURL(base, token string) string {
	return strings.TrimSuffix(base, "/") + "/password/" + token
}

// ImportRoster reads a units or users sheet from file and imports it as p;
// the action decides what p may change. A file that is not a sheet, or
// lacks a column, is an error on the field "file".
func ImportRoster(ctx context.Context, act *action.Actions, p *auth.Principal, cat roster.Catalog, s roster.Sheet, file io.Reader, opt action.ImportOptions) (roster.Result, error) {
	if s == roster.Units {
		sh, err := roster.ReadUnits(file, cat)
		if err != nil {
			return roster.Result{}, err
		}
		return act.ImportUnits(ctx, p, sh, opt)
	}
	sh, err := roster.ReadUsers(file, cat)
	if err != nil {
		return roster.Result{}, err
	}
	return act.ImportUsers(ctx, p, sh, opt)
}

// RosterUpload opens the sheet of an import request: the multipart field
// "file", or else the body itself; and reads the switches "dry_run" and
// "archive_missing" from the query or the form. The caller closes the file.
// The pages' import forms use it too.
func RosterUpload(r *http.Request) (io.ReadCloser, action.ImportOptions, error) {
	var opt action.ImportOptions
	var file io.ReadCloser
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, _, err := r.FormFile("file")
		var mb *http.MaxBytesError
		switch {
		case errors.As(err, &mb):
			return nil, opt, tooLarge()
		case err != nil:
			return nil, opt, apperr.Field("file", "err.required")
		}
		file = f
	} else {
		b, err := io.ReadAll(r.Body)
		var mb *http.MaxBytesError
		switch {
		case errors.As(err, &mb):
			return nil, opt, tooLarge()
		case err != nil:
			return nil, opt, apperr.Field("file", "err.bad_form")
		case len(b) == 0:
			return nil, opt, apperr.Field("file", "err.required")
		}
		file = io.NopCloser(bytes.NewReader(b))
	}
	opt.DryRun, opt.ArchiveMissing = formSwitch(r, "dry_run"), formSwitch(r, "archive_missing")
	return file, opt, nil
}

// tooLarge is a file past the upload limit, naming the field.
func tooLarge() error {
	return &apperr.Error{Kind: apperr.TooLarge, Field: "file", Key: "err.too_large"}
}

// formSwitch reads an on/off switch of the query or of a parsed form.
func formSwitch(r *http.Request, name string) bool {
	v := r.URL.Query().Get(name)
	if r.MultipartForm != nil && len(r.MultipartForm.Value[name]) > 0 {
		v = r.MultipartForm.Value[name][0]
	}
	v = strings.ToLower(strings.TrimSpace(v))
	return v != "" && v != "0" && v != "false" && v != "off" && v != "no"
}
