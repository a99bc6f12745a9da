package api

import (
	"fmt"
	"net/http"
	"net/url"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
)

// ledgerExcel exports the {id} cycle's ledger as a workbook in the standard
// ledger's columns (titled in the Accept-Language), with the filters of
// /rectifications and the ledger page: unit, status, kind, warning, source,
// area, q, sort. The caller gets the items of their grants.
func (a *API) ledgerExcel(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	c, err := a.readableCycle(r, p)
	if err != nil {
		return err
	}
	q, err := ledger.ParseQuery(r.URL.Query())
	if err != nil {
		return err
	}
	f := store.LedgerFilter{Scopes: p.Scopes(auth.ReadUnit), CycleID: c.ID, Status: q.Status, Kind: q.Kind, Warning: q.Warning,
		Source: q.Source, Area: q.Area, Text: q.Text, Sort: q.Sort, Carried: q.Carried, Limit: ledger.PageSize}
	if q.UnitID != 0 {
		u, err := a.st.Unit(r.Context(), q.UnitID)
		if err != nil || !action.Can(p, action.UnitRead, action.UnitAt(u.Path)) {
			return apperr.Field("unit", "err.no_such_unit", q.UnitID)
		}
		f.UnitPath = u.Path
	}
	locale := a.cat.Match(r.Header.Get("Accept-Language"))
	xw, err := ledger.NewWriter(a.cat, locale)
	if err != nil {
		return err
	}
	defer xw.Close()
	err = xw.AddAll(func(after string) ([]rectification.Rectification, string, error) {
		f.After = after
		return a.st.Ledger(r.Context(), f)
	})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%d-%s.xlsx", c.Year, a.cat.T(locale, "ledger.sheet"))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	if _, err := xw.WriteTo(w); err != nil {
		a.log.Error("ledger export", "cycle", c.ID, "error", err)
	}
	return nil
}
