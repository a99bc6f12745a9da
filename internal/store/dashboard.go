package store

import (
	"context"
	"encoding/json"
	"fmt"

	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/report"
	"zeren/internal/unit"
)

// The dashboards read counters only: the roll-ups of items (rollups,
// rollup_deadlines) and of findings (rollup_findings), kept per unit's
// subtree, and the small per-cycle tables (reports, assessment scores).
// No view scans the items or the findings.

// FindingTally is a subtree's findings in a cycle of one source and area.
type FindingTally struct {
	Source finding.Source `json:"source"`
	Area   string         `json:"area"`
	Total  int            `json:"total"`
	Closed int            `json:"closed"`
}

// FindingTallies reads a unit's subtree's findings in a cycle by source and
// area, from their counters.
func (s *Store) FindingTallies(ctx context.Context, unitID, cycleID int64) ([]FindingTally, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT source, area, total, closed FROM rollup_findings
		WHERE unit_id = ? AND cycle_id = ? AND total <> 0 ORDER BY source, area`), unitID, cycleID)
	if err != nil {
		return nil, fmt.Errorf("finding counts: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (FindingTally, error) {
		var c FindingTally
		return c, r.Scan(&c.Source, &c.Area, &c.Total, &c.Closed)
	})
}

// ReportCounts counts a cycle's reports by status within a subtree.
func (s *Store) ReportCounts(ctx context.Context, cycleID int64, path string) (map[report.Status]int, error) {
	lo, hi := unit.SubtreeRange(path)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT r.status, COUNT(*) FROM reports r JOIN units un ON un.id = r.unit_id
		WHERE r.cycle_id = ? AND un.path >= ? AND un.path < ? GROUP BY r.status`), cycleID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("report counts: %w", err)
	}
	defer rows.Close()
	out := map[report.Status]int{}
	for rows.Next() {
		var st report.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// OverdueBuckets are the bounds, in days overdue, of the heat map's
// columns: up to 30 days, 31–90, 91–180, more.
var OverdueBuckets = []int{30, 90, 180}

// ChildFigures is a child unit's figures in a cycle, for the drill-down and
// the heat map: its subtree's roll-up and its open items by days overdue
// (len(OverdueBuckets)+1 columns).
type ChildFigures struct {
	Unit    unit.Unit           `json:"unit"`
	Stats   rectification.Stats `json:"stats"`
	Overdue []int               `json:"overdue"`
}

// ChildStats reads the figures of a unit's children in a cycle (0: every
// cycle), from the counters: one query for the roll-ups, one for the
// deadline days.
func (s *Store) ChildStats(ctx context.Context, parentID, cycleID int64) ([]ChildFigures, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+unitCols+` FROM units u WHERE u.parent_id = ? AND NOT u.archived ORDER BY u.path`), parentID)
	if err != nil {
		return nil, fmt.Errorf("children: %w", err)
	}
	kids, err := collect(rows, func(r interface{ Scan(...any) error }) (unit.Unit, error) { return scanUnit(r) })
	if err != nil || len(kids) == 0 {
		return nil, err
	}
	at := map[int64]int{}
	out := make([]ChildFigures, len(kids))
	for i, u := range kids {
		at[u.ID] = i
		out[i] = ChildFigures{Unit: u, Overdue: make([]int, len(OverdueBuckets)+1)}
	}
	cycle, args := "", []any{parentID}
	if cycleID != 0 {
		cycle, args = " AND r.cycle_id = ?", append(args, cycleID)
	}
	rows, err = s.rd(ctx).QueryContext(ctx, s.q(`SELECT r.unit_id, SUM(r.total), SUM(r.planning), SUM(r.in_progress), SUM(r.awaiting),
		SUM(r.closed), SUM(r.closed_on_time), SUM(r.days_to_close)
		FROM rollups r JOIN units u ON u.id = r.unit_id WHERE u.parent_id = ?`+cycle+` GROUP BY r.unit_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("child roll-ups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st rectification.Stats
		if err := rows.Scan(&id, &st.Total, &st.Planning, &st.InProgress, &st.Awaiting, &st.Closed, &st.ClosedOnTime, &st.DaysToClose); err != nil {
			return nil, err
		}
		if i, ok := at[id]; ok {
			out[i].Stats = st
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Open items by deadline day: overdue by bucket, and due soon.
	today := s.Now()
	day, soon := today.Format(rectification.Date), s.soonDay(today)
	bounds := make([]string, len(OverdueBuckets))
	for i, n := range OverdueBuckets {
		bounds[i] = rectification.Day(today).AddDate(0, 0, -n).Format(rectification.Date)
	}
	rows, err = s.rd(ctx).QueryContext(ctx, s.q(`SELECT r.unit_id, r.day, SUM(r.open) FROM rollup_deadlines r JOIN units u ON u.id = r.unit_id
		WHERE u.parent_id = ?`+cycle+` AND r.day <= ? GROUP BY r.unit_id, r.day`), append(args, soon)...)
	if err != nil {
		return nil, fmt.Errorf("child deadlines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d string
		var n int
		if err := rows.Scan(&id, &d, &n); err != nil {
			return nil, err
		}
		i, ok := at[id]
		if !ok {
			continue
		}
		if d >= day {
			out[i].Stats.DueSoon += n
			continue
		}
		out[i].Stats.Overdue += n
		b := len(bounds)
		for j, lo := range bounds {
			if d >= lo { // overdue by OverdueBuckets[j] days or fewer
				b = j
				break
			}
		}
		out[i].Overdue[b] += n
	}
	for i := range out {
		out[i].Stats.Finish()
	}
	return out, rows.Err()
}

// HistoryRow is a unit's figures in one cycle: its subtree's
// rectification roll-up and, where the cycle was assessed, its score.
type HistoryRow struct {
	CycleID   int64               `json:"cycle_id"`
	Year      int                 `json:"year"`
	Title     string              `json:"title"`
	Stats     rectification.Stats `json:"stats"`
	Findings  int                 `json:"findings"`
	Appraisal *float64            `json:"appraisal"` // the appraisal score the assessment used
	Final     *float64            `json:"final"`     // the assessment's final score, once computed
	Grade     string              `json:"grade,omitempty"`
	Published bool                `json:"published"`
}

// UnitHistory reads a unit's figures in every cycle it has items in or was
// assessed in, oldest first: counters and stored scores only.
func (s *Store) UnitHistory(ctx context.Context, unitID int64) ([]HistoryRow, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT c.id, c.year, c.title, r.total, r.planning, r.in_progress, r.awaiting, r.closed,
		r.closed_on_time, r.days_to_close, x.final, x.grade, x.result, a.status
		FROM cycles c
		LEFT JOIN rollups r ON r.cycle_id = c.id AND r.unit_id = ?
		LEFT JOIN assessments a ON a.cycle_id = c.id
		LEFT JOIN assessment_scores x ON x.assessment_id = a.id AND x.unit_id = ?
		WHERE r.unit_id IS NOT NULL OR x.unit_id IS NOT NULL
		ORDER BY c.year, c.id`), unitID, unitID)
	if err != nil {
		return nil, fmt.Errorf("unit history: %w", err)
	}
	var out []HistoryRow
	byCycle := map[int64]int{}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var h HistoryRow
			var counts [7]*int
			var final *float64
			var grade, result, status *string
			if err := rows.Scan(&h.CycleID, &h.Year, &h.Title, &counts[0], &counts[1], &counts[2], &counts[3], &counts[4], &counts[5], &counts[6],
				&final, &grade, &result, &status); err != nil {
				return err
			}
			v := func(p *int) int {
				if p == nil {
					return 0
				}
				return *p
			}
			h.Stats = rectification.Stats{Total: v(counts[0]), Planning: v(counts[1]), InProgress: v(counts[2]), Awaiting: v(counts[3]),
				Closed: v(counts[4]), ClosedOnTime: v(counts[5]), DaysToClose: v(counts[6])}
			if final != nil && grade != nil {
				h.Final, h.Grade = final, *grade
				h.Published = status != nil && *status == "published"
				h.Appraisal = appraisalValue(*result)
			}
			byCycle[h.CycleID] = len(out)
			out = append(out, h)
		}
		return rows.Err()
	}()
	if err != nil || len(out) == 0 {
		return out, err
	}
	// Overdue and due soon for today, from the deadline counters.
	today := s.Now()
	rows, err = s.rd(ctx).QueryContext(ctx, s.q(`SELECT cycle_id, SUM(CASE WHEN day < ? THEN open ELSE 0 END),
		SUM(CASE WHEN day >= ? AND day <= ? THEN open ELSE 0 END) FROM rollup_deadlines WHERE unit_id = ? GROUP BY cycle_id`),
		today.Format(rectification.Date), today.Format(rectification.Date), s.soonDay(today), unitID)
	if err != nil {
		return nil, fmt.Errorf("unit history deadlines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var overdue, soon int
		if err := rows.Scan(&id, &overdue, &soon); err != nil {
			return nil, err
		}
		if i, ok := byCycle[id]; ok {
			out[i].Stats.Overdue, out[i].Stats.DueSoon = overdue, soon
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	findings, err := s.FindingTotals(ctx, unitID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Stats.Finish()
		out[i].Findings = findings[out[i].CycleID].Total
	}
	return out, nil
}

// appraisalValue reads the appraisal score an assessment result used.
func appraisalValue(result string) *float64 {
	// The result is JSON of assessment.Result; only its appraisal line's
	// value is needed, so a small struct decodes it.
	var r struct {
		Lines []struct {
			Source string   `json:"source"`
			Value  *float64 `json:"value"`
		} `json:"lines"`
	}
	if err := json.Unmarshal([]byte(result), &r); err != nil {
		return nil
	}
	for _, l := range r.Lines {
		if l.Source == "appraisal" {
			return l.Value
		}
	}
	return nil
}

// GradeCounts counts a cycle's assessment grades within a subtree.
func (s *Store) GradeCounts(ctx context.Context, cycleID int64, path string) (map[string]int, error) {
	lo, hi := unit.SubtreeRange(path)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT x.grade, COUNT(*) FROM assessment_scores x JOIN assessments a ON a.id = x.assessment_id
		JOIN units un ON un.id = x.unit_id WHERE a.cycle_id = ? AND un.path >= ? AND un.path < ? AND x.grade <> '' GROUP BY x.grade`), cycleID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("grade counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			return nil, err
		}
		out[g] = n
	}
	return out, rows.Err()
}

// FindingTotals reads a unit's subtree's findings per cycle, total and
// closed, from their counters (rollup_findings, one index range): findings,
// not items, as a split finding has several.
func (s *Store) FindingTotals(ctx context.Context, unitID int64) (map[int64]FindingTally, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT cycle_id, SUM(total), SUM(closed) FROM rollup_findings
		WHERE unit_id = ? GROUP BY cycle_id`), unitID)
	if err != nil {
		return nil, fmt.Errorf("finding totals: %w", err)
	}
	defer rows.Close()
	out := map[int64]FindingTally{}
	for rows.Next() {
		var id int64
		var t FindingTally
		if err := rows.Scan(&id, &t.Total, &t.Closed); err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, rows.Err()
}
