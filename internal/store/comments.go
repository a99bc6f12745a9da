package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/comment"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/unit"
)

// Comment returns the chair's comment on a report; an empty one (version 0)
// if none has been saved.
func (s *Store) Comment(ctx context.Context, reportID int64) (comment.Comment, error) {
	return loadComment(ctx, s.rd(ctx), s, reportID)
}

func loadComment(ctx context.Context, q querier, s *Store, reportID int64) (comment.Comment, error) {
	c := comment.Comment{ReportID: reportID}
	var published sql.NullInt64
	err := q.QueryRowContext(ctx, s.q(`SELECT affirmations, requirements, direction, published_at, version FROM comments WHERE report_id = ?`), reportID).
		Scan(&c.Affirmations, &c.Requirements, &c.Direction, &published, &c.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("comment: %w", err)
	}
	if published.Valid {
		t := fromUnix(published.Int64)
		c.PublishedAt = &t
	}
	rows, err := q.QueryContext(ctx, s.q(`SELECT area, severity, text, finding_id FROM comment_problems WHERE report_id = ? ORDER BY position`), reportID)
	if err != nil {
		return c, fmt.Errorf("comment problems: %w", err)
	}
	c.Problems, err = collect(rows, func(r interface{ Scan(...any) error }) (comment.Problem, error) {
		var p comment.Problem
		var fid sql.NullInt64
		err := r.Scan(&p.Area, &p.Severity, &p.Text, &fid)
		p.FindingID = fid.Int64
		return p, err
	})
	return c, err
}

// commentTarget locks the report's cycle and checks that comments may be
// made: the report is handed in and the cycle is under review.
func (t *Tx) commentTarget(ctx context.Context, reportID int64) (cycle.Cycle, unit.Unit, error) {
	r, err := t.reportForUpdate(ctx, reportID, 0)
	if err != nil {
		return cycle.Cycle{}, unit.Unit{}, err
	}
	c, err := t.cycleForUpdate(ctx, r.CycleID, 0)
	if err != nil {
		return c, unit.Unit{}, err
	}
	if c.Status != cycle.Reviewing {
		return c, unit.Unit{}, apperr.New(apperr.Conflict, "err.comment_needs_reviewing")
	}
	if !r.Status.Done() {
		return c, unit.Unit{}, apperr.New(apperr.Conflict, "err.comment_needs_report")
	}
	return c, unit.Unit{ID: r.UnitID, Path: r.UnitPath}, nil
}

// SaveComment stores a draft comment if c.Version is the one read.
func (s *Store) SaveComment(ctx context.Context, by audit.Actor, c comment.Comment) (comment.Comment, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		cy, u, err := tx.commentTarget(ctx, c.ReportID)
		if err != nil {
			return err
		}
		areas, err := s.Areas(ctx, cy.ID)
		if err != nil {
			return err
		}
		names := make([]string, len(areas))
		for i, a := range areas {
			names[i] = a.Name
		}
		if err := c.Normalize(names, finding.Scale(cy.Severities)); err != nil {
			return err
		}
		before, err := loadComment(ctx, tx.tx, s, c.ReportID)
		if err != nil {
			return err
		}
		if before.Published() {
			return apperr.New(apperr.Conflict, "err.comment_published")
		}
		if before.Version != c.Version {
			return staleVersion()
		}
		now := unix(s.Now())
		if before.Version == 0 {
			_, err = tx.exec(ctx, `INSERT INTO comments (report_id, affirmations, requirements, direction, updated_at) VALUES (?, ?, ?, ?, ?)`,
				c.ReportID, c.Affirmations, c.Requirements, c.Direction, now)
		} else {
			_, err = tx.exec(ctx, `UPDATE comments SET affirmations = ?, requirements = ?, direction = ?, version = version + 1, updated_at = ?
				WHERE report_id = ?`, c.Affirmations, c.Requirements, c.Direction, now, c.ReportID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM comment_problems WHERE report_id = ?`, c.ReportID); err != nil {
			return err
		}
		for i, p := range c.Problems {
			if _, err := tx.exec(ctx, `INSERT INTO comment_problems (report_id, position, area, severity, text) VALUES (?, ?, ?, ?, ?)`,
				c.ReportID, i, p.Area, string(p.Severity), p.Text); err != nil {
				return err
			}
		}
		return tx.audit(ctx, by, change{action: "comment.save", objectType: "report", objectID: c.ReportID, unit: &u, before: before, after: c})
	})
	if err != nil {
		return c, err
	}
	return s.Comment(ctx, c.ReportID)
}

// PublishComment makes a draft comment visible to the unit and, in the same
// transaction, turns each of its problems into a finding of the unit, with
// the source "chair comment", linked to the report.
func (s *Store) PublishComment(ctx context.Context, by audit.Actor, reportID, version int64) (comment.Comment, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		cy, u, err := tx.commentTarget(ctx, reportID)
		if err != nil {
			return err
		}
		c, err := loadComment(ctx, tx.tx, s, reportID)
		if err != nil {
			return err
		}
		if c.Version == 0 {
			return apperr.Field("affirmations", "err.comment_empty")
		}
		if c.Version != version {
			return staleVersion()
		}
		if err := c.CheckPublish(); err != nil {
			return err
		}
		now := unix(s.Now())
		for i, p := range c.Problems {
			f := finding.Finding{UnitID: u.ID, CycleID: cy.ID, CycleYear: cy.Year, ReportID: reportID, Source: finding.ChairComment,
				Area: p.Area, Severity: p.Severity, Text: p.Text, Status: finding.Open}
			if err := tx.insertFinding(ctx, by, &f, u); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE comment_problems SET finding_id = ? WHERE report_id = ? AND position = ?`, f.ID, reportID, i); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE comments SET published_at = ?, version = version + 1, updated_at = ? WHERE report_id = ?`, now, now, reportID); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "comment.publish", objectType: "report", objectID: reportID, unit: &u,
			after: map[string]any{"findings": len(c.Problems)}})
	})
	if err != nil {
		return comment.Comment{}, err
	}
	return s.Comment(ctx, reportID)
}

// CommentStates tells, for each report of a cycle with a comment, whether
// it is published (true) or a draft (false).
func (s *Store) CommentStates(ctx context.Context, cycleID int64) (map[int64]bool, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT k.report_id, k.published_at IS NOT NULL FROM comments k
		JOIN reports r ON r.id = k.report_id WHERE r.cycle_id = ?`), cycleID)
	if err != nil {
		return nil, fmt.Errorf("comment states: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		var published bool
		if err := rows.Scan(&id, &published); err != nil {
			return nil, err
		}
		out[id] = published
	}
	return out, rows.Err()
}

// ReportFindings lists the findings pointed out on a report.
func (s *Store) ReportFindings(ctx context.Context, reportID int64) ([]finding.Finding, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT f.id, f.unit_id, f.cycle_id, c.year, f.source, f.area, f.severity, f.text, f.status
		FROM findings f JOIN cycles c ON c.id = f.cycle_id WHERE f.report_id = ? ORDER BY f.id`), reportID)
	if err != nil {
		return nil, fmt.Errorf("report findings: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (finding.Finding, error) {
		f := finding.Finding{ReportID: reportID}
		return f, r.Scan(&f.ID, &f.UnitID, &f.CycleID, &f.CycleYear, &f.Source, &f.Area, &f.Severity, &f.Text, &f.Status)
	})
}
