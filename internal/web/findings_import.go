package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/api"
	"zeren/internal/apperr"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/ledger"
)

// findingsImportData is the page to import inspection feedback: the form
// with what the cells may say, and after an import its result.
type findingsImportData struct {
	Cycle  cycle.Cycle
	Areas  []cycle.Area
	Scale  []finding.Severity
	Result *ledger.FindingsResult
}

// recordingCycle loads the {id} cycle for those who may record findings on
// some unit of it (auth.RecordFinding): nobody else may even see the page.
func (s *Server) recordingCycle(r *http.Request) (cycle.Cycle, error) {
	c, err := s.readableCycle(r)
	if err != nil {
		return c, err
	}
	if !action.CanImportFindings(principal(r), c.UnitPath) {
		return c, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return c, nil
}

// findingsTemplate sends the empty findings sheet, titled in the reader's
// language.
func (s *Server) findingsTemplate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.recordingCycle(r)
	if err != nil {
		return err
	}
	locale := s.locale(r)
	var buf bytes.Buffer // a few kilobytes: sent whole, or not at all
	if err := ledger.WriteFindingsTemplate(&buf, s.cat, locale); err != nil {
		return err
	}
	name := fmt.Sprintf("%d-%s.xlsx", c.Year, s.cat.T(locale, "findings_sheet.sheet"))
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = buf.WriteTo(w)
	return err
}

// findingsImportForm shows the form to import inspection feedback into the
// {id} cycle.
func (s *Server) findingsImportForm(w http.ResponseWriter, r *http.Request) error {
	c, err := s.recordingCycle(r)
	if err != nil {
		return err
	}
	return s.renderFindingsImport(w, r, http.StatusOK, findingsImportData{Cycle: c}, nil)
}

// findingsImport records the problems of an uploaded findings sheet
// (multipart "file", with "dry_run" to only see what it would record) as
// findings of the cycle, all or nothing. The page lists each bad row with
// its reason, or what was recorded.
func (s *Server) findingsImport(w http.ResponseWriter, r *http.Request) error {
	c, err := s.recordingCycle(r)
	if err != nil {
		return err
	}
	d := findingsImportData{Cycle: c}
	res, err := s.importFindings(r, c)
	if k := apperr.KindOf(err); err != nil && (k == apperr.Invalid || k == apperr.TooLarge) {
		return s.renderFindingsImport(w, r, apperr.Status(err), d, err)
	}
	if err != nil {
		return err
	}
	d.Result = &res
	status := http.StatusOK
	if len(res.Errors) > 0 {
		status = http.StatusBadRequest
	}
	return s.renderFindingsImport(w, r, status, d, nil)
}

// importFindings reads the uploaded sheet against the cycle's severity
// scale and imports it as the user, within their grants.
func (s *Server) importFindings(r *http.Request, c cycle.Cycle) (ledger.FindingsResult, error) {
	file, dry, err := api.UploadedFile(r)
	if err != nil {
		return ledger.FindingsResult{}, err
	}
	defer file.Close()
	sheet, err := ledger.ReadFindings(file, s.cat, finding.Scale(c.Severities))
	if err != nil {
		return ledger.FindingsResult{}, err
	}
	return s.act.ImportFindings(r.Context(), principal(r), c.ID, sheet, dry)
}

// renderFindingsImport shows the page with the cycle's areas and severity
// scale, which say what the area and severity cells may hold.
func (s *Server) renderFindingsImport(w http.ResponseWriter, r *http.Request, status int, d findingsImportData, formErr error) error {
	var err error
	if d.Areas, err = s.st.Areas(r.Context(), d.Cycle.ID); err != nil {
		return err
	}
	d.Scale = finding.Scale(d.Cycle.Severities)
	v := s.newView(w, r, "title.findings_import", d).withError(formErr)
	v.Title = d.Cycle.Title + " · " + v.T("title.findings_import")
	return s.render(w, status, "findings_import", v)
}

// FindingsRowError is a bad row's reason, naming the column by its title.
func (v *view) FindingsRowError(e ledger.RowError) string {
	return ledger.FindingsMessage(v.s.cat, v.Locale, e)
}

// RecordsFindingsIn reports whether the user may import findings into the
// cycle, for the link on the cycle's page.
func (v *view) RecordsFindingsIn(c cycle.Cycle) bool {
	return action.CanImportFindings(v.User, c.UnitPath)
}
