package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/finding"
	"zeren/internal/unit"
)

// CreateFinding records a problem pointed out to a unit in a cycle.
func (s *Store) CreateFinding(ctx context.Context, by audit.Actor, f finding.Finding) (finding.Finding, error) {
	if err := f.Normalize(); err != nil {
		return f, err
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		u, err := tx.unitForUpdate(ctx, f.UnitID)
		if err != nil {
			return apperr.Field("unit_id", "err.no_such_unit", f.UnitID)
		}
		c, err := tx.cycleForUpdate(ctx, f.CycleID, 0)
		if err != nil || !unit.Contains(c.UnitPath, u.Path) {
			return apperr.Field("cycle_id", "err.no_such_cycle", f.CycleID)
		}
		f.CycleYear = c.Year
		return tx.insertFinding(ctx, by, &f, u)
	})
	return f, err
}

// linkCarryOvers puts every finding still open from an earlier cycle into
// its unit's report of the cycle that starts reporting.
func (t *Tx) linkCarryOvers(ctx context.Context, cycleID int64) error {
	_, err := t.exec(ctx, `INSERT INTO report_carryovers (report_id, finding_id)
		SELECT r.id, f.id FROM reports r
		JOIN cycles c ON c.id = r.cycle_id
		JOIN findings f ON f.unit_id = r.unit_id AND f.status = 'open'
		JOIN cycles fc ON fc.id = f.cycle_id AND fc.year < c.year
		WHERE r.cycle_id = ? AND NOT EXISTS (SELECT 1 FROM report_carryovers x WHERE x.report_id = r.id AND x.finding_id = f.id)`, cycleID)
	return err
}

// CarryOvers returns the findings carried into a report, oldest first, with
// the unit's answers.
func (s *Store) CarryOvers(ctx context.Context, reportID int64) ([]finding.CarryOver, error) {
	return carryOvers(ctx, s.read, s, reportID)
}

func carryOvers(ctx context.Context, q querier, s *Store, reportID int64) ([]finding.CarryOver, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT f.id, f.unit_id, f.cycle_id, c.year, f.source, f.area, f.text, f.status, x.response, x.progress
		FROM report_carryovers x JOIN findings f ON f.id = x.finding_id JOIN cycles c ON c.id = f.cycle_id
		WHERE x.report_id = ? ORDER BY c.year, f.id`), reportID)
	if err != nil {
		return nil, fmt.Errorf("carry-overs: %w", err)
	}
	defer rows.Close()
	var out []finding.CarryOver
	for rows.Next() {
		var c finding.CarryOver
		f := &c.Finding
		if err := rows.Scan(&f.ID, &f.UnitID, &f.CycleID, &f.CycleYear, &f.Source, &f.Area, &f.Text, &f.Status, &c.Response, &c.Progress); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Answer is a report's answer to one carried-over finding.
type Answer struct {
	FindingID int64            `json:"finding_id"`
	Response  string           `json:"response"`
	Progress  finding.Progress `json:"progress"`
}

func (a Answer) check() error {
	if utf8.RuneCountInString(a.Response) > finding.MaxResponseLen {
		return apperr.Field("response", "err.too_long", finding.MaxResponseLen)
	}
	if a.Progress != "" && !a.Progress.Valid() {
		return apperr.Field("progress", "err.unknown_progress")
	}
	return nil
}

func (t *Tx) saveAnswers(ctx context.Context, reportID int64, answers []Answer) error {
	for _, a := range answers {
		res, err := t.exec(ctx, `UPDATE report_carryovers SET response = ?, progress = ? WHERE report_id = ? AND finding_id = ?`,
			strings.TrimSpace(a.Response), string(a.Progress), reportID, a.FindingID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Field("finding_id", "err.not_carried_over", a.FindingID)
		}
	}
	return nil
}

// unanswered lists the carried-over findings a report has not answered yet.
func (t *Tx) unanswered(ctx context.Context, reportID int64) ([]string, error) {
	cs, err := carryOvers(ctx, t.tx, t.s, reportID)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, c := range cs {
		if !c.Answered() {
			text := []rune(c.Finding.Text)
			if len(text) > 30 {
				text = append(text[:30], '…')
			}
			out = append(out, fmt.Sprintf("%d. %s", i+1, string(text)))
		}
	}
	return out, nil
}
