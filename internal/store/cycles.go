package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/unit"
)

const cycleCols = `c.id, c.unit_id, un.name, un.path, c.year, c.title, c.status, c.deadline, c.severities, c.stall_days, c.version, c.created_at, c.updated_at`

func scanCycle(row interface{ Scan(...any) error }) (cycle.Cycle, error) {
	var c cycle.Cycle
	var created, updated int64
	var severities string
	err := row.Scan(&c.ID, &c.UnitID, &c.UnitName, &c.UnitPath, &c.Year, &c.Title, &c.Status, &c.Deadline, &severities, &c.StallDays, &c.Version, &created, &updated)
	c.Severities = splitScale(severities)
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	if errors.Is(err, sql.ErrNoRows) {
		err = apperr.New(apperr.NotFound, "err.not_found")
	}
	return c, err
}

// Cycle returns one cycle.
func (s *Store) Cycle(ctx context.Context, id int64) (cycle.Cycle, error) {
	return scanCycle(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+cycleCols+` FROM cycles c JOIN units un ON un.id = c.unit_id WHERE c.id = ?`), id))
}

func (t *Tx) cycleForUpdate(ctx context.Context, id, version int64) (cycle.Cycle, error) {
	lock := t.forUpdate("c")
	c, err := scanCycle(t.queryRow(ctx, `SELECT `+cycleCols+` FROM cycles c JOIN units un ON un.id = c.unit_id WHERE c.id = ?`+lock, id))
	if err == nil && version != 0 && c.Version != version {
		err = staleVersion()
	}
	return c, err
}

// Cycles lists the cycles a reader may see, newest year first: those run by
// a unit in their scopes, and those in which a unit in their scopes takes part.
func (s *Store) Cycles(ctx context.Context, scopes []string) ([]cycle.Cycle, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	own, args := scopeClause("un.path", scopes)
	part, more := scopeClause("pu.path", scopes)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+cycleCols+` FROM cycles c JOIN units un ON un.id = c.unit_id
		WHERE `+own+` OR EXISTS (SELECT 1 FROM participants p JOIN units pu ON pu.id = p.unit_id
			WHERE p.cycle_id = c.id AND `+part+`)
		ORDER BY c.year DESC, c.id DESC LIMIT 200`), append(args, more...)...)
	if err != nil {
		return nil, fmt.Errorf("cycles: %w", err)
	}
	return collect(rows, scanCycle)
}

// CreateCycle starts a cycle in planning under a unit, with the seed areas.
func (s *Store) CreateCycle(ctx context.Context, by audit.Actor, unitID int64, d cycle.Draft) (cycle.Cycle, error) {
	if err := d.Normalize(); err != nil {
		return cycle.Cycle{}, err
	}
	var id int64
	err := s.Tx(ctx, func(tx *Tx) error {
		u, err := tx.unitForUpdate(ctx, unitID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("unit_id", "err.no_such_unit", unitID)
		}
		if err != nil {
			return err
		}
		now := unix(s.Now())
		err = tx.queryRow(ctx, `INSERT INTO cycles (unit_id, year, title, deadline, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, unitID, d.Year, d.Title, d.Deadline, now, now).Scan(&id)
		if isUniqueViolation(err) {
			return apperr.Field("year", "err.cycle_exists", d.Year)
		}
		if err != nil {
			return fmt.Errorf("insert cycle: %w", err)
		}
		if err := tx.replaceAreas(ctx, id, cycle.SeedAreas); err != nil {
			return err
		}
		c, err := tx.cycleForUpdate(ctx, id, 0)
		if err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "cycle.create", objectType: "cycle", objectID: id, unit: &u, after: c})
	})
	if err != nil {
		return cycle.Cycle{}, err
	}
	return s.Cycle(ctx, id)
}

// UpdateCycle changes a cycle's year, title and deadline.
func (s *Store) UpdateCycle(ctx context.Context, by audit.Actor, id, version int64, d cycle.Draft) (cycle.Cycle, error) {
	if err := d.Normalize(); err != nil {
		return cycle.Cycle{}, err
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.cycleForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		if before.Status == cycle.Closed {
			return apperr.New(apperr.Conflict, "err.cycle_closed")
		}
		_, err = tx.exec(ctx, `UPDATE cycles SET year = ?, title = ?, deadline = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			d.Year, d.Title, d.Deadline, unix(s.Now()), id)
		if isUniqueViolation(err) {
			return apperr.Field("year", "err.cycle_exists", d.Year)
		}
		if err != nil {
			return err
		}
		return tx.auditCycle(ctx, by, "cycle.update", before, nil)
	})
	if err != nil {
		return cycle.Cycle{}, err
	}
	return s.Cycle(ctx, id)
}

// auditCycle records a change of a cycle, with its state after the change
// and any detail (areas, participants).
func (t *Tx) auditCycle(ctx context.Context, by audit.Actor, action string, before cycle.Cycle, detail any) error {
	after, err := t.cycleForUpdate(ctx, before.ID, 0)
	if err != nil {
		return err
	}
	u := unit.Unit{ID: after.UnitID, Path: after.UnitPath}
	var a any = after
	if detail != nil {
		a = map[string]any{"cycle": after, "detail": detail}
	}
	return t.audit(ctx, by, change{action: action, objectType: "cycle", objectID: before.ID, unit: &u, before: before, after: a})
}

// Areas returns a cycle's responsibility areas in order.
func (s *Store) Areas(ctx context.Context, cycleID int64) ([]cycle.Area, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id, position, name FROM cycle_areas WHERE cycle_id = ? ORDER BY position`), cycleID)
	if err != nil {
		return nil, fmt.Errorf("areas: %w", err)
	}
	defer rows.Close()
	var out []cycle.Area
	for rows.Next() {
		var a cycle.Area
		if err := rows.Scan(&a.ID, &a.Position, &a.Name); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *Tx) replaceAreas(ctx context.Context, cycleID int64, names []string) error {
	if _, err := t.exec(ctx, `DELETE FROM cycle_areas WHERE cycle_id = ?`, cycleID); err != nil {
		return err
	}
	for i, n := range names {
		if _, err := t.exec(ctx, `INSERT INTO cycle_areas (cycle_id, position, name) VALUES (?, ?, ?)`, cycleID, i+1, n); err != nil {
			return err
		}
	}
	return nil
}

// SetAreas replaces a cycle's areas; only while planning.
func (s *Store) SetAreas(ctx context.Context, by audit.Actor, id, version int64, names []string) error {
	names, err := cycle.CheckAreas(names)
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.cycleForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		if before.Status != cycle.Planning {
			return apperr.New(apperr.Conflict, "err.only_while_planning")
		}
		if err := tx.replaceAreas(ctx, id, names); err != nil {
			return err
		}
		if err := tx.bumpCycle(ctx, id); err != nil {
			return err
		}
		return tx.auditCycle(ctx, by, "cycle.areas", before, names)
	})
}

// SetSeverities replaces a cycle's severity scale (none: the default);
// only while planning, as its areas, so that every finding of the cycle is
// graded on one scale.
func (s *Store) SetSeverities(ctx context.Context, by audit.Actor, id, version int64, labels []string) error {
	labels, err := finding.CheckScale(labels)
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.cycleForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		if before.Status != cycle.Planning {
			return apperr.New(apperr.Conflict, "err.only_while_planning")
		}
		if _, err := tx.exec(ctx, `UPDATE cycles SET severities = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			strings.Join(labels, "\n"), unix(s.Now()), id); err != nil {
			return err
		}
		return tx.auditCycle(ctx, by, "cycle.severities", before, labels)
	})
}

// checkFindingCycle holds the rules a finding's cycle sets: none is added
// to a closed cycle, whose figures were assessed; a severity is a level of
// the cycle's scale; a report named is the unit's report of that cycle.
// It also settles the level that raised the finding (finding.RaisingLevel).
func (t *Tx) checkFindingCycle(ctx context.Context, f *finding.Finding) error {
	var labels, status string
	var cycleUnit int64
	if err := t.queryRow(ctx, `SELECT severities, status, unit_id FROM cycles WHERE id = ?`, f.CycleID).Scan(&labels, &status, &cycleUnit); err != nil {
		return fmt.Errorf("finding cycle: %w", err)
	}
	f.RaisedBy = finding.RaisingLevel(f.Source, f.UnitID, cycleUnit, f.RaisedBy)
	if cycle.Status(status) == cycle.Closed {
		return apperr.New(apperr.Conflict, "err.cycle_closed")
	}
	if f.Severity != "" && !f.Severity.In(finding.Scale(splitScale(labels))) {
		return apperr.Field("severity", "err.unknown_severity")
	}
	if f.ReportID != 0 {
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM reports WHERE id = ? AND unit_id = ? AND cycle_id = ?`,
			f.ReportID, f.UnitID, f.CycleID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.Field("report_id", "err.report_of_other_unit")
		}
	}
	return nil
}

// splitScale reads a stored severity scale: one label per line.
func splitScale(stored string) []string {
	if stored == "" {
		return nil
	}
	return strings.Split(stored, "\n")
}

func (t *Tx) bumpCycle(ctx context.Context, id int64) error {
	_, err := t.exec(ctx, `UPDATE cycles SET version = version + 1, updated_at = ? WHERE id = ?`, unix(t.s.Now()), id)
	return err
}

// Participants returns a cycle's units: on-the-spot ones in their order,
// then the written ones.
func (s *Store) Participants(ctx context.Context, cycleID int64) ([]cycle.Participant, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT p.unit_id, un.name, un.path, p.mode, p.position, p.excused
		FROM participants p JOIN units un ON un.id = p.unit_id WHERE p.cycle_id = ?
		ORDER BY CASE p.mode WHEN 'on_the_spot' THEN 0 ELSE 1 END, p.position, un.path`), cycleID)
	if err != nil {
		return nil, fmt.Errorf("participants: %w", err)
	}
	defer rows.Close()
	var out []cycle.Participant
	for rows.Next() {
		var p cycle.Participant
		if err := rows.Scan(&p.UnitID, &p.UnitName, &p.UnitPath, &p.Mode, &p.Position, &p.Excused); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ParticipantPaths returns the paths of a cycle's units, for the policy.
func (s *Store) ParticipantPaths(ctx context.Context, cycleID int64) ([]string, error) {
	ps, err := s.Participants(ctx, cycleID)
	paths := make([]string, len(ps))
	for i, p := range ps {
		paths[i] = p.UnitPath
	}
	return paths, err
}

// SetParticipants replaces a cycle's participants; only while planning.
// Each unit must lie in the subtree of the cycle's unit (not the unit
// itself) and be active.
func (s *Store) SetParticipants(ctx context.Context, by audit.Actor, id, version int64, ps []cycle.Participant) error {
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.cycleForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		if before.Status != cycle.Planning {
			return apperr.New(apperr.Conflict, "err.only_while_planning")
		}
		if _, err := tx.exec(ctx, `DELETE FROM participants WHERE cycle_id = ?`, id); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for i, p := range ps {
			if !p.Mode.Valid() {
				return apperr.Field("mode", "err.unknown_mode")
			}
			if seen[p.UnitID] {
				continue
			}
			seen[p.UnitID] = true
			u, err := tx.unitForUpdate(ctx, p.UnitID)
			if err != nil || u.Archived || u.ID == before.UnitID || !unit.Contains(before.UnitPath, u.Path) {
				return apperr.Field("unit_id", "err.not_participant_unit", p.UnitID)
			}
			if _, err := tx.exec(ctx, `INSERT INTO participants (cycle_id, unit_id, mode, position, excused) VALUES (?, ?, ?, ?, ?)`,
				id, p.UnitID, string(p.Mode), i+1, strings.TrimSpace(p.Excused)); err != nil {
				return err
			}
		}
		if err := tx.bumpCycle(ctx, id); err != nil {
			return err
		}
		return tx.auditCycle(ctx, by, "cycle.participants", before, ps)
	})
}

// ExcuseParticipant records why a unit need not hand in its report (or,
// with an empty reason, that it must after all); while planning or reporting.
func (s *Store) ExcuseParticipant(ctx context.Context, by audit.Actor, id, version, unitID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 500 {
		return apperr.Field("excused", "err.too_long", 500)
	}
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.cycleForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		if before.Status != cycle.Planning && before.Status != cycle.Reporting {
			return apperr.New(apperr.Conflict, "err.only_before_review")
		}
		res, err := tx.exec(ctx, `UPDATE participants SET excused = ? WHERE cycle_id = ? AND unit_id = ?`, reason, id, unitID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Field("unit_id", "err.not_participant_unit", unitID)
		}
		if err := tx.bumpCycle(ctx, id); err != nil {
			return err
		}
		return tx.auditCycle(ctx, by, "cycle.excuse", before, map[string]any{"unit_id": unitID, "excused": reason})
	})
}

// CandidateUnits lists active units of a subtree that may take part in a
// cycle, optionally of one kind, for picking participants in bulk.
func (s *Store) CandidateUnits(ctx context.Context, c cycle.Cycle, subtree string, kind unit.Kind) ([]unit.Unit, error) {
	// Both subtrees are ranges of the path: the picked one and the cycle's.
	lo, hi := unit.SubtreeRange(subtree)
	clo, chi := unit.SubtreeRange(c.UnitPath)
	q := `SELECT ` + unitCols + `, 0 FROM units u WHERE u.path >= ? AND u.path < ? AND u.path >= ? AND u.path < ?
		AND u.archived = ? AND u.id <> ?`
	args := []any{lo, hi, clo, chi, false, c.UnitID}
	if kind != "" {
		q += ` AND u.kind = ?`
		args = append(args, string(kind))
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(q+` ORDER BY u.path LIMIT 5000`), args...)
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	return collect(rows, scanUnitWithChildren)
}

// AdvanceCycle moves a cycle one step forward when the step's preconditions
// hold; otherwise it says what is missing and changes nothing.
func (s *Store) AdvanceCycle(ctx context.Context, by audit.Actor, id, version int64, to cycle.Status) (cycle.Cycle, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.cycleForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		if err := cycle.CheckAdvance(before.Status, to); err != nil {
			return err
		}
		if err := tx.checkPreconditions(ctx, before, to); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE cycles SET status = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			string(to), unix(s.Now()), id); err != nil {
			return err
		}
		return tx.auditCycle(ctx, by, "cycle.advance", before, nil)
	})
	if err != nil {
		return cycle.Cycle{}, err
	}
	return s.Cycle(ctx, id)
}

// checkPreconditions holds the rule of each step. Later capabilities
// (appraisal, rectification, assessment) add theirs here.
func (t *Tx) checkPreconditions(ctx context.Context, c cycle.Cycle, to cycle.Status) error {
	switch to {
	case cycle.Reporting:
		var areas, parts int
		if err := t.queryRow(ctx, `SELECT count(*) FROM cycle_areas WHERE cycle_id = ?`, c.ID).Scan(&areas); err != nil {
			return err
		}
		if err := t.queryRow(ctx, `SELECT count(*) FROM participants WHERE cycle_id = ?`, c.ID).Scan(&parts); err != nil {
			return err
		}
		if parts == 0 {
			return apperr.New(apperr.Conflict, "err.no_participants")
		}
		if areas == 0 {
			return apperr.New(apperr.Conflict, "err.no_areas")
		}
		return t.createReports(ctx, c.ID)
	case cycle.Reviewing:
		missing, err := t.missingReports(ctx, c.ID)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return apperr.New(apperr.Conflict, "err.reports_missing", len(missing), strings.Join(missing, "、"))
		}
	case cycle.Closed:
		// An assessment set up for the cycle ends published.
		var open int
		if err := t.queryRow(ctx, `SELECT count(*) FROM assessments WHERE cycle_id = ? AND status <> 'published'`, c.ID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "err.assessment_unpublished")
		}
	case cycle.Rectifying:
		// The review ends with the votes counted and every comment made
		// public: both happen only while reviewing.
		var open, drafts int
		if err := t.queryRow(ctx, `SELECT count(*) FROM appraisals WHERE cycle_id = ? AND status = 'open'`, c.ID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "err.appraisal_still_open")
		}
		if err := t.queryRow(ctx, `SELECT count(*) FROM comments k JOIN reports r ON r.id = k.report_id
			WHERE r.cycle_id = ? AND k.published_at IS NULL`, c.ID).Scan(&drafts); err != nil {
			return err
		}
		if drafts > 0 {
			return apperr.New(apperr.Conflict, "err.comments_unpublished", drafts)
		}
	}
	return nil
}
