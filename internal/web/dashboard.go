package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/assessment"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/report"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// The dashboards (issue 7) are for those who read results (admins,
// organizers, supervisors), within their grants: a cycle's overview for a
// focus unit, a unit's history with a drill-down into its children, and a
// year-over-year comparison of chosen units. Every number comes from the
// counters of store/dashboard.go, never from a scan of the items, and every
// chart is followed by a table of the same numbers, for print and for
// screen readers.

// dashFigure is one chart and the table of its numbers.
type dashFigure struct {
	ID    string // the chart's element id; its data block is ID+"-data", its table ID+"-table"
	Title string
	Label string      // the chart's accessible name
	Chart template.JS // JSON for dashboard.js; empty when there is nothing to draw
	Table dashTable
	Note  string // said instead of the chart and the table when there is nothing to show
	Wide  bool   // spans the whole width of the grid
}

// dashTable is a figure's numbers: one row per category of the chart.
type dashTable struct {
	Corner string // the header of the row labels' column
	Head   []string
	Rows   []dashRow
}

type dashRow struct {
	Label string
	Href  string // the row's drill-down, if any
	Cells []dashCell
}

type dashCell struct {
	Text  string
	Class string
}

// dashChart is what dashboard.js draws; every label is already translated.
type dashChart struct {
	Kind    string       `json:"kind"` // bar, stack, funnel, heatmap, lines
	Labels  []string     `json:"labels"`
	Columns []string     `json:"columns,omitempty"` // the heat map's columns
	Series  []dashSeries `json:"series"`
	Axes    []dashAxis   `json:"axes,omitempty"`
	Colors  []string     `json:"colors,omitempty"`
}

type dashSeries struct {
	Name string     `json:"name"`
	Type string     `json:"type,omitempty"` // line or bar, in a lines chart
	Axis int        `json:"axis,omitempty"` // index into Axes
	Data []*float64 `json:"data"`           // null: no value
}

type dashAxis struct {
	Name string  `json:"name"`
	Max  float64 `json:"max,omitempty"` // 0: automatic
}

// figure finishes a figure: the chart's JSON, or the note when the table
// has no row.
func (v *view) figure(f dashFigure, c dashChart, empty string) dashFigure {
	if len(f.Table.Rows) == 0 {
		f.Note = v.T(empty)
		return f
	}
	b, err := json.Marshal(c)
	if err != nil { // only a NaN could do this; the table still shows
		return f
	}
	f.Chart, f.Label = template.JS(b), f.Title+" — "+v.T("dash.see_table")
	return f
}

func num(n int) *float64 {
	f := float64(n)
	return &f
}

func intCell(n int) dashCell { return dashCell{Text: strconv.Itoa(n)} }

func pctCell(p *float64) dashCell {
	if p == nil {
		return dashCell{Text: "—"}
	}
	return dashCell{Text: fmt.Sprintf("%.1f%%", *p)}
}

func scoreCell(p *float64) dashCell {
	if p == nil {
		return dashCell{Text: "—"}
	}
	return dashCell{Text: fmt.Sprintf("%.2f", *p)}
}

// closureRate is the share of a subtree's items that are closed, in
// percent; nil without items.
func closureRate(st rectification.Stats) *float64 {
	if st.Total == 0 {
		return nil
	}
	r := math.Round(1000*float64(st.Closed)/float64(st.Total)) / 10
	return &r
}

// CanReadResults reports whether the user reads results (and so the
// dashboards) of the unit at path.
func (v *view) CanReadResults(path string) bool {
	return action.Can(v.User, action.DashboardRead, action.UnitAt(path))
}

// DashboardFor reports whether the user may open the cycle's overview:
// they read results of the cycle's unit or of a unit inside its subtree.
func (v *view) DashboardFor(c cycle.Cycle) bool {
	for _, scope := range v.User.Scopes(auth.ReadResults) {
		if unit.Contains(scope, c.UnitPath) || unit.Contains(c.UnitPath, scope) {
			return true
		}
	}
	return false
}

// dashboardHome opens the overview of the newest cycle the reader may see,
// or says that there is none yet.
func (s *Server) dashboardHome(w http.ResponseWriter, r *http.Request) error {
	scopes, err := principal(r).ScopesOrForbidden(auth.ReadResults)
	if err != nil {
		return err
	}
	cycles, err := s.st.Cycles(r.Context(), scopes)
	if err != nil {
		return err
	}
	if len(cycles) > 0 {
		// The newest year's cycle run highest in the tree: the city's
		// review rather than a district's own.
		best := cycles[0]
		for _, c := range cycles[1:] {
			if c.Year == best.Year && len(unit.Ancestors(c.UnitPath)) < len(unit.Ancestors(best.UnitPath)) {
				best = c
			}
		}
		http.Redirect(w, r, fmt.Sprintf("/cycles/%d/dashboard", best.ID), http.StatusSeeOther)
		return nil
	}
	return s.render(w, http.StatusOK, "dashboard", s.newView(w, r, "title.dashboard", overviewData{}))
}

// overviewData is a cycle's overview for one focus unit: the figures of its
// subtree in the cycle.
type overviewData struct {
	Cycle   cycle.Cycle
	Focus   unit.Unit
	Choices []unit.Unit   // the focus units offered; a select when more than one
	Others  []cycle.Cycle // the other cycles' overviews
	Stats   rectification.Stats
	Figures []dashFigure
	Heat    dashFigure
}

// maxOtherCycles bounds the links to other cycles' overviews.
const maxOtherCycles = 12

// cycleDashboard is the overview of the {id} cycle.
func (s *Server) cycleDashboard(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	d := overviewData{Cycle: c}
	if d.Focus, d.Choices, err = s.dashFocus(r, c); err != nil {
		return err
	}
	ctx, p := r.Context(), principal(r)
	v := s.newView(w, r, "title.dashboard", nil)
	all, err := s.st.Cycles(ctx, p.Scopes(auth.ReadResults))
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID != c.ID && len(d.Others) < maxOtherCycles {
			d.Others = append(d.Others, o)
		}
	}
	if d.Stats, err = s.st.UnitStats(ctx, d.Focus.ID, c.ID); err != nil {
		return err
	}
	reports, err := s.st.ReportCounts(ctx, c.ID, d.Focus.Path)
	if err != nil {
		return err
	}
	tallies, err := s.st.FindingTallies(ctx, d.Focus.ID, c.ID)
	if err != nil {
		return err
	}
	areas, err := s.st.Areas(ctx, c.ID)
	if err != nil {
		return err
	}
	scores, err := s.scoresFigure(r, v, c, d.Focus)
	if err != nil {
		return err
	}
	grades, err := s.gradesFigure(r, v, c, d.Focus)
	if err != nil {
		return err
	}
	kids, err := s.st.ChildStats(ctx, d.Focus.ID, c.ID)
	if err != nil {
		return err
	}
	bySource, byArea := findingFigures(v, tallies, areas)
	d.Figures = []dashFigure{reportsFigure(v, reports), funnelFigure(v, d.Stats), bySource, byArea, scores, grades}
	d.Heat = heatFigure(v, kids, c.ID)
	v.Data = d
	v.Title = c.Title + " · " + v.T("title.dashboard")
	return s.render(w, http.StatusOK, "dashboard", v)
}

// dashFocus picks the unit whose subtree the overview shows: the one asked
// for (?unit=ID), else the cycle's unit when the reader's grant covers it,
// else the reader's first granted unit inside the cycle's subtree. It lists
// the units offered in the select: those, and the one asked for. A reader
// without such a unit, or asking for one outside their grants, is refused.
func (s *Server) dashFocus(r *http.Request, c cycle.Cycle) (unit.Unit, []unit.Unit, error) {
	p, ctx := principal(r), r.Context()
	var choices []unit.Unit
	ids := []int64{c.UnitID}
	if !action.Can(p, action.DashboardRead, action.UnitAt(c.UnitPath)) {
		ids = nil
		for _, scope := range p.Scopes(auth.ReadResults) {
			if up := unit.Ancestors(scope); unit.Contains(c.UnitPath, scope) && len(up) > 0 {
				ids = append(ids, up[len(up)-1])
			}
		}
	}
	for _, id := range ids {
		u, err := s.st.Unit(ctx, id)
		if err != nil {
			return u, nil, err
		}
		choices = append(choices, u)
	}
	if len(choices) == 0 {
		return unit.Unit{}, nil, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	raw := strings.TrimSpace(r.URL.Query().Get("unit"))
	if raw == "" {
		return choices[0], choices, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return unit.Unit{}, nil, apperr.Field("unit", "err.not_a_number")
	}
	for _, u := range choices {
		if u.ID == id {
			return u, choices, nil
		}
	}
	u, err := s.st.Unit(ctx, id)
	switch {
	case err != nil:
		return u, nil, err
	case !action.Can(p, action.DashboardRead, action.UnitAt(u.Path)):
		return u, nil, apperr.New(apperr.Forbidden, "err.forbidden")
	case !unit.Contains(c.UnitPath, u.Path):
		return u, nil, apperr.Field("unit", "err.no_such_unit", id)
	}
	return u, append(choices, u), nil
}

// reportsFigure counts the reports by status.
func reportsFigure(v *view, counts map[report.Status]int) dashFigure {
	f := dashFigure{ID: "dash-reports", Title: v.T("dash.reports"), Table: dashTable{Corner: v.T("field.status"), Head: []string{v.T("dash.count")}}}
	c := dashChart{Kind: "bar", Series: []dashSeries{{Name: v.T("dash.count")}}}
	total := 0
	for _, st := range report.Statuses {
		label := v.T("report_status." + string(st))
		c.Labels = append(c.Labels, label)
		c.Series[0].Data = append(c.Series[0].Data, num(counts[st]))
		f.Table.Rows = append(f.Table.Rows, dashRow{Label: label, Cells: []dashCell{intCell(counts[st])}})
		total += counts[st]
	}
	if total == 0 {
		f.Table.Rows = nil
	} else {
		f.Table.Rows = append(f.Table.Rows, dashRow{Label: v.T("dash.total"), Cells: []dashCell{intCell(total)}})
	}
	return v.figure(f, c, "dash.no_reports")
}

// funnelFigure shows the items by status and, as the funnel draws them,
// how many reached each stage (their status or a later one).
func funnelFigure(v *view, st rectification.Stats) dashFigure {
	f := dashFigure{ID: "dash-funnel", Title: v.T("dash.funnel"),
		Table: dashTable{Corner: v.T("field.status"), Head: []string{v.T("dash.in_status"), v.T("dash.reached")}}}
	c := dashChart{Kind: "funnel", Series: []dashSeries{{Name: v.T("dash.reached")}},
		Colors: []string{"#90a4ae", "#1565c0", "#f9a825", "#2e7d32"}}
	steps := []struct {
		key string
		n   int
	}{{"planning", st.Planning}, {"in_progress", st.InProgress}, {"awaiting", st.Awaiting}, {"closed", st.Closed}}
	reached := st.Planning + st.InProgress + st.Awaiting + st.Closed
	for _, x := range steps {
		label := v.T("dash.col_" + x.key)
		c.Labels = append(c.Labels, label)
		c.Series[0].Data = append(c.Series[0].Data, num(reached))
		f.Table.Rows = append(f.Table.Rows, dashRow{Label: label, Cells: []dashCell{intCell(x.n), intCell(reached)}})
		reached -= x.n
	}
	if st.Total == 0 {
		f.Table.Rows = nil
	}
	return v.figure(f, c, "dash.no_items")
}

// findingFigures counts the findings by source and by area, open and
// closed: the sources in their order, the cycle's areas in theirs, then
// areas no longer in the cycle's list, then findings without an area.
func findingFigures(v *view, tallies []store.FindingTally, areas []cycle.Area) (dashFigure, dashFigure) {
	bySource := map[string]*store.FindingTally{}
	byArea := map[string]*store.FindingTally{}
	add := func(m map[string]*store.FindingTally, k string, t store.FindingTally) {
		if m[k] == nil {
			m[k] = &store.FindingTally{}
		}
		m[k].Total += t.Total
		m[k].Closed += t.Closed
	}
	for _, t := range tallies {
		add(bySource, string(t.Source), t)
		add(byArea, t.Area, t)
	}
	var sources, areaOrder []string
	for _, src := range finding.Sources {
		sources = append(sources, string(src))
	}
	known := map[string]bool{}
	for _, a := range areas {
		areaOrder, known[a.Name] = append(areaOrder, a.Name), true
	}
	var rest []string
	for k := range byArea {
		if !known[k] && k != "" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	areaOrder = append(append(areaOrder, rest...), "")
	src := findingFigure(v, "dash-sources", "dash.by_source", v.T("field.source"), sources, bySource,
		func(k string) string { return v.T("source." + k) })
	area := findingFigure(v, "dash-areas", "dash.by_area", v.T("field.area"), areaOrder, byArea, func(k string) string {
		if k == "" {
			return v.T("dash.no_area")
		}
		return k
	})
	return src, area
}

// findingFigure is a stacked bar of open and closed findings per key, the
// keys without findings left out.
func findingFigure(v *view, id, title, corner string, keys []string, m map[string]*store.FindingTally, label func(string) string) dashFigure {
	f := dashFigure{ID: id, Title: v.T(title),
		Table: dashTable{Corner: corner, Head: []string{v.T("dash.open"), v.T("dash.closed"), v.T("dash.total")}}}
	c := dashChart{Kind: "stack", Series: []dashSeries{{Name: v.T("dash.open")}, {Name: v.T("dash.closed")}},
		Colors: []string{"#ef6c00", "#2e7d32"}}
	var total, closed int
	for _, k := range keys {
		t := m[k]
		if t == nil || t.Total == 0 {
			continue
		}
		c.Labels = append(c.Labels, label(k))
		c.Series[0].Data = append(c.Series[0].Data, num(t.Total-t.Closed))
		c.Series[1].Data = append(c.Series[1].Data, num(t.Closed))
		f.Table.Rows = append(f.Table.Rows, dashRow{Label: label(k), Cells: []dashCell{intCell(t.Total - t.Closed), intCell(t.Closed), intCell(t.Total)}})
		total, closed = total+t.Total, closed+t.Closed
	}
	if len(f.Table.Rows) > 0 {
		f.Table.Rows = append(f.Table.Rows, dashRow{Label: v.T("dash.total"), Cells: []dashCell{intCell(total - closed), intCell(closed), intCell(total)}})
	}
	return v.figure(f, c, "dash.no_findings")
}

// scoreBounds are the lower bounds of the score distribution's buckets
// after the first (below 60).
var scoreBounds = []float64{60, 70, 80, 90}

// scoresFigure is the distribution of the appraisal's scores of the
// reports in the focus unit's subtree, once the appraisal is closed.
func (s *Server) scoresFigure(r *http.Request, v *view, c cycle.Cycle, focus unit.Unit) (dashFigure, error) {
	f := dashFigure{ID: "dash-scores", Title: v.T("dash.scores"), Table: dashTable{Corner: v.T("results.score"), Head: []string{v.T("dash.reports_count")}}}
	a, err := s.st.CycleAppraisal(r.Context(), c.ID)
	if apperr.Is(err, apperr.NotFound) {
		f.Note = v.T("dash.no_appraisal")
		return f, nil
	}
	if err != nil {
		return f, err
	}
	if a.Status != appraisal.Closed {
		f.Note = v.T("dash.appraisal_not_closed")
		return f, nil
	}
	results, reports, err := s.st.Results(r.Context(), a)
	if err != nil {
		return f, err
	}
	counts := make([]int, len(scoreBounds)+2) // the buckets, then "no score"
	mine := false
	for i, res := range results {
		if !unit.Contains(focus.Path, reports[i].UnitPath) {
			continue
		}
		mine = true
		b := len(counts) - 1
		if res.Score != nil {
			b = sort.SearchFloat64s(scoreBounds, *res.Score+1e-9) // bounds belong to the bucket above
		}
		counts[b]++
	}
	labels := []string{"<60", "60–70", "70–80", "80–90", "≥90", v.T("dash.no_score")}
	ch := dashChart{Kind: "bar", Labels: labels, Series: []dashSeries{{Name: v.T("dash.reports_count")}}}
	for i, n := range counts {
		if mine {
			f.Table.Rows = append(f.Table.Rows, dashRow{Label: labels[i], Cells: []dashCell{intCell(n)}})
		}
		ch.Series[0].Data = append(ch.Series[0].Data, num(n))
	}
	return v.figure(f, ch, "dash.no_reports"), nil
}

// gradesFigure counts the assessment's grades in the focus unit's subtree.
// Those who read the cycle's results see them as soon as computed, as on
// the assessment's page; others once published.
func (s *Server) gradesFigure(r *http.Request, v *view, c cycle.Cycle, focus unit.Unit) (dashFigure, error) {
	f := dashFigure{ID: "dash-grades", Title: v.T("dash.grades"), Table: dashTable{Corner: v.T("assessment.grade"), Head: []string{v.T("dash.units_count")}}}
	a, err := s.st.Assessment(r.Context(), c.ID)
	if err != nil {
		return f, err
	}
	if a.Status != assessment.Published && !action.Can(principal(r), action.DashboardRead, action.UnitAt(c.UnitPath)) {
		f.Note = v.T("dash.not_published")
		return f, nil
	}
	counts, err := s.st.GradeCounts(r.Context(), c.ID, focus.Path)
	if err != nil {
		return f, err
	}
	// The scheme's grades from the top down, then any other in the counts.
	var order []string
	seen := map[string]bool{}
	for _, g := range a.Scheme.Grades {
		for _, b := range g.Bands {
			if !seen[b.Grade] {
				order, seen[b.Grade] = append(order, b.Grade), true
			}
		}
	}
	var rest []string
	for g := range counts {
		if !seen[g] {
			rest = append(rest, g)
		}
	}
	sort.Strings(rest)
	ch := dashChart{Kind: "bar", Series: []dashSeries{{Name: v.T("dash.units_count")}}}
	if len(counts) > 0 {
		for _, g := range append(order, rest...) {
			ch.Labels = append(ch.Labels, g)
			ch.Series[0].Data = append(ch.Series[0].Data, num(counts[g]))
			f.Table.Rows = append(f.Table.Rows, dashRow{Label: g, Cells: []dashCell{intCell(counts[g])}})
		}
	}
	return v.figure(f, ch, "dash.no_grades"), nil
}

// overdueLabels name the heat map's columns, from store.OverdueBuckets.
func overdueLabels(v *view) []string {
	b := store.OverdueBuckets
	out := []string{v.T("dash.overdue_upto", b[0])}
	for i := 1; i < len(b); i++ {
		out = append(out, v.T("dash.overdue_range", b[i-1]+1, b[i]))
	}
	return append(out, v.T("dash.overdue_over", b[len(b)-1]))
}

// heatFigure is the children's open items by days overdue, each row
// leading to the child's own dashboard.
func heatFigure(v *view, kids []store.ChildFigures, cycleID int64) dashFigure {
	cols := overdueLabels(v)
	f := dashFigure{ID: "dash-overdue", Title: v.T("dash.overdue_by_unit"), Wide: true,
		Table: dashTable{Corner: v.T("field.unit"), Head: append(append([]string(nil), cols...), v.T("dash.col_overdue"))}}
	c := dashChart{Kind: "heatmap", Columns: cols}
	top := 0
	for _, k := range kids {
		for _, n := range k.Overdue {
			top = max(top, n)
		}
	}
	for _, k := range kids {
		row := dashRow{Label: k.Unit.Name, Href: fmt.Sprintf("/units/%d/dashboard?cycle=%d", k.Unit.ID, cycleID)}
		var data []*float64
		for _, n := range k.Overdue {
			cell := intCell(n)
			if n > 0 { // shade by the share of the largest cell, in four steps
				cell.Class = "heat-" + strconv.Itoa(int(math.Ceil(4*float64(n)/float64(top))))
			}
			row.Cells = append(row.Cells, cell)
			data = append(data, num(n))
		}
		row.Cells = append(row.Cells, intCell(k.Stats.Overdue))
		f.Table.Rows = append(f.Table.Rows, row)
		c.Labels = append(c.Labels, k.Unit.Name)
		c.Series = append(c.Series, dashSeries{Name: k.Unit.Name, Data: data})
	}
	return v.figure(f, c, "dash.no_children")
}

// unitDashData is a unit's dashboard: its history over the cycles, and its
// children's figures in one of them.
type unitDashData struct {
	Unit     unit.Unit
	Trail    map[int64]string
	History  dashFigure
	Cycles   []store.HistoryRow // the cycles to drill down into, newest first
	CycleID  int64              // the drill-down's cycle; 0 when the unit has no history
	Children []store.ChildFigures
	Heat     dashFigure
}

// unitDashboard is the {id} unit's dashboard.
func (s *Server) unitDashboard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.unitFor(r, id, action.DashboardRead)
	if err != nil {
		return err
	}
	d := unitDashData{Unit: u}
	hist, err := s.dashHistory(r, u)
	if err != nil {
		return err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		d.Cycles = append(d.Cycles, hist[i])
	}
	if d.CycleID, err = s.drillCycle(r, d.Cycles); err != nil {
		return err
	}
	if d.Trail, err = s.trail(r, []unit.Unit{u}); err != nil {
		return err
	}
	v := s.newView(w, r, "title.unit_dashboard", nil)
	d.History = historyFigure(v, hist)
	if d.CycleID != 0 {
		if d.Children, err = s.st.ChildStats(r.Context(), u.ID, d.CycleID); err != nil {
			return err
		}
		d.Heat = heatFigure(v, d.Children, d.CycleID)
	}
	v.Data = d
	v.Title = u.Name + " · " + v.T("title.unit_dashboard")
	return s.render(w, http.StatusOK, "unit_dashboard", v)
}

// drillCycle reads ?cycle=ID, the cycle of the drill-down: by default the
// newest of the unit's history. Another cycle must be one the reader sees.
func (s *Server) drillCycle(r *http.Request, hist []store.HistoryRow) (int64, error) {
	raw := strings.TrimSpace(r.URL.Query().Get("cycle"))
	if raw == "" {
		if len(hist) == 0 {
			return 0, nil
		}
		return hist[0].CycleID, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Field("cycle", "err.not_a_number")
	}
	for _, h := range hist {
		if h.CycleID == id {
			return id, nil
		}
	}
	if _, err := s.act.Cycle(r.Context(), principal(r), id); err != nil {
		return 0, err
	}
	return id, nil
}

// dashHistory reads a unit's history. An assessment's scores not yet published are kept only for
// those who read the results of the cycle's unit, as on its page.
func (s *Server) dashHistory(r *http.Request, u unit.Unit) ([]store.HistoryRow, error) {
	ctx, p := r.Context(), principal(r)
	hist, err := s.st.UnitHistory(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for i, h := range hist {
		if h.Final == nil || h.Published {
			continue
		}
		c, err := s.st.Cycle(ctx, h.CycleID)
		if err != nil {
			return nil, err
		}
		if !action.Can(p, action.DashboardRead, action.UnitAt(c.UnitPath)) {
			hist[i].Final, hist[i].Appraisal, hist[i].Grade = nil, nil, ""
		}
	}
	return hist, nil
}

// historyFigure draws a unit's history: the on-time and closure rates and
// the final score against one axis, the findings as bars against another.
func historyFigure(v *view, hist []store.HistoryRow) dashFigure {
	f := dashFigure{ID: "dash-history", Title: v.T("dash.history"), Wide: true, Table: dashTable{Corner: v.T("field.cycle_id"),
		Head: []string{v.T("dash.items"), v.T("dash.col_closed"), v.T("dash.closure_rate"), v.T("dash.col_on_time"), v.T("dash.col_overdue"),
			v.T("dash.findings"), v.T("dash.appraisal_score"), v.T("dash.final_score"), v.T("assessment.grade")}}}
	c := dashChart{Kind: "lines", Axes: []dashAxis{{Name: v.T("dash.percent_or_score"), Max: 100}, {Name: v.T("dash.findings")}},
		Series: []dashSeries{{Name: v.T("dash.findings"), Type: "bar", Axis: 1}, {Name: v.T("dash.col_on_time"), Type: "line"},
			{Name: v.T("dash.closure_rate"), Type: "line"}, {Name: v.T("dash.final_score"), Type: "line"}}}
	for _, h := range hist {
		c.Labels = append(c.Labels, strconv.Itoa(h.Year))
		c.Series[0].Data = append(c.Series[0].Data, num(h.Findings))
		c.Series[1].Data = append(c.Series[1].Data, h.Stats.OnTimeRate)
		c.Series[2].Data = append(c.Series[2].Data, closureRate(h.Stats))
		c.Series[3].Data = append(c.Series[3].Data, h.Final)
		grade := h.Grade
		if grade == "" {
			grade = "—"
		}
		label := h.Title
		if !strings.Contains(label, strconv.Itoa(h.Year)) {
			label = strconv.Itoa(h.Year) + " " + label
		}
		f.Table.Rows = append(f.Table.Rows, dashRow{Label: label, Href: fmt.Sprintf("/cycles/%d/dashboard", h.CycleID),
			Cells: []dashCell{intCell(h.Stats.Total), intCell(h.Stats.Closed), pctCell(closureRate(h.Stats)), pctCell(h.Stats.OnTimeRate),
				intCell(h.Stats.Overdue), intCell(h.Findings), scoreCell(h.Appraisal), scoreCell(h.Final), {Text: grade}}})
	}
	return v.figure(f, c, "dash.no_history")
}

// ClosureRate is a subtree's share of closed items, for the drill-down table.
func (v *view) ClosureRate(st rectification.Stats) string { return pctCell(closureRate(st)).Text }

// Rate formats a rate in percent, or a dash for none.
func (v *view) Rate(p *float64) string { return pctCell(p).Text }

// maxCompare bounds the units compared at once.
const maxCompare = 10

// compareData is the year-over-year comparison of chosen units.
type compareData struct {
	Units   []unit.Unit
	Figures []dashFigure
}

// dashCompare compares units year over year. The units come as ?unit=ID,
// repeated, and the unit picker's unit_id adds one; each must be a unit
// whose results the reader reads.
func (s *Server) dashCompare(w http.ResponseWriter, r *http.Request) error {
	if _, err := principal(r).ScopesOrForbidden(auth.ReadResults); err != nil {
		return err
	}
	units, bad := s.compareUnits(r)
	if bad != nil && apperr.KindOf(bad) != apperr.Invalid {
		return bad
	}
	hists := make([][]store.HistoryRow, len(units))
	for i, u := range units {
		var err error
		if hists[i], err = s.dashHistory(r, u); err != nil {
			return err
		}
	}
	v := s.newView(w, r, "title.compare", nil).withError(bad)
	v.Data = compareData{Units: units, Figures: compareFigures(v, units, hists)}
	status := http.StatusOK
	if bad != nil {
		status = apperr.Status(bad)
	}
	return s.render(w, status, "compare", v)
}

// compareUnits reads the chosen units, in order and once each, and the
// first reason to refuse one.
func (s *Server) compareUnits(r *http.Request) ([]unit.Unit, error) {
	q := r.URL.Query()
	var out []unit.Unit
	var bad error
	seen := map[int64]bool{}
	for _, raw := range append(q["unit"], q["unit_id"]...) {
		raw = strings.TrimSpace(raw)
		if raw == "" || bad != nil {
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		switch {
		case err != nil || id <= 0:
			bad = apperr.Field("unit", "err.not_a_number")
			continue
		case seen[id]:
			continue
		case len(out) == maxCompare:
			bad = apperr.Field("unit", "err.too_many", maxCompare)
			continue
		}
		seen[id] = true
		u, err := s.st.Unit(r.Context(), id)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !action.Can(principal(r), action.DashboardRead, action.UnitAt(u.Path))) {
			bad = apperr.Field("unit", "err.no_such_unit", id)
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, u)
	}
	return out, bad
}

// compareFigures draws one line per unit over the years for each measure.
// A unit with several cycles in a year has their counters added up and the
// last cycle's final score.
func compareFigures(v *view, units []unit.Unit, hists [][]store.HistoryRow) []dashFigure {
	if len(units) == 0 {
		return nil
	}
	type yearFigures struct {
		stats    rectification.Stats
		findings int
		final    *float64
	}
	years := map[int]bool{}
	per := make([]map[int]*yearFigures, len(units))
	for i, hist := range hists {
		per[i] = map[int]*yearFigures{}
		for _, h := range hist {
			years[h.Year] = true
			y := per[i][h.Year]
			if y == nil {
				y = &yearFigures{}
				per[i][h.Year] = y
			}
			y.stats.Add(h.Stats)
			y.stats.Finish()
			y.findings += h.Findings
			if h.Final != nil {
				y.final = h.Final
			}
		}
	}
	var order []int
	for y := range years {
		order = append(order, y)
	}
	sort.Ints(order)
	measures := []struct {
		id, title string
		pct       bool
		value     func(*yearFigures) *float64
	}{
		{"dash-cmp-ontime", "dash.col_on_time", true, func(y *yearFigures) *float64 { return y.stats.OnTimeRate }},
		{"dash-cmp-findings", "dash.findings", false, func(y *yearFigures) *float64 { return num(y.findings) }},
		{"dash-cmp-final", "dash.final_score", false, func(y *yearFigures) *float64 { return y.final }},
	}
	var out []dashFigure
	for _, m := range measures {
		f := dashFigure{ID: m.id, Title: v.T(m.title), Table: dashTable{Corner: v.T("field.unit")}}
		c := dashChart{Kind: "lines", Axes: []dashAxis{{Name: v.T(m.title)}}}
		if m.pct || m.id == "dash-cmp-final" {
			c.Axes[0].Max = 100
		}
		for _, y := range order {
			c.Labels = append(c.Labels, strconv.Itoa(y))
			f.Table.Head = append(f.Table.Head, strconv.Itoa(y))
		}
		for i, u := range units {
			sr := dashSeries{Name: u.Name, Type: "line"}
			row := dashRow{Label: u.Name, Href: fmt.Sprintf("/units/%d/dashboard", u.ID)}
			for _, yr := range order {
				var val *float64
				if y := per[i][yr]; y != nil {
					val = m.value(y)
				}
				sr.Data = append(sr.Data, val)
				switch {
				case m.pct:
					row.Cells = append(row.Cells, pctCell(val))
				case val == nil:
					row.Cells = append(row.Cells, dashCell{Text: "—"})
				case m.id == "dash-cmp-final":
					row.Cells = append(row.Cells, scoreCell(val))
				default:
					row.Cells = append(row.Cells, intCell(int(*val)))
				}
			}
			c.Series = append(c.Series, sr)
			f.Table.Rows = append(f.Table.Rows, row)
		}
		if len(order) == 0 {
			f.Table.Rows = nil
		}
		out = append(out, v.figure(f, c, "dash.no_history"))
	}
	return out
}

// CompareQuery is the query of the comparison's units, for links that keep them.
func (d compareData) CompareQuery() string {
	var b strings.Builder
	for i, u := range d.Units {
		if i > 0 {
			b.WriteByte('&')
		}
		fmt.Fprintf(&b, "unit=%d", u.ID)
	}
	return b.String()
}
