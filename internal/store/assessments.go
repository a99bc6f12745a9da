package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/assessment"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/unit"
)

// Assessment returns a cycle's assessment; before the organizer first
// saves a scheme it is the default scheme, in draft, with ID 0.
func (s *Store) Assessment(ctx context.Context, cycleID int64) (assessment.Assessment, error) {
	return loadAssessment(ctx, s.rd(ctx), s, cycleID, "")
}

func loadAssessment(ctx context.Context, q querier, s *Store, cycleID int64, lock string) (assessment.Assessment, error) {
	a := assessment.Assessment{CycleID: cycleID, Status: assessment.Draft, Scheme: assessment.DefaultScheme()}
	var scheme string
	var computed, published sql.NullInt64
	err := q.QueryRowContext(ctx, s.q(`SELECT id, scheme, status, computed_at, published_at, version FROM assessments WHERE cycle_id = ?`+lock), cycleID).
		Scan(&a.ID, &scheme, &a.Status, &computed, &published, &a.Version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return a, nil
	case err != nil:
		return a, fmt.Errorf("assessment: %w", err)
	}
	if err := json.Unmarshal([]byte(scheme), &a.Scheme); err != nil {
		return a, fmt.Errorf("assessment scheme: %w", err)
	}
	if computed.Valid {
		t := fromUnix(computed.Int64)
		a.ComputedAt = &t
	}
	if published.Valid {
		t := fromUnix(published.Int64)
		a.PublishedAt = &t
	}
	return a, nil
}

// anyVersion skips assessmentForChange's version check, for changes that
// do not rest on what the user last read (a manual score, computing).
const anyVersion = -1

// assessmentForChange locks the cycle and its assessment, creating the
// assessment with the default scheme if need be. The version is the one
// the change was based on: 0 when nothing was stored yet, or anyVersion.
// A published assessment is fixed until reopened.
func (t *Tx) assessmentForChange(ctx context.Context, cycleID, version int64) (assessment.Assessment, cycle.Cycle, error) {
	c, err := t.cycleForUpdate(ctx, cycleID, 0)
	if err != nil {
		return assessment.Assessment{}, c, err
	}
	a, err := loadAssessment(ctx, t.tx, t.s, cycleID, t.forUpdate(""))
	if err != nil {
		return a, c, err
	}
	if version != anyVersion && a.Version != version {
		return a, c, staleVersion()
	}
	if a.ID == 0 {
		b, _ := json.Marshal(a.Scheme)
		now := unix(t.s.Now())
		if err := t.queryRow(ctx, `INSERT INTO assessments (cycle_id, scheme, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id`,
			cycleID, string(b), now, now).Scan(&a.ID); err != nil {
			return a, c, fmt.Errorf("create assessment: %w", err)
		}
		a.Version = 1
	}
	if a.Status == assessment.Published {
		return a, c, apperr.New(apperr.Conflict, "err.assessment_published")
	}
	return a, c, nil
}

func (t *Tx) setAssessment(ctx context.Context, a assessment.Assessment, status assessment.Status, extra string, args ...any) error {
	_, err := t.exec(ctx, `UPDATE assessments SET status = ?, version = version + 1, updated_at = ?`+extra+` WHERE id = ?`,
		append(append([]any{string(status), unix(t.s.Now())}, args...), a.ID)...)
	return err
}

// SaveScheme replaces a cycle's assessment scheme. Results computed with the
// old one are dropped: the assessment goes back to draft.
func (s *Store) SaveScheme(ctx context.Context, by audit.Actor, cycleID, version int64, scheme assessment.Scheme) (assessment.Assessment, error) {
	if err := scheme.Normalize(); err != nil {
		return assessment.Assessment{}, err
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		a, c, err := tx.assessmentForChange(ctx, cycleID, version)
		if err != nil {
			return err
		}
		for _, g := range scheme.PeerGroups {
			for _, id := range g.Units {
				if _, err := tx.participant(ctx, cycleID, id); err != nil {
					if apperr.KindOf(err) == apperr.Invalid {
						return apperr.Field("peer_groups", "err.peer_group_not_participant", g.Name, id)
					}
					return err
				}
			}
		}
		b, err := json.Marshal(scheme)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM assessment_scores WHERE assessment_id = ?`, a.ID); err != nil {
			return err
		}
		if err := tx.setAssessment(ctx, a, assessment.Draft, ", scheme = ?", string(b)); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "assessment.scheme", objectType: "cycle", objectID: cycleID,
			unit: &unit.Unit{ID: c.UnitID, Path: c.UnitPath}, before: a.Scheme, after: scheme})
	})
	if err != nil {
		return assessment.Assessment{}, err
	}
	return s.Assessment(ctx, cycleID)
}

// SetManual records (score != nil) or clears a unit's score on an
// indicator scored by hand; the next computation uses it.
func (s *Store) SetManual(ctx context.Context, by audit.Actor, cycleID, unitID int64, key string, score *float64) error {
	return s.Tx(ctx, func(tx *Tx) error {
		a, _, err := tx.assessmentForChange(ctx, cycleID, anyVersion)
		if err != nil {
			return err
		}
		if score != nil {
			if err := a.Scheme.CheckManual(key, *score); err != nil {
				return err
			}
		}
		u, err := tx.participant(ctx, cycleID, unitID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM assessment_manual WHERE assessment_id = ? AND unit_id = ? AND indicator = ?`, a.ID, unitID, key); err != nil {
			return err
		}
		if score != nil {
			if _, err := tx.exec(ctx, `INSERT INTO assessment_manual (assessment_id, unit_id, indicator, score) VALUES (?, ?, ?, ?)`,
				a.ID, unitID, key, *score); err != nil {
				return err
			}
		}
		return tx.audit(ctx, by, change{action: "assessment.manual", objectType: "cycle", objectID: cycleID, unit: &u,
			after: map[string]any{"indicator": key, "score": score}})
	})
}

// participant returns a unit taking part in the cycle, or bad input.
func (t *Tx) participant(ctx context.Context, cycleID, unitID int64) (unit.Unit, error) {
	var u unit.Unit
	err := t.queryRow(ctx, `SELECT un.id, un.path, un.name FROM participants p JOIN units un ON un.id = p.unit_id
		WHERE p.cycle_id = ? AND p.unit_id = ?`, cycleID, unitID).Scan(&u.ID, &u.Path, &u.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.Field("unit_id", "err.not_participant", unitID)
	}
	return u, err
}

// ComputeAssessment scores every unit taking part in the cycle from the
// live data — the appraisal, the rectification roll-ups, red urge notices —
// with the scores entered by hand and the adjustments. Only while the cycle
// is being assessed, and not once the results are published.
func (s *Store) ComputeAssessment(ctx context.Context, by audit.Actor, cycleID int64) (assessment.Assessment, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		a, c, err := tx.assessmentForChange(ctx, cycleID, anyVersion)
		if err != nil {
			return err
		}
		if c.Status != cycle.Assessing {
			return apperr.New(apperr.Conflict, "err.assess_status")
		}
		n, err := tx.compute(ctx, a, c)
		if err != nil {
			return err
		}
		if err := tx.setAssessment(ctx, a, assessment.Computed, ", computed_at = ?", unix(s.Now())); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "assessment.compute", objectType: "cycle", objectID: cycleID,
			unit: &unit.Unit{ID: c.UnitID, Path: c.UnitPath}, after: map[string]any{"units": n}})
	})
	if err != nil {
		return assessment.Assessment{}, err
	}
	return s.Assessment(ctx, cycleID)
}

// AdjustScore sets (or, with zero points, removes) the adjustment of a
// unit's computed score, with its reason, and recomputes so that the ranks
// follow.
func (s *Store) AdjustScore(ctx context.Context, by audit.Actor, cycleID, unitID int64, adj assessment.Adjustment) error {
	if err := adj.Normalize(); err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		a, c, err := tx.assessmentForChange(ctx, cycleID, anyVersion)
		if err != nil {
			return err
		}
		if a.Status != assessment.Computed {
			return apperr.New(apperr.Conflict, "err.assessment_not_computed")
		}
		u, err := tx.participant(ctx, cycleID, unitID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM assessment_adjustments WHERE assessment_id = ? AND unit_id = ?`, a.ID, unitID); err != nil {
			return err
		}
		if adj.Points != 0 {
			if _, err := tx.exec(ctx, `INSERT INTO assessment_adjustments (assessment_id, unit_id, points, reason) VALUES (?, ?, ?, ?)`,
				a.ID, unitID, adj.Points, adj.Reason); err != nil {
				return err
			}
		}
		if _, err := tx.compute(ctx, a, c); err != nil {
			return err
		}
		if err := tx.setAssessment(ctx, a, assessment.Computed, ""); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "assessment.adjust", objectType: "cycle", objectID: cycleID, unit: &u, after: adj})
	})
}

// PublishAssessment shows the computed results to the units.
func (s *Store) PublishAssessment(ctx context.Context, by audit.Actor, cycleID, version int64) error {
	return s.Tx(ctx, func(tx *Tx) error {
		a, c, err := tx.assessmentForChange(ctx, cycleID, version)
		if err != nil {
			return err
		}
		if a.Status != assessment.Computed {
			return apperr.New(apperr.Conflict, "err.assessment_not_computed")
		}
		if err := tx.setAssessment(ctx, a, assessment.Published, ", published_at = ?", unix(s.Now())); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "assessment.publish", objectType: "cycle", objectID: cycleID,
			unit: &unit.Unit{ID: c.UnitID, Path: c.UnitPath}})
	})
}

// ReopenAssessment takes published results back, with a reason, so that
// they may be recomputed or adjusted; the units no longer see them.
func (s *Store) ReopenAssessment(ctx context.Context, by audit.Actor, cycleID, version int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.Field("reason", "err.required")
	}
	return s.Tx(ctx, func(tx *Tx) error {
		c, err := tx.cycleForUpdate(ctx, cycleID, 0)
		if err != nil {
			return err
		}
		a, err := loadAssessment(ctx, tx.tx, s, cycleID, tx.forUpdate(""))
		if err != nil {
			return err
		}
		if a.Status != assessment.Published {
			return apperr.New(apperr.Conflict, "err.assessment_not_published")
		}
		if a.Version != version {
			return staleVersion()
		}
		if err := tx.setAssessment(ctx, a, assessment.Computed, ", published_at = NULL"); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "assessment.reopen", objectType: "cycle", objectID: cycleID,
			unit: &unit.Unit{ID: c.UnitID, Path: c.UnitPath}, after: map[string]string{"reason": reason}})
	})
}

// compute gathers the inputs of every participant, computes and replaces
// the stored scores; it returns the number of units scored.
func (t *Tx) compute(ctx context.Context, a assessment.Assessment, c cycle.Cycle) (int, error) {
	ins, err := t.assessmentInputs(ctx, a, c)
	if err != nil {
		return 0, err
	}
	rs := assessment.Compute(a.Scheme, ins)
	if _, err := t.exec(ctx, `DELETE FROM assessment_scores WHERE assessment_id = ?`, a.ID); err != nil {
		return 0, err
	}
	for _, r := range rs {
		b, err := json.Marshal(r)
		if err != nil {
			return 0, err
		}
		if _, err := t.exec(ctx, `INSERT INTO assessment_scores (assessment_id, unit_id, final, grade, peer_group, rank, result) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.ID, r.UnitID, r.Final(), r.Grade, r.PeerGroup, r.Rank, string(b)); err != nil {
			return 0, fmt.Errorf("assessment score: %w", err)
		}
	}
	return len(rs), nil
}

// assessmentInputs reads what the system knows of each participant: its
// appraisal score, its subtree's rectification figures from the roll-ups,
// the red urge notices its subtree received, and the organizer's entries.
func (t *Tx) assessmentInputs(ctx context.Context, a assessment.Assessment, c cycle.Cycle) ([]assessment.Input, error) {
	s := t.s
	// A unit excused from reporting is not assessed: with nothing to go
	// on but clean deductions, it would top its group.
	rows, err := t.tx.QueryContext(ctx, s.q(`SELECT un.id, un.kind, un.path FROM participants p JOIN units un ON un.id = p.unit_id
		WHERE p.cycle_id = ? AND p.excused = '' ORDER BY un.path`), c.ID)
	if err != nil {
		return nil, fmt.Errorf("assessment units: %w", err)
	}
	type part struct {
		in   assessment.Input
		path string
	}
	parts, err := collect(rows, func(r interface{ Scan(...any) error }) (part, error) {
		var p part
		return p, r.Scan(&p.in.UnitID, &p.in.Kind, &p.path)
	})
	if err != nil {
		return nil, err
	}
	// The appraisal's scores, by unit, once it is closed.
	scores := map[int64]*float64{}
	if ap, err := s.CycleAppraisal(ctx, c.ID); err == nil && ap.Status == appraisal.Closed {
		results, reports, err := s.Results(ctx, ap)
		if err != nil {
			return nil, err
		}
		unitOf := map[int64]int64{}
		for _, r := range reports {
			unitOf[r.ID] = r.UnitID
		}
		for _, r := range results {
			scores[unitOf[r.ReportID]] = r.Score
		}
	} else if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return nil, err
	}
	// Red urge notices per unit, summed into each participant's subtree.
	rows, err = t.tx.QueryContext(ctx, s.q(`SELECT un.path, COUNT(*) FROM urges g JOIN rectifications x ON x.id = g.rectification_id
		JOIN units un ON un.id = x.unit_id WHERE x.cycle_id = ? AND g.level = 'red' GROUP BY un.path`), c.ID)
	if err != nil {
		return nil, fmt.Errorf("red urges: %w", err)
	}
	type count struct {
		path string
		n    int
	}
	reds, err := collect(rows, func(r interface{ Scan(...any) error }) (count, error) {
		var x count
		return x, r.Scan(&x.path, &x.n)
	})
	if err != nil {
		return nil, err
	}
	manual, err := t.assessmentEntries(ctx, `SELECT unit_id, indicator, score, '' FROM assessment_manual WHERE assessment_id = ?`, a.ID)
	if err != nil {
		return nil, err
	}
	adjust, err := t.assessmentEntries(ctx, `SELECT unit_id, '', points, reason FROM assessment_adjustments WHERE assessment_id = ?`, a.ID)
	if err != nil {
		return nil, err
	}
	ins := make([]assessment.Input, len(parts))
	for i, p := range parts {
		in := p.in
		in.Appraisal = scores[in.UnitID]
		st, err := s.UnitStats(ctx, in.UnitID, c.ID)
		if err != nil {
			return nil, err
		}
		in.UseStats(st)
		in.Findings, in.FindingsClosed = st.Total, st.Closed
		for _, r := range reds {
			if unit.Contains(p.path, r.path) {
				in.RedUrges += r.n
			}
		}
		in.Manual = map[string]*float64{}
		for _, e := range manual[in.UnitID] {
			v := e.value
			in.Manual[e.key] = &v
		}
		for _, e := range adjust[in.UnitID] {
			in.Adjustment = assessment.Adjustment{Points: e.value, Reason: e.reason}
		}
		ins[i] = in
	}
	return ins, nil
}

type assessmentEntry struct {
	key    string
	value  float64
	reason string
}

func (t *Tx) assessmentEntries(ctx context.Context, query string, id int64) (map[int64][]assessmentEntry, error) {
	rows, err := t.tx.QueryContext(ctx, t.s.q(query), id)
	if err != nil {
		return nil, fmt.Errorf("assessment entries: %w", err)
	}
	defer rows.Close()
	out := map[int64][]assessmentEntry{}
	for rows.Next() {
		var unitID int64
		var e assessmentEntry
		if err := rows.Scan(&unitID, &e.key, &e.value, &e.reason); err != nil {
			return nil, err
		}
		out[unitID] = append(out[unitID], e)
	}
	return out, rows.Err()
}

// ManualScores returns the scores entered by hand: unit → indicator → score.
func (s *Store) ManualScores(ctx context.Context, cycleID int64) (map[int64]map[string]float64, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT m.unit_id, m.indicator, m.score FROM assessment_manual m
		JOIN assessments a ON a.id = m.assessment_id WHERE a.cycle_id = ?`), cycleID)
	if err != nil {
		return nil, fmt.Errorf("manual scores: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[string]float64{}
	for rows.Next() {
		var id int64
		var key string
		var v float64
		if err := rows.Scan(&id, &key, &v); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = map[string]float64{}
		}
		out[id][key] = v
	}
	return out, rows.Err()
}

// Scores returns the stored results of a cycle's assessment, best first
// within each peer group; unitID != 0 narrows to one unit.
func (s *Store) Scores(ctx context.Context, cycleID, unitID int64) ([]assessment.Score, error) {
	where, args := "a.cycle_id = ?", []any{cycleID}
	if unitID != 0 {
		where, args = where+" AND x.unit_id = ?", append(args, unitID)
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT x.result, x.final, un.name, un.path FROM assessment_scores x
		JOIN assessments a ON a.id = x.assessment_id JOIN units un ON un.id = x.unit_id
		WHERE `+where+` ORDER BY x.peer_group, x.final DESC, un.path`), args...)
	if err != nil {
		return nil, fmt.Errorf("scores: %w", err)
	}
	out, err := collect(rows, func(r interface{ Scan(...any) error }) (assessment.Score, error) {
		var x assessment.Score
		var b string
		if err := r.Scan(&b, &x.Final, &x.UnitName, &x.UnitPath); err != nil {
			return x, err
		}
		return x, json.Unmarshal([]byte(b), &x.Result)
	})
	return out, err
}
