package web

import (
	"archive/zip"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"zeren/internal/action"

	"github.com/xuri/excelize/v2"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/assessment"
	"zeren/internal/auth"
	"zeren/internal/comment"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/report"
	"zeren/internal/spreadsheet"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// summaryData is the printable summary of a cycle. Every part holds only
// what the reader may see: the participants and reports of their grants,
// the results for those who read them, the published comments, findings
// and figures of their units, the assessment as its own page shows it.
type summaryData struct {
	Cycle      cycle.Cycle
	Meeting    cycle.Meeting
	Generated  time.Time
	Parts      []summaryPart
	ByStatus   []statusCount
	Results    *summaryResults // nil: the reader does not read results
	Comments   []summaryComment
	Findings   findingSummary
	Stats      rectification.Stats
	Partial    bool               // the figures are those of the reader's units, not the whole cycle's
	Assessment *summaryAssessment // nil: nothing of it the reader may see
}

// summaryPart is a participant with its report (ID 0: none yet).
type summaryPart struct {
	cycle.Participant
	Report report.Report
}

// statusCount is how many of the listed participants' reports are in a
// status; Status "" counts those without a report.
type statusCount struct {
	Status report.Status
	Count  int
}

// summaryResults is the appraisal's results, or the catalog key of the
// reason there are none yet.
type summaryResults struct {
	Note string
	resultsData
}

// summaryComment is a published chair's comment on a report.
type summaryComment struct {
	Report  report.Report
	Comment comment.Comment
}

// summaryAssessment is the assessment's scores the reader may see, or the
// catalog key of the reason there are none.
type summaryAssessment struct {
	Note   string
	A      assessment.Assessment
	Scores []assessment.Score
	Group  map[string]int // peer group → units in it, for "rank 2 of 9"
}

// findingSummary counts the findings by source and by area.
type findingSummary struct {
	Total, Open, Closed int
	BySource            []findingTally // in the order of finding.Sources
	ByArea              []findingTally // the cycle's areas in order, then others, then none
}

// findingTally counts the open and closed findings of a source or an area.
type findingTally struct {
	Source       finding.Source
	Area         string
	Open, Closed int
}

// Total is the tally's open and closed findings.
func (t findingTally) Total() int { return t.Open + t.Closed }

// Note is a part's reason in the view's language: the catalog key given,
// or "not available" when there is no part at all.
func (v *view) Note(key string) string {
	if key == "" {
		key = "summary.not_available"
	}
	return v.T(key)
}

// summary is the printable summary of the {id} cycle.
func (s *Server) summary(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := summaryData{Cycle: c, Generated: s.st.Now()}
	if d.Meeting, err = s.st.Meeting(ctx, c.ID); err != nil {
		return err
	}
	if d.Parts, d.ByStatus, err = s.summaryParts(r, c); err != nil {
		return err
	}
	if d.Results, err = s.summaryResults(r, c); err != nil {
		return err
	}
	if d.Comments, err = s.summaryComments(r, c); err != nil {
		return err
	}
	if d.Findings, err = s.summaryFindings(r, c); err != nil {
		return err
	}
	if d.Stats, d.Partial, err = s.summaryStats(r, c); err != nil {
		return err
	}
	if d.Assessment, err = s.summaryAssessment(r, c); err != nil {
		return err
	}
	v := s.newView(w, r, "title.summary", d)
	v.Title = c.Title + " · " + v.T("title.summary")
	return s.render(w, http.StatusOK, "summary", v)
}

// summaryParts lists the participants the reader may see, as the cycle
// page does, with their reports and the reports' count by status.
func (s *Server) summaryParts(r *http.Request, c cycle.Cycle) ([]summaryPart, []statusCount, error) {
	p, ctx := principal(r), r.Context()
	parts, err := s.st.Participants(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	reports, err := s.st.CycleReports(ctx, c.ID, p.Scopes(auth.ReadUnit))
	if err != nil {
		return nil, nil, err
	}
	byUnit := map[int64]report.Report{}
	for _, rp := range reports {
		byUnit[rp.UnitID] = rp
	}
	manage := action.Can(p, action.CycleManage, action.CycleAt(c.UnitPath))
	counts := map[report.Status]int{}
	var out []summaryPart
	for _, pt := range parts {
		if !manage && !action.Can(p, action.UnitRead, action.UnitAt(pt.UnitPath)) {
			continue
		}
		rp := byUnit[pt.UnitID]
		out = append(out, summaryPart{Participant: pt, Report: rp})
		counts[rp.Status]++
	}
	var by []statusCount
	for _, st := range append(append([]report.Status{}, report.Statuses...), "") {
		if counts[st] > 0 {
			by = append(by, statusCount{Status: st, Count: counts[st]})
		}
	}
	return out, by, nil
}

// summaryResults reads the appraisal's results for those who read them.
func (s *Server) summaryResults(r *http.Request, c cycle.Cycle) (*summaryResults, error) {
	if !action.Can(principal(r), action.AssessmentReadFull, action.CycleAt(c.UnitPath)) {
		return nil, nil
	}
	a, err := s.st.CycleAppraisal(r.Context(), c.ID)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		return &summaryResults{Note: "summary.no_appraisal"}, nil
	case err != nil:
		return nil, err
	case a.Status != appraisal.Closed:
		return &summaryResults{Note: "summary.appraisal_not_closed", resultsData: resultsData{Cycle: c, A: a}}, nil
	}
	d := &summaryResults{resultsData: resultsData{Cycle: c, A: a}}
	results, reports, err := s.st.Results(r.Context(), a)
	if err != nil {
		return nil, err
	}
	for i := range results {
		d.Rows = append(d.Rows, resultRow{Report: reports[i], Result: results[i]})
	}
	return d, nil
}

// summaryComments reads the published comments on the reports the reader
// may see, in agenda order.
func (s *Server) summaryComments(r *http.Request, c cycle.Cycle) ([]summaryComment, error) {
	ctx := r.Context()
	reports, err := s.st.CycleReports(ctx, c.ID, principal(r).Scopes(auth.ReadUnit))
	if err != nil {
		return nil, err
	}
	states, err := s.st.CommentStates(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var out []summaryComment
	for _, rp := range reports {
		if !states[rp.ID] {
			continue
		}
		k, err := s.st.Comment(ctx, rp.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, summaryComment{Report: rp, Comment: k})
	}
	return out, nil
}

// summaryUnits are the units whose subtrees' counters make the summary's
// figures: the cycle's unit for those who see all of it, else the reader's
// units within it (the subtrees of a grant are disjoint), which partial
// says.
func summaryUnits(p *auth.Principal, c cycle.Cycle) (ids []int64, partial bool) {
	if action.Can(p, action.UnitRead, action.UnitAt(c.UnitPath)) {
		return []int64{c.UnitID}, false
	}
	for _, scope := range p.Scopes(auth.ReadUnit) {
		if up := unit.Ancestors(scope); unit.Contains(c.UnitPath, scope) && len(up) > 0 {
			ids = append(ids, up[len(up)-1])
		}
	}
	return ids, true
}

// summaryFindings counts the cycle's findings within the reader's grants,
// from the findings counters.
func (s *Server) summaryFindings(r *http.Request, c cycle.Cycle) (findingSummary, error) {
	var d findingSummary
	var counts []store.FindingTally
	ids, _ := summaryUnits(principal(r), c)
	for _, id := range ids {
		xs, err := s.st.FindingTallies(r.Context(), id, c.ID)
		if err != nil {
			return d, err
		}
		counts = append(counts, xs...)
	}
	areas, err := s.st.Areas(r.Context(), c.ID)
	if err != nil {
		return d, err
	}
	bySource := map[finding.Source]*findingTally{}
	byArea := map[string]*findingTally{}
	for _, a := range areas {
		d.ByArea = append(d.ByArea, findingTally{Area: a.Name})
	}
	for _, x := range counts {
		if bySource[x.Source] == nil {
			bySource[x.Source] = &findingTally{Source: x.Source}
		}
		if byArea[x.Area] == nil {
			byArea[x.Area] = &findingTally{Area: x.Area}
		}
		for _, t := range []*findingTally{bySource[x.Source], byArea[x.Area]} {
			t.Closed += x.Closed
			t.Open += x.Total - x.Closed
		}
		d.Closed += x.Closed
		d.Open += x.Total - x.Closed
	}
	d.Total = d.Open + d.Closed
	for _, src := range finding.Sources {
		if t := bySource[src]; t != nil {
			d.BySource = append(d.BySource, *t)
		}
	}
	// The cycle's areas in their order (those without findings left out),
	// then areas no longer in the cycle's list, then findings without one.
	var kept []findingTally
	for _, a := range d.ByArea {
		if t := byArea[a.Area]; t != nil {
			kept = append(kept, *t)
			delete(byArea, a.Area)
		}
	}
	for _, x := range counts {
		if t := byArea[x.Area]; t != nil && x.Area != "" {
			kept = append(kept, *t)
			delete(byArea, x.Area)
		}
	}
	if t := byArea[""]; t != nil {
		kept = append(kept, *t)
	}
	d.ByArea = kept
	return d, nil
}

// summaryStats reads the rectification figures of summaryUnits from the
// counters.
func (s *Server) summaryStats(r *http.Request, c cycle.Cycle) (rectification.Stats, bool, error) {
	ids, partial := summaryUnits(principal(r), c)
	if !partial {
		st, err := s.st.UnitStats(r.Context(), c.UnitID, c.ID)
		return st, false, err
	}
	var sum rectification.Stats
	for _, id := range ids {
		st, err := s.st.UnitStats(r.Context(), id, c.ID)
		if err != nil {
			return sum, true, err
		}
		sum.Add(st)
	}
	sum.Finish()
	return sum, true, nil
}

// summaryAssessment reads the assessment by the rule of its page: those
// who read the cycle's results see every unit's scores; a unit sees its
// own once published, nothing of the others'.
func (s *Server) summaryAssessment(r *http.Request, c cycle.Cycle) (*summaryAssessment, error) {
	p, ctx := principal(r), r.Context()
	a, err := s.st.Assessment(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	scores, err := s.st.Scores(ctx, c.ID, 0)
	if err != nil {
		return nil, err
	}
	d := &summaryAssessment{A: a, Group: map[string]int{}}
	for _, x := range scores {
		d.Group[x.PeerGroup]++
	}
	all := action.Can(p, action.AssessmentReadFull, action.CycleAt(c.UnitPath))
	d.Scores = assessment.Visible(a.Status, scores, all, func(path string) bool { return action.Can(p, action.UnitRead, action.UnitAt(path)) })
	switch {
	case all && len(scores) == 0:
		d.Note = "assessment.none"
	case !all && len(d.Scores) == 0:
		return nil, nil
	}
	return d, nil
}

// Earned is a unit's points on an indicator of the scheme, found by its
// key (a scheme edited after the computation may order them otherwise).
func (d summaryAssessment) Earned(x assessment.Score, key string) *float64 {
	for _, l := range x.Lines {
		if l.Key == key {
			return l.Earned
		}
	}
	return nil
}

// summaryExcel is the summary as a workbook, one sheet per part, titled in
// the reader's language: the appraisal results, the comments, the
// findings, the ledger and the assessment. A part the reader may not see,
// or that does not exist yet, is a sheet with one line saying so.
func (s *Server) summaryExcel(w http.ResponseWriter, r *http.Request) error {
	c, err := s.readableCycle(r)
	if err != nil {
		return err
	}
	v := s.newView(w, r, "title.summary", nil)
	x := excelize.NewFile()
	defer x.Close()
	sheets := []struct {
		key   string
		write func(*excelize.File, string, *view, cycle.Cycle) error
	}{
		{"summary.sheet_results", s.resultsSheet},
		{"summary.sheet_comments", s.commentsSheet},
		{"summary.sheet_findings", s.findingsSheet},
		{"summary.sheet_ledger", s.ledgerSheet},
		{"summary.sheet_assessment", s.assessmentSheet},
	}
	for i, sh := range sheets {
		name := v.T(sh.key)
		if i == 0 {
			err = x.SetSheetName("Sheet1", name)
		} else {
			_, err = x.NewSheet(name)
		}
		if err == nil {
			err = sh.write(x, name, v, c)
		}
		if err != nil {
			return err
		}
	}
	name := fmt.Sprintf("%d-%s.xlsx", c.Year, v.T("summary.file"))
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	// Zipped straight to the response, as the ledger's export does, so the
	// streamed sheets are not gathered into one buffer.
	x.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	if err := x.Write(io.Discard); err != nil {
		// The status is sent: all that is left is to say so in the log.
		s.log.Error("summary export", "cycle", c.ID, "error", err)
	}
	return nil
}

// sheetRows streams rows to a sheet, one after the other, under a title
// row in bold that stays in view.
type sheetRows struct {
	x  *excelize.File
	sw *excelize.StreamWriter
	n  int
}

func newSheetRows(x *excelize.File, sheet string) (*sheetRows, error) {
	sw, err := x.NewStreamWriter(sheet)
	return &sheetRows{x: x, sw: sw}, err
}

// head writes the title row; columns must be set before it.
func (s *sheetRows) head(cells ...any) error {
	bold, err := s.x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	s.n = 1
	return s.sw.SetRow("A1", spreadsheet.Cells(cells), excelize.RowOpts{StyleID: bold})
}

func (s *sheetRows) add(cells ...any) error {
	s.n++
	cell, err := excelize.CoordinatesToCellName(1, s.n)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, spreadsheet.Cells(cells))
}

// noteSheet is a sheet of one line: why the part is not there.
func noteSheet(x *excelize.File, sheet string, v *view, key string) error {
	cells := spreadsheet.Cells([]any{v.Note(key)})
	return x.SetSheetRow(sheet, "A1", &cells)
}

func (s *Server) resultsSheet(x *excelize.File, sheet string, v *view, c cycle.Cycle) error {
	d, err := s.summaryResults(v.r, c)
	if err != nil {
		return err
	}
	switch {
	case d == nil:
		return noteSheet(x, sheet, v, "")
	case d.Note != "":
		return noteSheet(x, sheet, v, d.Note)
	}
	return writeResultsSheet(x, sheet, v, d.resultsData)
}

func (s *Server) commentsSheet(x *excelize.File, sheet string, v *view, c cycle.Cycle) error {
	comments, err := s.summaryComments(v.r, c)
	if err != nil {
		return err
	}
	rows, err := newSheetRows(x, sheet)
	if err != nil {
		return err
	}
	if err := rows.head("#", v.T("field.unit"), v.T("summary.published_at"), v.T("field.affirmations"), v.T("field.problems"),
		v.T("field.requirements"), v.T("field.direction")); err != nil {
		return err
	}
	for i, k := range comments {
		var problems []string
		for j, pr := range k.Comment.Problems {
			line := fmt.Sprintf("%d. [%s] ", j+1, v.Severity(pr.Severity))
			if pr.Area != "" {
				line += pr.Area + ": "
			}
			problems = append(problems, line+pr.Text)
		}
		var published string
		if k.Comment.PublishedAt != nil {
			published = v.Time(*k.Comment.PublishedAt)
		}
		if err := rows.add(i+1, k.Report.UnitName, published, k.Comment.Affirmations, strings.Join(problems, "\n"),
			k.Comment.Requirements, k.Comment.Direction); err != nil {
			return err
		}
	}
	return rows.sw.Flush()
}

// findingsSheet lists the cycle's findings within the reader's grants, a
// page of the keyset query at a time.
func (s *Server) findingsSheet(x *excelize.File, sheet string, v *view, c cycle.Cycle) error {
	rows, err := newSheetRows(x, sheet)
	if err != nil {
		return err
	}
	if err := rows.head("#", v.T("summary.finding_no"), v.T("field.unit"), v.T("field.source"), v.T("field.area"), v.T("field.severity"),
		v.T("field.text"), v.T("field.root_cause"), v.T("field.status"), v.T("summary.items")); err != nil {
		return err
	}
	f := store.FindingFilter{Scopes: principal(v.r).Scopes(auth.ReadUnit), CycleID: c.ID, Limit: 500}
	serial := 0
	for {
		page, next, err := s.st.FindingRecords(v.r.Context(), f)
		if err != nil {
			return err
		}
		for _, fd := range page {
			items := make([]string, len(fd.RectificationIDs))
			for i, id := range fd.RectificationIDs {
				items[i] = strconv.FormatInt(id, 10)
			}
			status := "summary.open"
			if fd.Status == finding.Closed {
				status = "summary.closed"
			}
			serial++
			if err := rows.add(serial, fd.ID, fd.UnitName, v.T("source."+string(fd.Source)), fd.Area, v.Severity(fd.Severity),
				fd.Text, fd.RootCause, v.T(status), strings.Join(items, ", ")); err != nil {
				return err
			}
		}
		if next == 0 {
			return rows.sw.Flush()
		}
		f.After = next
	}
}

// ledgerSheet writes the cycle's items the reader may see in the columns
// of the standard ledger (internal/ledger), a page at a time.
func (s *Server) ledgerSheet(x *excelize.File, sheet string, v *view, c cycle.Cycle) error {
	rows, err := newSheetRows(x, sheet)
	if err != nil {
		return err
	}
	for i, col := range ledger.Columns {
		if err := rows.sw.SetColWidth(i+1, i+1, col.Width); err != nil {
			return err
		}
		if col.Hidden {
			if err := rows.sw.SetColVisible(i+1, i+1, false); err != nil {
				return err
			}
		}
	}
	if err := rows.head(ledger.Header(s.cat, v.Locale)...); err != nil {
		return err
	}
	f := store.LedgerFilter{Scopes: principal(v.r).Scopes(auth.ReadUnit), CycleID: c.ID, Limit: ledger.PageSize}
	serial := 0
	for {
		page, next, err := s.st.Ledger(v.r.Context(), f)
		if err != nil {
			return err
		}
		for _, item := range page {
			serial++
			if err := rows.add(ledger.Cells(s.cat, v.Locale, serial, item)...); err != nil {
				return err
			}
		}
		if next == "" || len(page) == 0 {
			return rows.sw.Flush()
		}
		f.After = next
	}
}

func (s *Server) assessmentSheet(x *excelize.File, sheet string, v *view, c cycle.Cycle) error {
	d, err := s.summaryAssessment(v.r, c)
	if err != nil {
		return err
	}
	if d == nil || len(d.Scores) == 0 {
		note := ""
		if d != nil {
			note = d.Note
		}
		return noteSheet(x, sheet, v, note)
	}
	rows, err := newSheetRows(x, sheet)
	if err != nil {
		return err
	}
	head := []any{v.T("field.unit")}
	for _, in := range d.A.Scheme.Indicators {
		head = append(head, in.Name)
	}
	head = append(head, v.T("assessment.total"), v.T("assessment.adjustment"), v.T("field.reason"), v.T("assessment.final"),
		v.T("assessment.grade"), v.T("summary.peer_group"), v.T("assessment.rank"))
	if err := rows.head(head...); err != nil {
		return err
	}
	for _, sc := range d.Scores {
		cells := []any{sc.UnitName}
		for _, in := range d.A.Scheme.Indicators {
			if e := d.Earned(sc, in.Key); e != nil {
				cells = append(cells, assessment.Round2(*e))
			} else {
				cells = append(cells, v.T("assessment.not_applicable"))
			}
		}
		var total, final, rank any = "", "", ""
		if !sc.NoData {
			total, final = assessment.Round2(sc.Total), assessment.Round2(sc.Final)
		}
		if sc.Rank > 0 {
			rank = sc.Rank
		}
		cells = append(cells, total, assessment.Round2(sc.Adjustment), sc.Reason, final, sc.Grade, sc.PeerGroup, rank)
		if err := rows.add(cells...); err != nil {
			return err
		}
	}
	return rows.sw.Flush()
}
