package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/api"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
)

// ledgerExcel exports the {id} cycle's ledger, with the ledger page's
// filters, as a workbook in the standard ledger's columns, titled in the
// reader's language. Pages of the keyset query are streamed into it.
func (s *Server) ledgerExcel(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	f, err := s.ledgerExportFilter(r, c)
	if err != nil {
		return err
	}
	locale := s.locale(r)
	xw, err := ledger.NewWriter(s.cat, locale)
	if err != nil {
		return err
	}
	defer xw.Close()
	err = xw.AddAll(func(after string) ([]rectification.Rectification, string, error) {
		f.After = after
		return s.st.Ledger(r.Context(), f)
	})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%d-%s.xlsx", c.Year, s.cat.T(locale, "ledger.sheet"))
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	if _, err := xw.WriteTo(w); err != nil {
		// The status is sent: all that is left is to say so in the log.
		s.log.Error("ledger export", "cycle", c.ID, "error", err)
	}
	return nil
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ledgerExportFilter reads the ledger page's filters for the cycle c; the
// reader sees the items of their grants.
func (s *Server) ledgerExportFilter(r *http.Request, c cycle.Cycle) (store.LedgerFilter, error) {
	p := principal(r)
	q, err := ledger.ParseQuery(r.URL.Query())
	if err != nil {
		return store.LedgerFilter{}, err
	}
	f := store.LedgerFilter{Scopes: p.Scopes(auth.ReadUnit), CycleID: c.ID, Status: q.Status, Kind: q.Kind, Warning: q.Warning,
		Source: q.Source, Area: q.Area, Text: q.Text, Sort: q.Sort, Carried: q.Carried, Limit: ledger.PageSize}
	if q.UnitID != 0 {
		u, err := s.st.Unit(r.Context(), q.UnitID)
		if err != nil || !action.Can(p, action.UnitRead, action.UnitAt(u.Path)) {
			return f, apperr.Field("unit", "err.no_such_unit", q.UnitID)
		}
		f.UnitPath = u.Path
	}
	return f, nil
}

// ledgerImportData is the import page: the form, and after an import its
// result.
type ledgerImportData struct {
	Cycle  cycle.Cycle
	Result *ledger.Result
}

// ledgerImportForm shows the form to import an edited ledger into the {id}
// cycle, to those who keep some unit's plans and progress.
func (s *Server) ledgerImportForm(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	if !action.CanImportLedger(principal(r)) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return s.renderLedgerImport(w, r, http.StatusOK, ledgerImportData{Cycle: c}, nil)
}

// ledgerImport imports an edited ledger (multipart "file", with "dry_run"
// to only see what it would do): plans and progress of the rows' items,
// all or nothing. The page lists each bad row with its reason, or what
// changed.
func (s *Server) ledgerImport(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	if !action.CanImportLedger(principal(r)) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	d := ledgerImportData{Cycle: c}
	sheet, dry, err := s.readLedgerUpload(r)
	if k := apperr.KindOf(err); err != nil && (k == apperr.Invalid || k == apperr.TooLarge) {
		return s.renderLedgerImport(w, r, apperr.Status(err), d, err)
	}
	if err != nil {
		return err
	}
	res, err := s.act.ImportLedger(r.Context(), principal(r), c.ID, sheet, dry)
	if err != nil {
		return err
	}
	d.Result = &res
	status := http.StatusOK
	if len(res.Errors) > 0 {
		status = http.StatusBadRequest
	}
	return s.renderLedgerImport(w, r, status, d, nil)
}

// readLedgerUpload reads the uploaded workbook and the dry-run box.
func (s *Server) readLedgerUpload(r *http.Request) (ledger.Sheet, bool, error) {
	file, dry, err := api.UploadedFile(r)
	if err != nil {
		return ledger.Sheet{}, false, err
	}
	defer file.Close()
	sheet, err := ledger.Read(file, s.cat)
	return sheet, dry, err
}

func (s *Server) renderLedgerImport(w http.ResponseWriter, r *http.Request, status int, d ledgerImportData, err error) error {
	v := s.newView(w, r, "title.ledger_import", d).withError(err)
	v.Title = d.Cycle.Title + " · " + v.T("title.ledger_import")
	return s.render(w, status, "ledger_import", v)
}

// LedgerRowError is a bad row's reason, naming the column by its title.
func (v *view) LedgerRowError(e ledger.RowError) string { return ledger.Message(v.s.cat, v.Locale, e) }

// LedgerColumn is a column's title in the view's language.
func (v *view) LedgerColumn(f ledger.Field) string { return v.T(ledger.Column{Field: f}.Key()) }

// LedgerExportLink is the link to the cycle's whole ledger as a workbook.
func (d ledgerImportData) LedgerExportLink() string {
	return "/cycles/" + strconv.FormatInt(d.Cycle.ID, 10) + "/ledger.xlsx"
}
