package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"zeren/internal/action"

	"github.com/xuri/excelize/v2"

	"zeren/internal/appraisal"
	"zeren/internal/cycle"
	"zeren/internal/report"
	"zeren/internal/spreadsheet"
)

// resultsData is a closed appraisal's results, per report in agenda order.
type resultsData struct {
	Cycle     cycle.Cycle
	A         appraisal.Appraisal
	Rows      []resultRow
	Areas     []cycle.Area
	Turnout   []appraisal.Turnout
	Chart     template.JS // the chart's data, as JSON for the page's script
	Commented bool        // some ballot has a comment shown
}

type resultRow struct {
	Report report.Report
	appraisal.Result
}

// Share formats a share of the valid ballots.
func (v *view) Share(f float64) string { return fmt.Sprintf("%.1f%%", f) }

// Score formats a score, or a dash for none.
func (v *view) Score(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.2f", *f)
}

// loadResults reads the results of the {id} appraisal for a reader of them.
func (s *Server) loadResults(r *http.Request) (resultsData, error) {
	c, a, err := s.readableAppraisal(r)
	if err != nil {
		return resultsData{}, err
	}
	if err := action.Check(principal(r), action.AppraisalResults, action.CycleAt(c.UnitPath)); err != nil {
		return resultsData{}, err
	}
	d := resultsData{Cycle: c, A: a}
	results, reports, err := s.st.Results(r.Context(), a)
	if err != nil {
		return d, err
	}
	for i := range results {
		d.Rows = append(d.Rows, resultRow{Report: reports[i], Result: results[i]})
		d.Commented = d.Commented || len(results[i].Comments) > 0
	}
	if a.AreaGrades {
		if d.Areas, err = s.st.Areas(r.Context(), c.ID); err != nil {
			return d, err
		}
	}
	d.Turnout, err = s.st.Turnout(r.Context(), a)
	return d, err
}

func (s *Server) results(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadResults(r)
	if err != nil {
		return err
	}
	v := s.newView(w, r, "title.results", nil)
	// The chart: one bar per report with a score, stacked by the grades' shares.
	type series struct {
		Name string    `json:"name"`
		Data []float64 `json:"data"`
	}
	chart := struct {
		Units  []string  `json:"units"`
		Scores []float64 `json:"scores"`
		Series []series  `json:"series"`
		Score  string    `json:"score_label"`
	}{Score: v.T("results.score")}
	for _, g := range d.A.Scale {
		chart.Series = append(chart.Series, series{Name: v.GradeLabel(g)})
	}
	for _, row := range d.Rows {
		if row.Hidden {
			continue
		}
		chart.Units = append(chart.Units, row.Report.UnitName)
		chart.Scores = append(chart.Scores, deref(row.Score))
		for i := range chart.Series {
			chart.Series[i].Data = append(chart.Series[i].Data, row.Shares[i])
		}
	}
	b, err := json.Marshal(chart)
	if err != nil {
		return err
	}
	d.Chart = template.JS(b)
	v.Data = d
	v.Title = d.Cycle.Title + " · " + v.T("title.results")
	return s.render(w, http.StatusOK, "results", v)
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// writeResultsSheet streams the results to the sheet of x: a title row,
// then one row per report with the counts and shares per grade, the score
// and the rank, or the reason it shows none. The cycle's summary workbook
// writes the same sheet.
func writeResultsSheet(x *excelize.File, sheet string, v *view, d resultsData) error {
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head := []any{"#", v.T("field.unit"), v.T("results.ballots"), v.T("results.valid"), v.T("grade.dont_know")}
	for _, g := range d.A.Scale {
		head = append(head, v.GradeLabel(g), v.GradeLabel(g)+" %")
	}
	head = append(head, v.T("results.score"), v.T("results.rank"))
	if err := sw.SetRow("A1", spreadsheet.Cells(head)); err != nil {
		return err
	}
	for i, row := range d.Rows {
		cells := []any{i + 1, row.Report.UnitName, row.Ballots, row.Valid}
		if row.Hidden {
			cells = append(cells, v.T("results.below_minimum", d.A.MinBallots))
		} else {
			cells = append(cells, row.Counts[appraisal.DontKnow])
			for g := range d.A.Scale {
				cells = append(cells, row.Counts[g+1], row.Shares[g])
			}
			if row.Score != nil {
				cells = append(cells, *row.Score, row.Rank)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, spreadsheet.Cells(cells)); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// resultsExcel exports the results: one row per report, with the counts and
// shares per grade, the score and the rank, and a second sheet of comments.
func (s *Server) resultsExcel(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadResults(r)
	if err != nil {
		return err
	}
	v := s.newView(w, r, "title.results", d)
	x := excelize.NewFile()
	defer x.Close()
	sheet := v.T("results.sheet")
	x.SetSheetName("Sheet1", sheet)
	if err := writeResultsSheet(x, sheet, v, d); err != nil {
		return err
	}
	comments := v.T("results.comments")
	if _, err := x.NewSheet(comments); err != nil {
		return err
	}
	n := 1
	head := spreadsheet.Cells([]any{v.T("field.unit"), v.T("results.comment")})
	_ = x.SetSheetRow(comments, "A1", &head)
	for _, row := range d.Rows {
		for _, c := range row.Comments {
			n++
			cell, _ := excelize.CoordinatesToCellName(1, n)
			cells := spreadsheet.Cells([]any{row.Report.UnitName, c})
			if err := x.SetSheetRow(comments, cell, &cells); err != nil {
				return err
			}
		}
	}
	name := fmt.Sprintf("%d-%s.xlsx", d.Cycle.Year, v.T("results.sheet"))
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	return x.Write(w)
}
