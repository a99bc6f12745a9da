package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
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
// its unit's report of the cycle that starts reporting, and carries the
// open items of those findings into the cycle: they stay in their own
// cycle's ledger and figures, and the new cycle's ledger lists them too.
func (t *Tx) linkCarryOvers(ctx context.Context, cycleID int64) error {
	if _, err := t.exec(ctx, `INSERT INTO report_carryovers (report_id, finding_id)
		SELECT r.id, f.id FROM reports r
		JOIN cycles c ON c.id = r.cycle_id
		JOIN findings f ON f.unit_id = r.unit_id AND f.status = 'open'
		JOIN cycles fc ON fc.id = f.cycle_id AND fc.year < c.year
		WHERE r.cycle_id = ? AND NOT EXISTS (SELECT 1 FROM report_carryovers x WHERE x.report_id = r.id AND x.finding_id = f.id)`, cycleID); err != nil {
		return fmt.Errorf("carry findings over: %w", err)
	}
	_, err := t.exec(ctx, `INSERT INTO carried_items (cycle_id, rectification_id)
		SELECT r.cycle_id, x.id FROM report_carryovers rc
		JOIN reports r ON r.id = rc.report_id
		JOIN rectifications x ON x.finding_id = rc.finding_id AND x.status <> 'closed'
		WHERE r.cycle_id = ? AND NOT EXISTS (SELECT 1 FROM carried_items ci WHERE ci.cycle_id = r.cycle_id AND ci.rectification_id = x.id)`, cycleID)
	if err != nil {
		return fmt.Errorf("carry items over: %w", err)
	}
	return nil
}

// CarryOvers returns the findings carried into a report, oldest first, with
// the unit's answers.
func (s *Store) CarryOvers(ctx context.Context, reportID int64) ([]finding.CarryOver, error) {
	return carryOvers(ctx, s.rd(ctx), s, reportID)
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
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, carriedItems(ctx, q, s, reportID, out)
}

// carriedItems adds to a report's carried-over findings the items carried
// into its cycle, so that the report links to where the work stands.
func carriedItems(ctx context.Context, q querier, s *Store, reportID int64, cs []finding.CarryOver) error {
	rows, err := q.QueryContext(ctx, s.q(`SELECT x.id, x.finding_id, x.status FROM reports r
		JOIN carried_items ci ON ci.cycle_id = r.cycle_id
		JOIN rectifications x ON x.id = ci.rectification_id AND x.unit_id = r.unit_id
		WHERE r.id = ? ORDER BY x.id`), reportID)
	if err != nil {
		return fmt.Errorf("carried items: %w", err)
	}
	defer rows.Close()
	at := map[int64]int{}
	for i, c := range cs {
		at[c.Finding.ID] = i
	}
	for rows.Next() {
		var it finding.ItemRef
		var fid int64
		if err := rows.Scan(&it.ID, &fid, &it.Status); err != nil {
			return err
		}
		if i, ok := at[fid]; ok {
			cs[i].Items = append(cs[i].Items, it)
		}
	}
	return rows.Err()
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

// BallotComment is the comment of an appraisal ballot as a finding may be
// made of it: the report the ballot rates, that report's unit and cycle,
// and the finding the comment already became, if any.
type BallotComment struct {
	BallotID  string
	Appraisal appraisal.Appraisal // its status, minimum of ballots and the unit running the cycle
	ReportID  int64
	UnitID    int64
	UnitName  string
	UnitPath  string
	CycleID   int64
	Text      string
	Valid     int   // the report's valid ballots
	FindingID int64 // the finding it became, 0 if none
}

// Check says why the comment may not become a finding, if it may not.
func (b BallotComment) Check() error {
	switch {
	case b.Appraisal.Status != appraisal.Closed:
		return apperr.Field("ballot_id", "err.ballot_not_closed")
	case b.Valid < b.Appraisal.MinBallots:
		// The results show no comment of a report below the minimum (they
		// could point at the few who voted), so there is none to promote.
		return apperr.Field("ballot_id", "err.no_such_ballot")
	case b.FindingID != 0:
		return apperr.Field("ballot_id", "err.ballot_promoted")
	}
	return nil
}

// BallotComment returns the comment of the ballot with the id; a ballot
// that does not exist or has no comment is bad input naming ballot_id.
func (s *Store) BallotComment(ctx context.Context, id string) (BallotComment, error) {
	return ballotComment(ctx, s.rd(ctx), s, id)
}

func ballotComment(ctx context.Context, q querier, s *Store, id string) (BallotComment, error) {
	b := BallotComment{BallotID: strings.TrimSpace(id)}
	if b.BallotID == "" || len(b.BallotID) > 64 {
		return b, apperr.Field("ballot_id", "err.no_such_ballot")
	}
	var appraisalID int64
	err := q.QueryRowContext(ctx, s.q(`SELECT b.appraisal_id, b.report_id, r.unit_id, un.name, un.path, r.cycle_id, b.comment,
		(SELECT COUNT(*) FROM ballots v WHERE v.appraisal_id = b.appraisal_id AND v.report_id = b.report_id AND v.grade <> ?),
		COALESCE((SELECT f.id FROM findings f WHERE f.ballot_id = b.id AND f.ballot_id <> ''), 0)
		FROM ballots b JOIN reports r ON r.id = b.report_id JOIN units un ON un.id = r.unit_id WHERE b.id = ?`), appraisal.DontKnow, b.BallotID).
		Scan(&appraisalID, &b.ReportID, &b.UnitID, &b.UnitName, &b.UnitPath, &b.CycleID, &b.Text, &b.Valid, &b.FindingID)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && b.Text == "":
		return b, apperr.Field("ballot_id", "err.no_such_ballot")
	case err != nil:
		return b, fmt.Errorf("ballot comment: %w", err)
	}
	b.Appraisal, err = scanAppraisal(q.QueryRowContext(ctx, s.q(`SELECT `+appraisalCols+appraisalFrom+` WHERE a.id = ?`), appraisalID))
	return b, err
}

// PromoteComment records a finding made of the comment of a closed
// appraisal's ballot, as an organizer reads it in the results: its source
// is the appraisal; its unit, cycle and report are those the ballot rates
// (fields of f left zero are taken from there, others must agree); it
// names the ballot, so that each comment becomes one finding at most.
func (s *Store) PromoteComment(ctx context.Context, by audit.Actor, ballotID string, f finding.Finding) (finding.Finding, error) {
	if f.Source == "" {
		f.Source = finding.Appraisal
	}
	if f.Source != finding.Appraisal {
		return f, apperr.Field("source", "err.ballot_source")
	}
	if err := f.Normalize(); err != nil {
		return f, err
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		b, err := ballotComment(ctx, tx.tx, s, ballotID)
		if err != nil {
			return err
		}
		if err := b.Check(); err != nil {
			return err
		}
		if f.ReportID != 0 && f.ReportID != b.ReportID || f.UnitID != 0 && f.UnitID != b.UnitID || f.CycleID != 0 && f.CycleID != b.CycleID {
			return apperr.Field("ballot_id", "err.ballot_other_report")
		}
		f.ReportID, f.UnitID, f.CycleID = b.ReportID, b.UnitID, b.CycleID
		u, err := tx.unitForUpdate(ctx, f.UnitID)
		if err != nil {
			return err
		}
		c, err := tx.cycleForUpdate(ctx, f.CycleID, 0)
		if err != nil {
			return err
		}
		f.CycleYear = c.Year
		if err := tx.insertFinding(ctx, by, &f, u); err != nil {
			return err
		}
		// The unique index decides between two organizers promoting the
		// same comment at once.
		if _, err := tx.exec(ctx, `UPDATE findings SET ballot_id = ? WHERE id = ?`, b.BallotID, f.ID); err != nil {
			if isUniqueViolation(err) {
				return apperr.Field("ballot_id", "err.ballot_promoted")
			}
			return fmt.Errorf("finding ballot: %w", err)
		}
		return tx.audit(ctx, by, change{action: "finding.promote", objectType: "finding", objectID: f.ID, unit: &u,
			after: map[string]any{"ballot_id": b.BallotID, "report_id": b.ReportID}})
	})
	return f, err
}
