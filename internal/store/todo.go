package store

// The to-do's candidates (internal/todo): what waits on a person, read from
// indexes and counters, never by scanning the items. The store finds the
// candidates of the units given; internal/action keeps those the person
// may act on, asking each entry's row of the decision table.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"zeren/internal/appraisal"
	"zeren/internal/assessment"
	"zeren/internal/cycle"
	"zeren/internal/rectification"
	"zeren/internal/todo"
)

// TodoCandidate is an entry found for the units given, with the paths its
// decision is taken on: the object's unit, its cycle's reviewing unit and
// the level that raised it.
type TodoCandidate struct {
	todo.Entry
	UnitPath, CyclePath, RaiserPath string
}

// idList writes ids as "?, ?, ?" with their arguments.
func idList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", "), args
}

// TodoReports lists the reports of the units still to write (draft) or to
// rewrite (returned) while their cycle takes reports, with the count of
// carried-over findings each has not answered (index reports_unit).
func (s *Store) TodoReports(ctx context.Context, unitIDs []int64) ([]TodoCandidate, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	in, args := idList(unitIDs)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT r.id, r.status, r.cycle_id, c.title, c.deadline, u.id, u.name, u.path, cu.path,
		(SELECT COUNT(*) FROM report_carryovers rc WHERE rc.report_id = r.id AND rc.response = '')
		FROM reports r JOIN cycles c ON c.id = r.cycle_id JOIN units u ON u.id = r.unit_id JOIN units cu ON cu.id = c.unit_id
		JOIN participants p ON p.cycle_id = r.cycle_id AND p.unit_id = r.unit_id
		WHERE r.unit_id IN (`+in+`) AND r.status IN ('draft', 'returned') AND c.status IN ('reporting', 'reviewing') AND p.excused = ''`), args...)
	if err != nil {
		return nil, fmt.Errorf("todo reports: %w", err)
	}
	var out []TodoCandidate
	defer rows.Close()
	for rows.Next() {
		var c TodoCandidate
		var status string
		var open int
		if err := rows.Scan(&c.ObjectID, &status, &c.CycleID, &c.Title, &c.Deadline, &c.UnitID, &c.Unit, &c.UnitPath, &c.CyclePath, &open); err != nil {
			return nil, err
		}
		c.Kind, c.Count, c.Link = todo.ReportWrite, 1, "/reports/"+strconv.FormatInt(c.ObjectID, 10)
		if status == "returned" {
			c.Kind = todo.ReportRewrite
		}
		out = append(out, c)
		if open > 0 {
			co := c
			co.Kind, co.Count, co.Link = todo.Carryover, open, c.Link
			out = append(out, co)
		}
	}
	return out, rows.Err()
}

// TodoItems lists the open items of the units that need their unit: to
// plan, overdue, sent back by verification, or due within the warning days
// (index rectifications_unit; the last move from the item's timeline).
func (s *Store) TodoItems(ctx context.Context, unitIDs []int64) ([]TodoCandidate, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	in, args := idList(unitIDs)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT r.id, r.status, r.deadline, r.cycle_id, f.text, u.id, u.name, u.path, COALESCE(ru.path, ''),
		COALESCE((SELECT e.kind FROM rectification_events e WHERE e.rectification_id = r.id
			AND e.kind IN ('start', 'submit', 'verify', 'reject', 'reopen') ORDER BY e.id DESC LIMIT 1), '')
		FROM rectifications r JOIN findings f ON f.id = r.finding_id JOIN units u ON u.id = r.unit_id LEFT JOIN units ru ON ru.id = f.raised_by
		WHERE r.unit_id IN (`+in+`) AND r.status IN ('planning', 'in_progress')`), args...)
	if err != nil {
		return nil, fmt.Errorf("todo items: %w", err)
	}
	now, warn := s.Now(), s.WarningDays()
	var out []TodoCandidate
	defer rows.Close()
	for rows.Next() {
		var c TodoCandidate
		var status, last string
		if err := rows.Scan(&c.ObjectID, &status, &c.Deadline, &c.CycleID, &c.Title, &c.UnitID, &c.Unit, &c.UnitPath, &c.RaiserPath, &last); err != nil {
			return nil, err
		}
		c.Count, c.Link = 1, "/rectifications/"+strconv.FormatInt(c.ObjectID, 10)
		w := rectification.WarningOf(rectification.Status(status), c.Deadline, now, warn)
		switch {
		case status == string(rectification.Planning):
			c.Kind = todo.ItemPlan
		case w == rectification.Red:
			c.Kind = todo.ItemOverdue
		case last == string(rectification.Reject):
			c.Kind = todo.ItemRejected
		case w == rectification.Yellow:
			c.Kind = todo.ItemDueSoon
		default:
			continue
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// TodoUrges lists the notices on the units' items still unanswered and not
// replaced by a notice of the next level (indexes rectifications_unit and
// urges_item).
func (s *Store) TodoUrges(ctx context.Context, unitIDs []int64) ([]TodoCandidate, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	in, args := idList(unitIDs)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT g.id, g.level, g.reply_by, r.id, r.cycle_id, f.text, u.id, u.name, u.path, COALESCE(ru.path, '')
		FROM rectifications r JOIN urges g ON g.rectification_id = r.id JOIN findings f ON f.id = r.finding_id
		JOIN units u ON u.id = r.unit_id LEFT JOIN units ru ON ru.id = f.raised_by
		WHERE r.unit_id IN (`+in+`) AND g.reply = '' AND g.escalated_to IS NULL`), args...)
	if err != nil {
		return nil, fmt.Errorf("todo urges: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (TodoCandidate, error) {
		var c TodoCandidate
		var item int64
		err := r.Scan(&c.ObjectID, &c.Detail, &c.Deadline, &item, &c.CycleID, &c.Title, &c.UnitID, &c.Unit, &c.UnitPath, &c.RaiserPath)
		c.Kind, c.Count, c.Link = todo.UrgeReply, 1, "/rectifications/"+strconv.FormatInt(item, 10)+"#urge-"+strconv.FormatInt(c.ObjectID, 10)
		return c, err
	})
}

// TodoCycles lists, for the open cycles the units run, the next step and
// what their reviewing unit has to do: submitted reports to accept or
// return, drafted comments to publish, manual assessment scores to enter
// (index cycles' (unit_id, year), then per cycle reports_cycle_status).
func (s *Store) TodoCycles(ctx context.Context, unitIDs []int64) ([]TodoCandidate, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	in, args := idList(unitIDs)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT c.id, c.title, c.status, c.deadline, u.id, u.name, u.path,
		(SELECT COUNT(*) FROM reports r WHERE r.cycle_id = c.id AND r.status = 'submitted'),
		(SELECT COUNT(*) FROM reports r JOIN comments m ON m.report_id = r.id WHERE r.cycle_id = c.id AND m.published_at IS NULL),
		COALESCE((SELECT a.scheme FROM assessments a WHERE a.cycle_id = c.id AND a.status = 'draft'), ''),
		(SELECT COUNT(*) FROM assessment_manual am JOIN assessments a ON a.id = am.assessment_id WHERE a.cycle_id = c.id),
		(SELECT COUNT(*) FROM participants p WHERE p.cycle_id = c.id AND p.excused = '')
		FROM cycles c JOIN units u ON u.id = c.unit_id WHERE c.unit_id IN (`+in+`) AND c.status <> 'closed'`), args...)
	if err != nil {
		return nil, fmt.Errorf("todo cycles: %w", err)
	}
	var out []TodoCandidate
	defer rows.Close()
	for rows.Next() {
		var c TodoCandidate
		var status, scheme string
		var submitted, drafts, entered, participants int
		if err := rows.Scan(&c.CycleID, &c.Title, &status, &c.Deadline, &c.UnitID, &c.Unit, &c.UnitPath,
			&submitted, &drafts, &scheme, &entered, &participants); err != nil {
			return nil, err
		}
		c.CyclePath = c.UnitPath
		id := strconv.FormatInt(c.CycleID, 10)
		step := c
		step.Kind, step.Count, step.ObjectID, step.Link, step.Detail = todo.CycleStep, 1, c.CycleID, "/cycles/"+id, string(cycle.Status(status).Next())
		out = append(out, step)
		if submitted > 0 {
			e := c
			e.Kind, e.Count, e.Link = todo.ReportReview, submitted, "/cycles/"+id
			out = append(out, e)
		}
		if drafts > 0 {
			e := c
			e.Kind, e.Count, e.Link = todo.CommentPublish, drafts, "/cycles/"+id+"/comments"
			out = append(out, e)
		}
		if missing := manualMissing(status, scheme, participants, entered); missing > 0 {
			e := c
			e.Kind, e.Count, e.Link = todo.AssessmentScores, missing, "/cycles/"+id+"/assessment"
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// manualMissing is how many manual scores a cycle being assessed still
// lacks: one per manual indicator per participating unit.
func manualMissing(status, scheme string, participants, entered int) int {
	if cycle.Status(status) != cycle.Assessing || scheme == "" {
		return 0
	}
	var sc assessment.Scheme
	if json.Unmarshal([]byte(scheme), &sc) != nil {
		return 0
	}
	n := 0
	for _, in := range sc.Indicators {
		if in.Source == assessment.FromManual {
			n++
		}
	}
	return max(0, n*participants-entered)
}

// TodoRaised lists, per cycle, the items awaiting verification and the
// extension requests pending whose finding was raised in the subtree of
// each unit given: one counter row per cycle (rollup_raised).
func (s *Store) TodoRaised(ctx context.Context, unitIDs []int64) ([]TodoCandidate, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	in, args := idList(unitIDs)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT t.unit_id, u.name, u.path, t.cycle_id, c.title, t.awaiting, t.extensions
		FROM rollup_raised t JOIN units u ON u.id = t.unit_id JOIN cycles c ON c.id = t.cycle_id
		WHERE t.unit_id IN (`+in+`) AND (t.awaiting > 0 OR t.extensions > 0)`), args...)
	if err != nil {
		return nil, fmt.Errorf("todo raised: %w", err)
	}
	var out []TodoCandidate
	defer rows.Close()
	for rows.Next() {
		var c TodoCandidate
		var awaiting, extensions int
		if err := rows.Scan(&c.UnitID, &c.Unit, &c.UnitPath, &c.CycleID, &c.Title, &awaiting, &extensions); err != nil {
			return nil, err
		}
		c.RaiserPath = c.UnitPath
		if awaiting > 0 {
			e := c
			e.Kind, e.Count = todo.Verify, awaiting
			e.Link = "/ledger?" + "cycle=" + strconv.FormatInt(c.CycleID, 10) + "&status=" + string(rectification.AwaitingVerification) +
				"&unit=" + strconv.FormatInt(c.UnitID, 10)
			out = append(out, e)
		}
		if extensions > 0 {
			e := c
			e.Kind, e.Count = todo.Extension, extensions
			out = append(out, e)
		}
	}
	return out, rows.Err()
}

// TodoExtensions lists the pending extension requests one by one, with the
// level that raised each item (partial index extensions_pending: the
// requests waiting for a decision, few at any time). At most limit.
func (s *Store) TodoExtensions(ctx context.Context, limit int) ([]TodoCandidate, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT e.id, e.deadline, r.id, r.deadline, r.cycle_id, f.text, u.id, u.name, u.path, COALESCE(ru.path, '')
		FROM extensions e JOIN rectifications r ON r.id = e.rectification_id JOIN findings f ON f.id = r.finding_id
		JOIN units u ON u.id = r.unit_id LEFT JOIN units ru ON ru.id = f.raised_by
		WHERE e.status = 'pending' ORDER BY r.deadline, e.id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("todo extensions: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (TodoCandidate, error) {
		var c TodoCandidate
		var ext int64
		err := r.Scan(&ext, &c.Detail, &c.ObjectID, &c.Deadline, &c.CycleID, &c.Title, &c.UnitID, &c.Unit, &c.UnitPath, &c.RaiserPath)
		c.Kind, c.Count, c.Link = todo.Extension, 1, "/rectifications/"+strconv.FormatInt(c.ObjectID, 10)
		return c, err
	})
}

// TodoBallots lists the open appraisals the user is invited to and has not
// voted in (index appraisal_voters_user).
func (s *Store) TodoBallots(ctx context.Context, userID int64) ([]TodoCandidate, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT a.id, c.id, c.title, u.id, u.name, u.path
		FROM appraisal_voters v JOIN appraisals a ON a.id = v.appraisal_id JOIN cycles c ON c.id = a.cycle_id JOIN units u ON u.id = c.unit_id
		WHERE v.user_id = ? AND a.status = 'open'
		AND NOT EXISTS (SELECT 1 FROM voter_marks m WHERE m.appraisal_id = a.id AND m.voter = ?)`),
		userID, appraisal.VoterKey(userID, ""))
	if err != nil {
		return nil, fmt.Errorf("todo ballots: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (TodoCandidate, error) {
		var c TodoCandidate
		err := r.Scan(&c.ObjectID, &c.CycleID, &c.Title, &c.UnitID, &c.Unit, &c.UnitPath)
		c.CyclePath = c.UnitPath
		c.Kind, c.Count, c.Link = todo.Ballot, 1, "/appraisals/"+strconv.FormatInt(c.ObjectID, 10)+"/ballot"
		return c, err
	})
}
