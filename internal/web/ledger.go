package web

import (
	"net/http"
	"net/url"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// ledgerData is the ledger (台账): the items of the filter, a page at a time.
type ledgerData struct {
	Filter   store.LedgerFilter
	Query    url.Values // the filter as given, for the form and the links
	Cycles   []cycle.Cycle
	Unit     unit.Unit // the subtree filter, if any
	Items    []rectification.Rectification
	Count    int
	Next     string
	Stats    *rectification.Stats // of the unit (or the cycle's unit) for the cycle
	Statuses []rectification.Status
	Kinds    []rectification.Kind
	Sources  []finding.Source
	Warnings []rectification.Warning
	Areas    []cycle.Area
}

// NextPage is the link to the page after this one.
func (d ledgerData) NextPage() string {
	q := url.Values{}
	for k, v := range d.Query {
		q[k] = v
	}
	q.Set("after", d.Next)
	return "/ledger?" + q.Encode()
}

// ExportLink is the Excel export of the same filter.
func (d ledgerData) ExportLink() string {
	q := url.Values{}
	for k, v := range d.Query {
		if k != "after" && k != "cycle" {
			q[k] = v
		}
	}
	return "/cycles/" + strconv.FormatInt(d.Filter.CycleID, 10) + "/ledger.xlsx?" + q.Encode()
}

func (s *Server) ledger(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	q := r.URL.Query()
	d := ledgerData{Query: q, Statuses: rectification.Statuses, Kinds: []rectification.Kind{rectification.Immediate, rectification.LongTerm},
		Sources: finding.Sources, Warnings: []rectification.Warning{rectification.Red, rectification.Yellow, rectification.Green}}
	var err error
	if d.Cycles, err = s.st.Cycles(r.Context(), p.Scopes(auth.ReadUnit)); err != nil {
		return err
	}
	f := store.LedgerFilter{Scopes: p.Scopes(auth.ReadUnit), Status: rectification.Status(q.Get("status")), Kind: rectification.Kind(q.Get("kind")),
		Warning: rectification.Warning(q.Get("warning")), Source: finding.Source(q.Get("source")), Area: q.Get("area"), Text: q.Get("q"),
		Sort: q.Get("sort"), After: q.Get("after"), Limit: 50, Carried: ledger.Carried(q)}
	// One cycle, or every cycle: items stay open across years.
	if c := q.Get("cycle"); c != "" {
		if f.CycleID, err = strconv.ParseInt(c, 10, 64); err != nil {
			return s.ledgerError(w, r, d, apperr.Field("cycle", "err.not_a_number"))
		}
	}
	var statsUnit int64
	for _, c := range d.Cycles {
		if c.ID == f.CycleID {
			statsUnit = c.UnitID
			if d.Areas, err = s.st.Areas(r.Context(), c.ID); err != nil {
				return err
			}
		}
	}
	if f.CycleID == 0 && len(d.Cycles) > 0 {
		statsUnit = d.Cycles[0].UnitID
	}
	if u := q.Get("unit"); u != "" {
		id, err := strconv.ParseInt(u, 10, 64)
		if err == nil {
			d.Unit, err = s.st.Unit(r.Context(), id)
		}
		if err != nil || !action.Can(p, action.UnitRead, action.UnitAt(d.Unit.Path)) {
			return s.ledgerError(w, r, d, apperr.Field("unit", "err.no_such_unit", u))
		}
		f.UnitPath, statsUnit = d.Unit.Path, d.Unit.ID
	}
	d.Filter = f
	if d.Items, d.Next, err = s.st.Ledger(r.Context(), f); err != nil {
		return s.ledgerError(w, r, d, err)
	}
	f.After = ""
	if d.Count, err = s.st.LedgerCount(r.Context(), f); err != nil {
		return err
	}
	// The counters of the subtree, when the user may see the whole of it.
	if statsUnit != 0 {
		if u, err := s.st.Unit(r.Context(), statsUnit); err == nil && action.Can(p, action.UnitRead, action.UnitAt(u.Path)) {
			st, err := s.st.UnitStats(r.Context(), statsUnit, f.CycleID)
			if err != nil {
				return err
			}
			d.Stats = &st
		}
	}
	return s.render(w, http.StatusOK, "ledger", s.newView(w, r, "title.ledger", d))
}

func (s *Server) ledgerError(w http.ResponseWriter, r *http.Request, d ledgerData, err error) error {
	if apperr.KindOf(err) != apperr.Invalid {
		return err
	}
	return s.render(w, http.StatusBadRequest, "ledger", s.newView(w, r, "title.ledger", d).withError(err))
}
