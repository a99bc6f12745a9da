package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/finding"
	"zeren/internal/unit"
)

// FindingRecord is a finding as the API shows it: with its version (for
// edits), its unit's path (for the policy) and the items that answer it.
type FindingRecord struct {
	finding.Finding
	Version          int64   `json:"version"`
	UnitPath         string  `json:"-"`
	RectificationIDs []int64 `json:"rectification_ids"`
	// BallotID is the appraisal ballot whose comment the finding was made
	// of, "" for the other sources.
	BallotID string `json:"ballot_id,omitempty"`
}

// FindingFilter selects findings. Scopes are the subtrees the reader may
// see; UnitPath narrows to one subtree; After is the id of the last
// finding of the previous page.
type FindingFilter struct {
	Scopes   []string
	CycleID  int64
	UnitPath string
	After    int64
	Limit    int
}

const findingCols = `f.id, f.unit_id, un.name, un.path, f.cycle_id, c.year, f.report_id, f.source, f.area, f.severity,
	f.text, f.root_cause, f.status, f.version, f.ballot_id, f.raised_by, (SELECT ru.path FROM units ru WHERE ru.id = f.raised_by)`

const findingFrom = ` FROM findings f JOIN units un ON un.id = f.unit_id JOIN cycles c ON c.id = f.cycle_id`

func scanFinding(row interface{ Scan(...any) error }) (FindingRecord, error) {
	var x FindingRecord
	var report sql.NullInt64
	f := &x.Finding
	err := row.Scan(&f.ID, &f.UnitID, &f.UnitName, &x.UnitPath, &f.CycleID, &f.CycleYear, &report, &f.Source, &f.Area,
		&f.Severity, &f.Text, &f.RootCause, &f.Status, &x.Version, &x.BallotID, &f.RaisedBy, &f.RaisedByPath)
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.New(apperr.NotFound, "err.not_found")
	}
	if report.Valid {
		f.ReportID = report.Int64
	}
	return x, err
}

// FindingRecord returns one finding with the ids of its items.
func (s *Store) FindingRecord(ctx context.Context, id int64) (FindingRecord, error) {
	x, err := scanFinding(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+findingCols+findingFrom+` WHERE f.id = ?`), id))
	if err != nil {
		return x, err
	}
	xs := []FindingRecord{x}
	err = s.findingItems(ctx, xs)
	return xs[0], err
}

// FindingRecords lists a page of findings in id order, and the cursor of
// the next page (0 at the end).
func (s *Store) FindingRecords(ctx context.Context, f FindingFilter) ([]FindingRecord, int64, error) {
	if len(f.Scopes) == 0 {
		return nil, 0, nil
	}
	where, args := scopeClause("un.path", f.Scopes)
	if f.CycleID != 0 {
		where += " AND f.cycle_id = ?"
		args = append(args, f.CycleID)
	}
	if f.UnitPath != "" {
		lo, hi := unit.SubtreeRange(f.UnitPath)
		where += " AND un.path >= ? AND un.path < ?"
		args = append(args, lo, hi)
	}
	if f.After > 0 {
		where += " AND f.id > ?"
		args = append(args, f.After)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+findingCols+findingFrom+` WHERE `+where+
		` ORDER BY f.id LIMIT `+strconv.Itoa(limit+1)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("findings: %w", err)
	}
	xs, err := collect(rows, scanFinding)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(xs) > limit {
		xs = xs[:limit]
		next = xs[limit-1].ID
	}
	return xs, next, s.findingItems(ctx, xs)
}

// findingItems fills in the ids of the items answering each finding.
func (s *Store) findingItems(ctx context.Context, xs []FindingRecord) error {
	if len(xs) == 0 {
		return nil
	}
	at := make(map[int64]int, len(xs))
	args := make([]any, len(xs))
	for i := range xs {
		at[xs[i].ID] = i
		args[i] = xs[i].ID
		xs[i].RectificationIDs = []int64{}
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT finding_id, id FROM rectifications WHERE finding_id IN (?`+
		strings.Repeat(", ?", len(xs)-1)+`) ORDER BY id`), args...)
	if err != nil {
		return fmt.Errorf("finding items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var fid, id int64
		if err := rows.Scan(&fid, &id); err != nil {
			return err
		}
		i := at[fid]
		xs[i].RectificationIDs = append(xs[i].RectificationIDs, id)
	}
	return rows.Err()
}

// UpdateFinding changes a finding's area, severity, text and root cause
// (the rest of f is ignored) while every item answering it is still being
// planned: once the work has started, the finding it answers stays put.
func (s *Store) UpdateFinding(ctx context.Context, by audit.Actor, id, version int64, f finding.Finding) (FindingRecord, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		x, err := scanFinding(tx.queryRow(ctx, `SELECT `+findingCols+findingFrom+` WHERE f.id = ?`+tx.forUpdate("f"), id))
		if err != nil {
			return err
		}
		if x.Version != version {
			return staleVersion()
		}
		var started int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM rectifications WHERE finding_id = ? AND status <> 'planning'`, id).Scan(&started); err != nil {
			return err
		}
		if started > 0 {
			return apperr.New(apperr.Conflict, "err.finding_started")
		}
		after := x.Finding
		after.Area, after.Severity, after.Text, after.RootCause = f.Area, f.Severity, f.Text, f.RootCause
		if err := after.Normalize(); err != nil {
			return err
		}
		if err := tx.checkFindingCycle(ctx, &after); err != nil {
			return err
		}
		was, err := tx.findingState(ctx, id)
		if err != nil {
			return err
		}
		now := was
		now.area = after.Area
		if err := tx.recount(ctx, was, now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE findings SET area = ?, severity = ?, text = ?, root_cause = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, after.Area, string(after.Severity), after.Text, after.RootCause, unix(s.Now()), id); err != nil {
			return fmt.Errorf("update finding: %w", err)
		}
		return tx.audit(ctx, by, change{action: "finding.update", objectType: "finding", objectID: id,
			unit: &unit.Unit{ID: x.UnitID, Path: x.UnitPath}, before: x.Finding, after: after})
	})
	if err != nil {
		return FindingRecord{}, err
	}
	return s.FindingRecord(ctx, id)
}
