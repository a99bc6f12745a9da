package api

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/finding"
	"zeren/internal/ledger"
)

// findingsImportOut is the outcome of an import: the findings recorded (or,
// on a dry run, to record), the rows an earlier import recorded, and each
// bad row's reason. When a row is bad it also carries the error envelope,
// so that clients that only read "error" still see that nothing was done.
type findingsImportOut struct {
	*errorBody // nil unless a row is bad
	ledger.FindingsResult
	Errors []rowErrorOut `json:"errors"`
}

// rowErrorOut is a bad row: its number in the sheet, the column at fault,
// the reason as a stable word and as a sentence in the client's language.
type rowErrorOut struct {
	Row     int    `json:"row"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// findingsImport records the problems of a findings sheet (multipart
// "file", as the page's template; "dry_run" to only check) as findings of
// the {id} cycle with the source "inspection feedback", all or nothing:
// 200 with what was recorded, 422 with every bad row when any is bad.
func (a *API) findingsImport(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return err
	}
	if !action.CanImportFindings(p, c.UnitPath) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	file, dry, err := UploadedFile(r)
	if err != nil {
		return err
	}
	defer file.Close()
	sheet, err := ledger.ReadFindings(file, a.cat, finding.Scale(c.Severities))
	if err != nil {
		return err
	}
	res, err := a.act.ImportFindings(r.Context(), p, c.ID, sheet, dry)
	if err != nil {
		return err
	}
	loc := a.cat.Match(r.Header.Get("Accept-Language"))
	out := findingsImportOut{FindingsResult: res, Errors: []rowErrorOut{}}
	out.Findings, out.Existing = nonNil(out.Findings), nonNil(out.Existing)
	for _, e := range res.Errors {
		out.Errors = append(out.Errors, rowErrorOut{Row: e.Line, Field: e.Err.Field, Reason: strings.TrimPrefix(e.Err.Key, "err."),
			Message: ledger.FindingsMessage(a.cat, loc, e)})
	}
	if len(out.Errors) == 0 {
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	rejected := apperr.Field("file", "err.findings_rejected", len(out.Errors))
	out.errorBody = &errorBody{}
	out.Error.Code, out.Error.Message, out.Error.Field = apperr.Code(rejected), a.cat.T(loc, rejected.Key, rejected.Args...), rejected.Field
	writeJSON(w, http.StatusUnprocessableEntity, out)
	return nil
}

// UploadedFile opens the uploaded "file" of a multipart form and reads its
// "dry_run" switch; the caller closes the file. The pages' import forms
// use it too.
func UploadedFile(r *http.Request) (multipart.File, bool, error) {
	file, _, err := r.FormFile("file")
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return nil, false, apperr.New(apperr.TooLarge, "err.too_large")
	case err != nil:
		return nil, false, apperr.Field("file", "err.required")
	}
	v := r.FormValue("dry_run")
	return file, v != "" && v != "0" && v != "false", nil
}
