package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/report"
	"zeren/internal/unit"
)

const reportCols = `r.id, r.cycle_id, r.unit_id, un.name, un.path, r.status, r.return_reason, r.submissions,
	r.submitted_at, r.version, r.updated_at, (SELECT cu.path FROM cycles cy JOIN units cu ON cu.id = cy.unit_id WHERE cy.id = r.cycle_id)`

func scanReport(row interface{ Scan(...any) error }) (report.Report, error) {
	var r report.Report
	var submitted sql.NullInt64
	var updated int64
	err := row.Scan(&r.ID, &r.CycleID, &r.UnitID, &r.UnitName, &r.UnitPath, &r.Status, &r.ReturnReason, &r.Submissions,
		&submitted, &r.Version, &updated, &r.CyclePath)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "err.not_found")
	}
	if submitted.Valid {
		t := fromUnix(submitted.Int64)
		r.SubmittedAt = &t
	}
	r.UpdatedAt = fromUnix(updated)
	return r, err
}

// Report returns a report with its sections, one per area of the cycle.
func (s *Store) Report(ctx context.Context, id int64) (report.Report, error) {
	r, err := scanReport(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+reportCols+` FROM reports r JOIN units un ON un.id = r.unit_id WHERE r.id = ?`), id))
	if err != nil {
		return r, err
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT a.id, a.name, COALESCE(rs.achievements, ''), COALESCE(rs.problems, ''), COALESCE(rs.next_steps, '')
		FROM cycle_areas a LEFT JOIN report_sections rs ON rs.area_id = a.id AND rs.report_id = ?
		WHERE a.cycle_id = ? ORDER BY a.position`), id, r.CycleID)
	if err != nil {
		return r, fmt.Errorf("report sections: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sec report.Section
		if err := rows.Scan(&sec.AreaID, &sec.AreaName, &sec.Achievements, &sec.Problems, &sec.NextSteps); err != nil {
			return r, err
		}
		r.Sections = append(r.Sections, sec)
	}
	return r, rows.Err()
}

func (t *Tx) reportForUpdate(ctx context.Context, id, version int64) (report.Report, error) {
	lock := t.forUpdate("r")
	r, err := scanReport(t.queryRow(ctx, `SELECT `+reportCols+` FROM reports r JOIN units un ON un.id = r.unit_id WHERE r.id = ?`+lock, id))
	if err == nil && version != 0 && r.Version != version {
		err = staleVersion()
	}
	return r, err
}

// CycleReports lists a cycle's reports within the reader's scopes, in
// agenda order: on-the-spot first, in their order, then the written ones.
func (s *Store) CycleReports(ctx context.Context, cycleID int64, scopes []string) ([]report.Report, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	scope, args := scopeClause("un.path", scopes)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+reportCols+` FROM reports r JOIN units un ON un.id = r.unit_id
		JOIN participants p ON p.cycle_id = r.cycle_id AND p.unit_id = r.unit_id
		WHERE r.cycle_id = ? AND `+scope+`
		ORDER BY CASE p.mode WHEN 'on_the_spot' THEN 0 ELSE 1 END, p.position, un.path`), append([]any{cycleID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("cycle reports: %w", err)
	}
	return collect(rows, scanReport)
}

// createReports makes a draft report for every participant without one,
// carrying into it the unit's findings still open; run when a cycle starts
// reporting.
func (t *Tx) createReports(ctx context.Context, cycleID int64) error {
	now := unix(t.s.Now())
	_, err := t.exec(ctx, `INSERT INTO reports (cycle_id, unit_id, created_at, updated_at)
		SELECT p.cycle_id, p.unit_id, ?, ? FROM participants p
		WHERE p.cycle_id = ? AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.cycle_id = p.cycle_id AND r.unit_id = p.unit_id)`,
		now, now, cycleID)
	if err != nil {
		return err
	}
	return t.linkCarryOvers(ctx, cycleID)
}

// missingReports names the participants that are neither excused nor have
// handed in their report.
func (t *Tx) missingReports(ctx context.Context, cycleID int64) ([]string, error) {
	rows, err := t.tx.QueryContext(ctx, t.s.q(`SELECT un.name FROM participants p JOIN units un ON un.id = p.unit_id
		LEFT JOIN reports r ON r.cycle_id = p.cycle_id AND r.unit_id = p.unit_id
		WHERE p.cycle_id = ? AND p.excused = '' AND (r.status IS NULL OR r.status NOT IN ('submitted', 'accepted'))
		ORDER BY un.path`), cycleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// SaveReport stores the unit's text while the report is a draft or returned.
// answers, if any, answer the findings carried over into the report.
func (s *Store) SaveReport(ctx context.Context, by audit.Actor, id, version int64, sections []report.Section, answers ...Answer) (report.Report, error) {
	for _, sec := range sections {
		if err := sec.Check(); err != nil {
			return report.Report{}, err
		}
	}
	for _, a := range answers {
		if err := a.check(); err != nil {
			return report.Report{}, err
		}
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.reportForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		if !before.Status.Editable() {
			return apperr.New(apperr.Conflict, "err.report_not_editable", string(before.Status))
		}
		for _, sec := range sections {
			var ok int
			err := tx.queryRow(ctx, `SELECT 1 FROM cycle_areas WHERE id = ? AND cycle_id = ?`, sec.AreaID, before.CycleID).Scan(&ok)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Field("area_id", "err.no_such_area", sec.AreaID)
			}
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `DELETE FROM report_sections WHERE report_id = ? AND area_id = ?`, id, sec.AreaID); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO report_sections (report_id, area_id, achievements, problems, next_steps) VALUES (?, ?, ?, ?, ?)`,
				id, sec.AreaID, sec.Achievements, sec.Problems, sec.NextSteps); err != nil {
				return err
			}
		}
		if err := tx.saveAnswers(ctx, id, answers); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE reports SET version = version + 1, updated_at = ? WHERE id = ?`, unix(s.Now()), id); err != nil {
			return err
		}
		u := unit.Unit{ID: before.UnitID, Path: before.UnitPath}
		return tx.audit(ctx, by, change{action: "report.save", objectType: "report", objectID: id, unit: &u,
			after: map[string]any{"sections": sections, "answers": answers}})
	})
	if err != nil {
		return report.Report{}, err
	}
	return s.Report(ctx, id)
}

// MoveReport applies a workflow transition: the unit leader submits (a copy
// of the report is kept as a version), the organizer returns it with a
// reason or accepts it.
func (s *Store) MoveReport(ctx context.Context, by audit.Actor, id, version int64, t report.Transition, reason string) (report.Report, error) {
	reason = strings.TrimSpace(reason)
	if t == report.Return {
		switch n := utf8.RuneCountInString(reason); {
		case n == 0:
			return report.Report{}, apperr.Field("reason", "err.required")
		case n > report.MaxReasonLen:
			return report.Report{}, apperr.Field("reason", "err.too_long", report.MaxReasonLen)
		}
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.reportForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		to, err := report.Apply(before.Status, t)
		if err != nil {
			return err
		}
		var c cycle.Cycle
		if c, err = tx.cycleForUpdate(ctx, before.CycleID, 0); err != nil {
			return err
		}
		if t == report.Submit && c.Status != cycle.Reporting && c.Status != cycle.Reviewing {
			return apperr.New(apperr.Conflict, "err.cycle_not_reporting")
		}
		now := unix(s.Now())
		switch t {
		case report.Submit:
			missing, err := tx.unanswered(ctx, id)
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return apperr.New(apperr.Conflict, "err.carryover_unanswered", len(missing), strings.Join(missing, "；"))
			}
			full, err := s.reportIn(ctx, tx, id)
			if err != nil {
				return err
			}
			body, _ := json.Marshal(full.Sections)
			if _, err := tx.exec(ctx, `INSERT INTO report_versions (report_id, n, body, submitted_at, submitted_by) VALUES (?, ?, ?, ?, ?)`,
				id, before.Submissions+1, string(body), now, by.UserID); err != nil {
				return err
			}
			_, err = tx.exec(ctx, `UPDATE reports SET status = ?, submissions = submissions + 1, submitted_at = ?, return_reason = '',
				version = version + 1, updated_at = ? WHERE id = ?`, string(to), now, now, id)
			if err != nil {
				return err
			}
			if err := tx.checkSimilarity(ctx, before, full.Sections); err != nil {
				return err
			}
		default:
			if _, err := tx.exec(ctx, `UPDATE reports SET status = ?, return_reason = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				string(to), reason, now, id); err != nil {
				return err
			}
		}
		u := unit.Unit{ID: before.UnitID, Path: before.UnitPath}
		return tx.audit(ctx, by, change{action: "report." + string(t), objectType: "report", objectID: id, unit: &u,
			before: map[string]any{"status": before.Status}, after: map[string]any{"status": to, "reason": reason}})
	})
	if err != nil {
		return report.Report{}, err
	}
	return s.Report(ctx, id)
}

// reportIn reads a report's sections inside a transaction.
func (s *Store) reportIn(ctx context.Context, tx *Tx, id int64) (report.Report, error) {
	r := report.Report{ID: id}
	rows, err := tx.tx.QueryContext(ctx, s.q(`SELECT rs.area_id, a.name, rs.achievements, rs.problems, rs.next_steps
		FROM report_sections rs JOIN cycle_areas a ON a.id = rs.area_id WHERE rs.report_id = ? ORDER BY a.position`), id)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var sec report.Section
		if err := rows.Scan(&sec.AreaID, &sec.AreaName, &sec.Achievements, &sec.Problems, &sec.NextSteps); err != nil {
			return r, err
		}
		r.Sections = append(r.Sections, sec)
	}
	return r, rows.Err()
}

// ReportVersion is one submission of a report.
type ReportVersion struct {
	N           int              `json:"n"`
	SubmittedAt int64            `json:"-"`
	SubmittedBy int64            `json:"submitted_by"`
	Sections    []report.Section `json:"sections"`
}

// ReportVersions returns every submission of a report, oldest first.
func (s *Store) ReportVersions(ctx context.Context, id int64) ([]ReportVersion, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT n, body, submitted_at, submitted_by FROM report_versions WHERE report_id = ? ORDER BY n`), id)
	if err != nil {
		return nil, fmt.Errorf("report versions: %w", err)
	}
	defer rows.Close()
	var out []ReportVersion
	for rows.Next() {
		var v ReportVersion
		var body string
		if err := rows.Scan(&v.N, &body, &v.SubmittedAt, &v.SubmittedBy); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &v.Sections); err != nil {
			return nil, fmt.Errorf("report %d version %d: %w", id, v.N, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
