package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/rectification"
	"zeren/internal/remind"
	"zeren/internal/unit"
)

// The sweep's candidates: each query looks up the deadline days given in
// an index (remind.Deadlines) instead of scanning, and streams its rows to
// fn so that memory stays flat at province scale.

// DueReport is a participant's report not yet handed in, in a cycle whose
// report deadline falls on a reminder day.
type DueReport struct {
	CycleID    int64
	CycleTitle string
	Deadline   string
	UnitID     int64
	UnitName   string
	ReportID   int64 // 0 if not started
}

// DueReports calls fn for each report not handed in (missing, a draft or
// returned) of cycles in reporting whose deadline is one of deadlines.
func (s *Store) DueReports(ctx context.Context, deadlines []string, fn func(DueReport) error) error {
	if len(deadlines) == 0 {
		return nil
	}
	args := []any{"reporting"}
	for _, d := range deadlines {
		args = append(args, d)
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT c.id, c.title, c.deadline, p.unit_id, u.name, COALESCE(r.id, 0)
		FROM cycles c JOIN participants p ON p.cycle_id = c.id JOIN units u ON u.id = p.unit_id
		LEFT JOIN reports r ON r.cycle_id = c.id AND r.unit_id = p.unit_id
		WHERE c.status = ? AND c.deadline IN (`+placeholders(len(deadlines))+`) AND p.excused = ''
		AND (r.status IS NULL OR r.status IN ('draft', 'returned')) ORDER BY c.id, p.unit_id`), args...)
	if err != nil {
		return fmt.Errorf("due reports: %w", err)
	}
	return each(rows, fn, func(r *sql.Rows) (DueReport, error) {
		var d DueReport
		return d, r.Scan(&d.CycleID, &d.CycleTitle, &d.Deadline, &d.UnitID, &d.UnitName, &d.ReportID)
	})
}

// DueItem is an open item whose deadline falls on a reminder day.
type DueItem struct {
	ID       int64
	UnitID   int64
	UnitName string
	Deadline string
	Finding  string // the finding's text, for the message
}

// openStatuses are the states of an item still being worked.
var openStatuses = []rectification.Status{rectification.Planning, rectification.InProgress, rectification.AwaitingVerification}

// DueItems calls fn for each open item whose deadline is one of deadlines,
// cycle by cycle and state by state through the (cycle, status, deadline)
// index.
func (s *Store) DueItems(ctx context.Context, deadlines []string, fn func(DueItem) error) error {
	cycles, err := s.openCycles(ctx)
	if err != nil || len(deadlines) == 0 {
		return err
	}
	for _, c := range cycles {
		for _, st := range openStatuses {
			args := []any{c, string(st)}
			for _, d := range deadlines {
				args = append(args, d)
			}
			rows, err := s.read.QueryContext(ctx, s.q(`SELECT r.id, r.unit_id, u.name, r.deadline, f.text
				FROM rectifications r JOIN units u ON u.id = r.unit_id JOIN findings f ON f.id = r.finding_id
				WHERE r.cycle_id = ? AND r.status = ? AND r.deadline IN (`+placeholders(len(deadlines))+`)`), args...)
			if err != nil {
				return fmt.Errorf("due items: %w", err)
			}
			if err := each(rows, fn, func(r *sql.Rows) (DueItem, error) {
				var d DueItem
				return d, r.Scan(&d.ID, &d.UnitID, &d.UnitName, &d.Deadline, &d.Finding)
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) openCycles(ctx context.Context) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT id FROM cycles WHERE status <> ? ORDER BY id`), "closed")
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// DueUrge is an unanswered urge notice whose reply-by day falls on a
// reminder day.
type DueUrge struct {
	ID              int64
	RectificationID int64
	UnitID          int64
	Level           rectification.UrgeLevel
	ReplyBy         string
}

// DueUrges calls fn for each open notice (neither answered nor replaced by
// a higher one) due on one of days, through the open notices' index.
func (s *Store) DueUrges(ctx context.Context, days []string, fn func(DueUrge) error) error {
	if len(days) == 0 {
		return nil
	}
	args := make([]any, len(days))
	for i, d := range days {
		args[i] = d
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT u.id, u.rectification_id, r.unit_id, u.level, u.reply_by
		FROM urges u JOIN rectifications r ON r.id = u.rectification_id
		WHERE u.replied_at IS NULL AND u.reply_by IN (`+placeholders(len(days))+`) AND u.escalated_to IS NULL
		AND r.status <> 'closed' ORDER BY u.id`), args...)
	if err != nil {
		return fmt.Errorf("due urges: %w", err)
	}
	return each(rows, fn, func(r *sql.Rows) (DueUrge, error) {
		var d DueUrge
		return d, r.Scan(&d.ID, &d.RectificationID, &d.UnitID, &d.Level, &d.ReplyBy)
	})
}

// OpenBallot is an invited voter who has not yet voted in an open appraisal.
type OpenBallot struct {
	AppraisalID int64
	CycleTitle  string
	MeetingDay  string // the meeting's day, "" if not set
	UserID      int64
}

// OpenBallots calls fn for each invited voter of an open appraisal who has
// not voted. Only the voter is told: the mark says that, never how.
func (s *Store) OpenBallots(ctx context.Context, fn func(OpenBallot) error) error {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT a.id, c.title, COALESCE(m.held_on, ''), v.user_id
		FROM appraisals a JOIN cycles c ON c.id = a.cycle_id JOIN appraisal_voters v ON v.appraisal_id = a.id
		LEFT JOIN meetings m ON m.cycle_id = a.cycle_id
		WHERE a.status = ? ORDER BY a.id, v.user_id`), string(appraisal.Open))
	if err != nil {
		return fmt.Errorf("open ballots: %w", err)
	}
	var list []OpenBallot
	if err := each(rows, func(b OpenBallot) error { list = append(list, b); return nil }, func(r *sql.Rows) (OpenBallot, error) {
		var b OpenBallot
		return b, r.Scan(&b.AppraisalID, &b.CycleTitle, &b.MeetingDay, &b.UserID)
	}); err != nil {
		return err
	}
	for _, b := range list {
		var voted int
		if err := s.read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM voter_marks WHERE appraisal_id = ? AND voter = ?`),
			b.AppraisalID, appraisal.VoterKey(b.UserID, "")).Scan(&voted); err != nil {
			return err
		}
		if voted == 0 {
			if err := fn(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// StalledItem is an overdue item of a cycle that escalates, with what the
// escalation rule needs.
type StalledItem struct {
	ID         int64
	UnitID     int64
	RaisedByID int64 // the level that raised the finding: its supervisors are told
	StallDays  int
	Stall      remind.Stall
	OpenUrge   int64 // the unanswered notice, 0 if none
}

// StalledItems calls fn for each item being planned or worked, past its
// deadline, in a cycle whose supervisor set days without progress; the
// last progress and notice come from the item's own events and notices.
func (s *Store) StalledItems(ctx context.Context, today time.Time, fn func(StalledItem) error) error {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT id, stall_days FROM cycles WHERE status <> ? AND stall_days > 0 ORDER BY id`), "closed")
	if err != nil {
		return err
	}
	type cyc struct {
		id   int64
		days int
	}
	cycles, err := collect(rows, func(r interface{ Scan(...any) error }) (cyc, error) {
		var c cyc
		return c, r.Scan(&c.id, &c.days)
	})
	if err != nil {
		return err
	}
	day := rectification.Day(today).Format(rectification.Date)
	for _, c := range cycles {
		for _, st := range []rectification.Status{rectification.Planning, rectification.InProgress} {
			rows, err := s.read.QueryContext(ctx, s.q(`SELECT r.id, r.unit_id, COALESCE(f.raised_by, 0), r.deadline, r.created_at,
				COALESCE((SELECT MAX(e.at) FROM rectification_events e WHERE e.rectification_id = r.id AND e.kind IN ('update', 'plan')), 0),
				COALESCE((SELECT MAX(g.issued_at) FROM urges g WHERE g.rectification_id = r.id), 0)
				FROM rectifications r JOIN findings f ON f.id = r.finding_id
				WHERE r.cycle_id = ? AND r.status = ? AND r.deadline <> '' AND r.deadline < ?`), c.id, string(st), day)
			if err != nil {
				return fmt.Errorf("stalled items: %w", err)
			}
			var list []StalledItem
			if err := each(rows, func(x StalledItem) error { list = append(list, x); return nil }, func(r *sql.Rows) (StalledItem, error) {
				x := StalledItem{StallDays: c.days}
				var deadline string
				var created, progress, urged int64
				if err := r.Scan(&x.ID, &x.UnitID, &x.RaisedByID, &deadline, &created, &progress, &urged); err != nil {
					return x, err
				}
				x.Stall.Deadline, _ = time.Parse(rectification.Date, deadline)
				x.Stall.LastProgress = fromUnix(max(created, progress/1e6)) // events are stamped in microseconds
				if urged > 0 {
					x.Stall.LastUrge = fromUnix(urged)
				}
				return x, nil
			}); err != nil {
				return err
			}
			for _, x := range list {
				if x.Stall.LastUrge.IsZero() {
					if err := fn(x); err != nil {
						return err
					}
					continue
				}
				if x.Stall.Open, x.OpenUrge, err = s.openUrge(ctx, s.read, x.ID); err != nil {
					return err
				}
				if err := fn(x); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// openUrge returns the level and id of an item's unanswered notice, if any.
func (s *Store) openUrge(ctx context.Context, q querier, id int64) (rectification.UrgeLevel, int64, error) {
	var level string
	var urge int64
	err := q.QueryRowContext(ctx, s.q(`SELECT id, level FROM urges WHERE rectification_id = ? AND replied_at IS NULL
		AND escalated_to IS NULL ORDER BY id DESC LIMIT 1`), id).Scan(&urge, &level)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	return rectification.UrgeLevel(level), urge, err
}

// Stalled rereads a stalled item's progress and notices in the caller's
// InTx transaction, holding the item's row, so that two sweeps deciding
// about the same item one after the other see each other's notice.
func (s *Store) Stalled(ctx context.Context, it StalledItem) (StalledItem, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		var deadline string
		var created, progress, urged int64
		err := tx.queryRow(ctx, `SELECT r.deadline, r.created_at,
			COALESCE((SELECT MAX(e.at) FROM rectification_events e WHERE e.rectification_id = r.id AND e.kind IN ('update', 'plan')), 0),
			COALESCE((SELECT MAX(g.issued_at) FROM urges g WHERE g.rectification_id = r.id), 0)
			FROM rectifications r WHERE r.id = ?`+tx.forUpdate("r"), it.ID).Scan(&deadline, &created, &progress, &urged)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		if err != nil {
			return err
		}
		it.Stall.Deadline, _ = time.Parse(rectification.Date, deadline)
		it.Stall.LastProgress = fromUnix(max(created, progress/1e6)) // events are stamped in microseconds
		it.Stall.LastUrge = time.Time{}
		if urged > 0 {
			it.Stall.LastUrge = fromUnix(urged)
		}
		it.Stall.Open, it.OpenUrge, err = s.openUrge(ctx, tx.tx, it.ID)
		return err
	})
	return it, err
}

// each scans every row and hands it to fn, closing the rows.
func each[T any](rows *sql.Rows, fn func(T) error, scan func(*sql.Rows) (T, error)) error {
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SetStallDays sets the days without progress after which the cycle's
// overdue items get urge notices from the system (0: never), audited.
func (s *Store) SetStallDays(ctx context.Context, by audit.Actor, cycleID int64, days int) error {
	if days < 0 || days > remind.MaxStallDays {
		return apperr.Field("stall_days", "err.stall_days_range", 0, remind.MaxStallDays)
	}
	return s.Tx(ctx, func(tx *Tx) error {
		var before int
		var path string
		var unitID int64
		err := tx.queryRow(ctx, `SELECT c.stall_days, c.unit_id, u.path FROM cycles c JOIN units u ON u.id = c.unit_id WHERE c.id = ?`, cycleID).Scan(&before, &unitID, &path)
		if err == sql.ErrNoRows {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE cycles SET stall_days = ?, updated_at = ? WHERE id = ?`, days, unix(s.Now()), cycleID); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "cycle.stall_days", objectType: "cycle", objectID: cycleID,
			unit: &unit.Unit{ID: unitID, Path: path}, before: map[string]any{"stall_days": before}, after: map[string]any{"stall_days": days}})
	})
}
