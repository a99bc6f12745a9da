package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/unit"
)

const rectCols = `r.id, r.finding_id, r.unit_id, un.name, un.path, r.cycle_id, c.year, r.status, r.measures, r.owner, r.responsible_leader,
	r.kind, r.deadline, r.original_deadline, r.progress, r.round, r.submitted_by, r.closed_on, r.version, r.created_at,
	f.source, f.area, f.severity, f.text, f.root_cause, f.status, f.report_id, f.raised_by, (SELECT ru.path FROM units ru WHERE ru.id = f.raised_by)`

const rectFrom = ` FROM rectifications r JOIN findings f ON f.id = r.finding_id JOIN units un ON un.id = r.unit_id JOIN cycles c ON c.id = r.cycle_id`

func scanRect(row interface{ Scan(...any) error }) (rectification.Rectification, error) {
	var x rectification.Rectification
	var submitted, report sql.NullInt64
	var created int64
	err := row.Scan(&x.ID, &x.Finding.ID, &x.UnitID, &x.UnitName, &x.UnitPath, &x.CycleID, &x.Finding.CycleYear, &x.Status,
		&x.Measures, &x.Owner, &x.ResponsibleLeader, &x.Kind, &x.Deadline, &x.OriginalDeadline, &x.Progress, &x.Round,
		&submitted, &x.ClosedOn, &x.Version, &created,
		&x.Finding.Source, &x.Finding.Area, &x.Finding.Severity, &x.Finding.Text, &x.Finding.RootCause, &x.Finding.Status, &report,
		&x.Finding.RaisedBy, &x.Finding.RaisedByPath)
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.New(apperr.NotFound, "err.not_found")
	}
	x.SubmittedBy, x.Finding.ReportID, x.CreatedAt = submitted.Int64, report.Int64, fromUnix(created)
	x.Finding.UnitID, x.Finding.CycleID, x.Finding.UnitName = x.UnitID, x.CycleID, x.UnitName
	return x, err
}

// warn fills in the figures computed for the day.
func (s *Store) warn(x *rectification.Rectification) {
	today := s.Now()
	x.Warning = rectification.WarningOf(x.Status, x.Deadline, today, s.WarningDays())
	x.DaysOverdue = rectification.DaysOverdue(x.Deadline, x.ClosedOn, today)
}

// Rectification returns one item with its finding and the later cycles
// it was carried over into.
func (s *Store) Rectification(ctx context.Context, id int64) (rectification.Rectification, error) {
	x, err := scanRect(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+rectCols+rectFrom+` WHERE r.id = ?`), id))
	if err != nil {
		return x, err
	}
	s.warn(&x)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT c.year FROM carried_items ci JOIN cycles c ON c.id = ci.cycle_id
		WHERE ci.rectification_id = ? ORDER BY c.year`), id)
	if err != nil {
		return x, fmt.Errorf("carried into: %w", err)
	}
	x.CarriedInto, err = collect(rows, func(r interface{ Scan(...any) error }) (int, error) {
		var y int
		return y, r.Scan(&y)
	})
	return x, err
}

func (t *Tx) rectForUpdate(ctx context.Context, id, version int64) (rectification.Rectification, error) {
	x, err := scanRect(t.queryRow(ctx, `SELECT `+rectCols+rectFrom+` WHERE r.id = ?`+t.forUpdate("r"), id))
	if err == nil && version != 0 && x.Version != version {
		err = staleVersion()
	}
	t.s.warn(&x)
	return x, err
}

// insertFinding records a finding and the rectification that answers it,
// with their audit events and counters; every source of findings comes here.
func (t *Tx) insertFinding(ctx context.Context, by audit.Actor, f *finding.Finding, u unit.Unit) error {
	if err := t.checkFindingCycle(ctx, f); err != nil {
		return err
	}
	now := unix(t.s.Now())
	var report any
	if f.ReportID != 0 {
		report = f.ReportID
	}
	f.Status = finding.Open
	if err := t.queryRow(ctx, `INSERT INTO findings (unit_id, cycle_id, report_id, source, area, severity, text, root_cause, raised_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.UnitID, f.CycleID, report, string(f.Source), f.Area, string(f.Severity),
		f.Text, f.RootCause, f.RaisedBy, now, now).Scan(&f.ID); err != nil {
		return fmt.Errorf("insert finding: %w", err)
	}
	if err := t.audit(ctx, by, change{action: "finding.create", objectType: "finding", objectID: f.ID, unit: &u, after: f}); err != nil {
		return err
	}
	if err := t.countFinding(ctx, u.Path, f.CycleID, f.Source, f.Area, 1, 0); err != nil {
		return err
	}
	_, err := t.insertRect(ctx, by, f.ID, u, f.CycleID)
	return err
}

// insertRect adds an item in planning for a finding.
func (t *Tx) insertRect(ctx context.Context, by audit.Actor, findingID int64, u unit.Unit, cycleID int64) (int64, error) {
	now := unix(t.s.Now())
	var id int64
	if err := t.queryRow(ctx, `INSERT INTO rectifications (finding_id, unit_id, cycle_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		findingID, u.ID, cycleID, now, now).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert rectification: %w", err)
	}
	if err := t.rollup(ctx, u.Path, cycleID, nil, &rollState{status: rectification.Planning}); err != nil {
		return 0, err
	}
	if err := t.event(ctx, by, id, "created", "", ""); err != nil {
		return 0, err
	}
	return id, t.audit(ctx, by, change{action: "rectification.create", objectType: "rectification", objectID: id, unit: &u,
		after: map[string]any{"finding_id": findingID}})
}

// event appends to an item's timeline.
func (t *Tx) event(ctx context.Context, by audit.Actor, id int64, kind, text, detail string) error {
	_, err := t.eventID(ctx, by, id, kind, text, detail)
	return err
}

func (t *Tx) eventID(ctx context.Context, by audit.Actor, id int64, kind, text, detail string) (int64, error) {
	var user any
	name := by.Login
	if by.UserID != 0 {
		user = by.UserID
		_ = t.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, by.UserID).Scan(&name)
	}
	var eid int64
	err := t.queryRow(ctx, `INSERT INTO rectification_events (rectification_id, at, user_id, user_name, kind, text, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, t.s.Now().UnixMicro(), user, name, kind, text, detail).Scan(&eid)
	return eid, err
}

// rollState is what of an item the counters count.
type rollState struct {
	status   rectification.Status
	deadline string
	closedOn string
	created  time.Time
}

// counts are an item's contribution to the counters: +1 or -1 times each.
func (r *rollState) counts(sign int) [7]int {
	var c [7]int // total, planning, in progress, awaiting, closed, closed on time, days to close
	if r == nil {
		return c
	}
	c[0] = sign
	switch r.status {
	case rectification.Planning:
		c[1] = sign
	case rectification.InProgress:
		c[2] = sign
	case rectification.AwaitingVerification:
		c[3] = sign
	case rectification.Closed:
		c[4] = sign
		if r.deadline != "" && r.closedOn <= r.deadline {
			c[5] = sign
		}
		if d, err := time.Parse(rectification.Date, r.closedOn); err == nil {
			c[6] = sign * max(0, int(d.Sub(rectification.Day(r.created)).Hours()/24))
		}
	}
	return c
}

// openDay is the deadline day an open item is counted on, "" if none.
func (r *rollState) openDay() string {
	if r == nil || r.status == rectification.Closed {
		return ""
	}
	return r.deadline
}

// rollup moves an item's contribution from before to after (either may be
// nil) in the counters of its unit and every ancestor: a handful of rows,
// in the transaction of the change.
func (t *Tx) rollup(ctx context.Context, path string, cycleID int64, before, after *rollState) error {
	var d [7]int
	b, a := before.counts(-1), after.counts(1)
	nonzero := false
	for i := range d {
		d[i] = b[i] + a[i]
		nonzero = nonzero || d[i] != 0
	}
	ids := unit.Ancestors(path)
	if nonzero {
		var sb strings.Builder
		args := make([]any, 0, len(ids)*9)
		for i, id := range ids {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, id, cycleID, d[0], d[1], d[2], d[3], d[4], d[5], d[6])
		}
		if _, err := t.exec(ctx, `INSERT INTO rollups (unit_id, cycle_id, total, planning, in_progress, awaiting, closed, closed_on_time, days_to_close)
			VALUES `+sb.String()+` ON CONFLICT (unit_id, cycle_id) DO UPDATE SET total = rollups.total + excluded.total,
			planning = rollups.planning + excluded.planning, in_progress = rollups.in_progress + excluded.in_progress,
			awaiting = rollups.awaiting + excluded.awaiting, closed = rollups.closed + excluded.closed,
			closed_on_time = rollups.closed_on_time + excluded.closed_on_time, days_to_close = rollups.days_to_close + excluded.days_to_close`,
			args...); err != nil {
			return fmt.Errorf("rollups: %w", err)
		}
	}
	from, to := before.openDay(), after.openDay()
	if from == to {
		return nil
	}
	for _, day := range []struct {
		day   string
		delta int
	}{{from, -1}, {to, 1}} {
		if day.day == "" {
			continue
		}
		var sb strings.Builder
		args := make([]any, 0, len(ids)*4)
		for i, id := range ids {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?)")
			args = append(args, id, cycleID, day.day, day.delta)
		}
		if _, err := t.exec(ctx, `INSERT INTO rollup_deadlines (unit_id, cycle_id, day, open) VALUES `+sb.String()+`
			ON CONFLICT (unit_id, cycle_id, day) DO UPDATE SET open = rollup_deadlines.open + excluded.open`, args...); err != nil {
			return fmt.Errorf("rollup deadlines: %w", err)
		}
	}
	return nil
}

func stateOf(x rectification.Rectification) *rollState {
	return &rollState{status: x.Status, deadline: x.Deadline, closedOn: x.ClosedOn, created: x.CreatedAt}
}

// SavePlan stores an item's plan. While planning, the deadline is set
// freely (not before today) and becomes the original one; once the work
// has started it moves only by an approved extension.
func (s *Store) SavePlan(ctx context.Context, by audit.Actor, id, version int64, p rectification.Plan) (rectification.Rectification, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		x, err := tx.rectForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		if err := checkPlan(x, &p, s.Now()); err != nil {
			return err
		}
		return tx.applyPlan(ctx, by, x, p)
	})
	if err != nil {
		return rectification.Rectification{}, err
	}
	return s.Rectification(ctx, id)
}

// MoveRectification takes a step of the status machine. Verifying closes
// the item on today's date and, when every item of the finding is closed,
// the finding; reopening starts a new round. Who may take which step is the
// policy's; that the verifier is not the submitter is checked here, where
// the submitter is known.
func (s *Store) MoveRectification(ctx context.Context, by audit.Actor, id, version int64, m rectification.Move, reason string) (rectification.Rectification, error) {
	reason = strings.TrimSpace(reason)
	err := s.Tx(ctx, func(tx *Tx) error {
		x, err := tx.rectForUpdate(ctx, id, version)
		if err != nil {
			return err
		}
		to, err := rectification.Next(x.Status, m)
		if err != nil {
			return err
		}
		if m.NeedsReason() && reason == "" {
			return apperr.Field("reason", "err.required")
		}
		after := *stateOf(x)
		after.status = to
		set := `status = ?, version = version + 1, updated_at = ?`
		args := []any{string(to), unix(s.Now())}
		switch m {
		case rectification.Start:
			if !x.Planned() {
				return apperr.New(apperr.Conflict, "err.plan_incomplete")
			}
		case rectification.Submit:
			set += `, submitted_by = ?`
			args = append(args, by.UserID)
		case rectification.Verify:
			if by.UserID != 0 && by.UserID == x.SubmittedBy {
				return apperr.New(apperr.Forbidden, "err.verify_own")
			}
			after.closedOn = s.Now().Format(rectification.Date)
			set += `, closed_on = ?`
			args = append(args, after.closedOn)
		case rectification.Reopen:
			after.closedOn = ""
			set += `, closed_on = '', round = round + 1`
		}
		if _, err := tx.exec(ctx, `UPDATE rectifications SET `+set+` WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		if err := tx.rollup(ctx, x.UnitPath, x.CycleID, stateOf(x), &after); err != nil {
			return err
		}
		if err := tx.rollupRaised(ctx, x.Finding.RaisedByPath, x.CycleID, awaiting(to)-awaiting(x.Status), 0); err != nil {
			return err
		}
		if err := tx.settleFinding(ctx, x.Finding.ID); err != nil {
			return err
		}
		if err := tx.event(ctx, by, id, string(m), reason, ""); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "rectification." + string(m), objectType: "rectification", objectID: id,
			unit: &unit.Unit{ID: x.UnitID, Path: x.UnitPath}, before: map[string]any{"status": x.Status},
			after: map[string]any{"status": to, "reason": reason}})
	})
	if err != nil {
		return rectification.Rectification{}, err
	}
	return s.Rectification(ctx, id)
}

// settleFinding closes a finding whose items are all closed, and opens it
// again when one is reopened.
func (t *Tx) settleFinding(ctx context.Context, findingID int64) error {
	// The finding's lock first, as SplitFinding takes it: on PostgreSQL
	// the items are then read with a snapshot taken after a concurrent
	// split committed, not before.
	before, err := t.findingState(ctx, findingID)
	if err != nil {
		return fmt.Errorf("settle finding: %w", err)
	}
	var open int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM rectifications WHERE finding_id = ? AND status <> 'closed'`, findingID).Scan(&open); err != nil {
		return err
	}
	after := before
	after.closed = open == 0
	if after == before {
		return nil
	}
	status := finding.Open
	if after.closed {
		status = finding.Closed
	}
	if _, err := t.exec(ctx, `UPDATE findings SET status = ? WHERE id = ?`, string(status), findingID); err != nil {
		return err
	}
	return t.recount(ctx, before, after)
}

// AddUpdate records progress on an item, with evidence files checked as a
// report's are; its text becomes the item's progress in the ledger.
func (s *Store) AddUpdate(ctx context.Context, by audit.Actor, id int64, text string, files []Upload, maxSize int64) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return apperr.Field("text", "err.required")
	}
	if utf8.RuneCountInString(text) > rectification.MaxTextLen {
		return apperr.Field("text", "err.too_long", rectification.MaxTextLen)
	}
	checked, err := checkUploads(files, maxSize)
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		x, err := tx.rectForUpdate(ctx, id, 0)
		if err != nil {
			return err
		}
		if err := checkUpdate(x, text); err != nil {
			return err
		}
		return tx.applyUpdate(ctx, by, x, text, checked)
	})
}

// checkPlan holds the plan's rules: while planning the deadline is set
// freely (not before today); once the work has started it moves only by an
// approved extension; after that the plan is fixed.
func checkPlan(x rectification.Rectification, p *rectification.Plan, now time.Time) error {
	switch x.Status {
	case rectification.Planning:
	case rectification.InProgress:
		if p.Deadline != x.Deadline {
			return apperr.Field("deadline", "err.deadline_by_extension")
		}
	default:
		return apperr.New(apperr.Conflict, "err.plan_fixed", string(x.Status))
	}
	err := p.Normalize(now, x.Deadline)
	if e, ok := apperr.As(err); ok && e.Field == "deadline" && p.Deadline == "" {
		return apperr.Field("deadline", "err.required") // not a malformed date: none at all
	}
	return err
}

// applyPlan stores a checked plan: the deadline set while
// planning becomes the original one; the counters follow the deadline.
func (t *Tx) applyPlan(ctx context.Context, by audit.Actor, x rectification.Rectification, p rectification.Plan) error {
	original := x.OriginalDeadline
	if x.Status == rectification.Planning {
		original = p.Deadline
	}
	if _, err := t.exec(ctx, `UPDATE rectifications SET measures = ?, owner = ?, responsible_leader = ?, kind = ?, deadline = ?,
		original_deadline = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		p.Measures, p.Owner, p.ResponsibleLeader, string(p.Kind), p.Deadline, original, unix(t.s.Now()), x.ID); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	after := *stateOf(x)
	after.deadline = p.Deadline
	if err := t.rollup(ctx, x.UnitPath, x.CycleID, stateOf(x), &after); err != nil {
		return err
	}
	if err := t.event(ctx, by, x.ID, "plan", p.Measures, p.Deadline); err != nil {
		return err
	}
	return t.audit(ctx, by, change{action: "rectification.plan", objectType: "rectification", objectID: x.ID,
		unit: &unit.Unit{ID: x.UnitID, Path: x.UnitPath}, before: x.Plan, after: p})
}

// checkUpdate holds an update's rules for the text and the item.
func checkUpdate(x rectification.Rectification, text string) error {
	if utf8.RuneCountInString(text) > rectification.MaxTextLen {
		return apperr.Field("progress", "err.too_long", rectification.MaxTextLen)
	}
	if x.Status == rectification.Closed {
		return apperr.New(apperr.Conflict, "err.rect_closed")
	}
	return nil
}

// applyUpdate records a checked progress update with its checked evidence
// files: a timeline event whose text becomes the item's
// progress.
func (t *Tx) applyUpdate(ctx context.Context, by audit.Actor, x rectification.Rectification, text string, files []checkedUpload) error {
	eid, err := t.eventID(ctx, by, x.ID, "update", text, "")
	if err != nil {
		return err
	}
	if err := t.insertFiles(ctx, eid, files); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE rectifications SET progress = ?, updated_at = ? WHERE id = ?`, text, unix(t.s.Now()), x.ID); err != nil {
		return fmt.Errorf("save progress: %w", err)
	}
	return t.audit(ctx, by, change{action: "rectification.update", objectType: "rectification", objectID: x.ID,
		unit: &unit.Unit{ID: x.UnitID, Path: x.UnitPath}, after: map[string]any{"text": text, "files": len(files)}})
}

// Timeline lists an item's events, oldest first, with their files.
func (s *Store) Timeline(ctx context.Context, id int64) ([]rectification.Event, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id, at, user_name, kind, text, detail FROM rectification_events
		WHERE rectification_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	events, err := collect(rows, func(r interface{ Scan(...any) error }) (rectification.Event, error) {
		var e rectification.Event
		var at int64
		err := r.Scan(&e.ID, &at, &e.UserName, &e.Kind, &e.Text, &e.Detail)
		e.At = time.UnixMicro(at).UTC()
		return e, err
	})
	if err != nil {
		return nil, err
	}
	rows, err = s.rd(ctx).QueryContext(ctx, s.q(`SELECT f.event_id, f.id, f.name, f.kind, f.size FROM event_files f
		JOIN rectification_events e ON e.id = f.event_id WHERE e.rectification_id = ? ORDER BY f.id`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byEvent := map[int64]int{}
	for i, e := range events {
		byEvent[e.ID] = i
	}
	for rows.Next() {
		var eid int64
		var f rectification.File
		if err := rows.Scan(&eid, &f.ID, &f.Name, &f.Kind, &f.Size); err != nil {
			return nil, err
		}
		i := byEvent[eid]
		events[i].Files = append(events[i].Files, f)
	}
	return events, rows.Err()
}
