package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/report"
	"zeren/internal/unit"
)

const appraisalCols = `a.id, a.cycle_id, c.unit_id, un.path, a.status, a.scale, a.area_grades, a.min_ballots, a.opened_at, a.closed_at, a.version`

const appraisalFrom = ` FROM appraisals a JOIN cycles c ON c.id = a.cycle_id JOIN units un ON un.id = c.unit_id`

func scanAppraisal(row interface{ Scan(...any) error }) (appraisal.Appraisal, error) {
	var a appraisal.Appraisal
	var scale string
	var opened, closed sql.NullInt64
	err := row.Scan(&a.ID, &a.CycleID, &a.UnitID, &a.UnitPath, &a.Status, &scale, &a.AreaGrades, &a.MinBallots, &opened, &closed, &a.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return a, err
	}
	if opened.Valid {
		t := fromUnix(opened.Int64)
		a.OpenedAt = &t
	}
	if closed.Valid {
		t := fromUnix(closed.Int64)
		a.ClosedAt = &t
	}
	return a, json.Unmarshal([]byte(scale), &a.Scale)
}

// Appraisal returns an appraisal with its rater groups.
func (s *Store) Appraisal(ctx context.Context, id int64) (appraisal.Appraisal, error) {
	a, err := scanAppraisal(s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+appraisalCols+appraisalFrom+` WHERE a.id = ?`), id))
	if err != nil {
		return a, err
	}
	a.Groups, err = raterGroups(ctx, s.rd(ctx), s, id)
	return a, err
}

// CycleAppraisal returns the appraisal of a cycle, NotFound if it has none.
func (s *Store) CycleAppraisal(ctx context.Context, cycleID int64) (appraisal.Appraisal, error) {
	var id int64
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT id FROM appraisals WHERE cycle_id = ?`), cycleID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return appraisal.Appraisal{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return appraisal.Appraisal{}, err
	}
	return s.Appraisal(ctx, id)
}

func raterGroups(ctx context.Context, q querier, s *Store, id int64) ([]appraisal.RaterGroup, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT id, name, weight FROM rater_groups WHERE appraisal_id = ? ORDER BY position`), id)
	if err != nil {
		return nil, fmt.Errorf("rater groups: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (appraisal.RaterGroup, error) {
		var g appraisal.RaterGroup
		return g, r.Scan(&g.ID, &g.Name, &g.Weight)
	})
}

// appraisalForUpdate locks an appraisal: exclusively for changes to it, or
// shared for votes, which must not cross its closing but not wait on each
// other either (on SQLite the write transaction serializes them anyway).
func (t *Tx) appraisalForUpdate(ctx context.Context, id, version int64, shared bool) (appraisal.Appraisal, error) {
	lock := t.forUpdate("a")
	if shared && lock != "" {
		lock = " FOR SHARE OF a"
	}
	a, err := scanAppraisal(t.queryRow(ctx, `SELECT `+appraisalCols+appraisalFrom+` WHERE a.id = ?`+lock, id))
	if err != nil {
		return a, err
	}
	if version != 0 && a.Version != version {
		return a, staleVersion()
	}
	a.Groups, err = raterGroups(ctx, t.tx, t.s, id)
	return a, err
}

func (t *Tx) auditAppraisal(ctx context.Context, by audit.Actor, action string, a appraisal.Appraisal, before, after any) error {
	return t.audit(ctx, by, change{action: action, objectType: "appraisal", objectID: a.ID,
		unit: &unit.Unit{ID: a.UnitID, Path: a.UnitPath}, before: before, after: after})
}

// CreateAppraisal sets up the appraisal of a cycle; a cycle has one.
func (s *Store) CreateAppraisal(ctx context.Context, by audit.Actor, cycleID int64, a appraisal.Appraisal) (appraisal.Appraisal, error) {
	if err := a.Normalize(); err != nil {
		return a, err
	}
	scale, _ := json.Marshal(a.Scale)
	err := s.Tx(ctx, func(tx *Tx) error {
		c, err := tx.cycleForUpdate(ctx, cycleID, 0)
		if err != nil {
			return err
		}
		if c.Status == cycle.Closed {
			return apperr.New(apperr.Conflict, "err.cycle_closed")
		}
		now := unix(s.Now())
		err = tx.queryRow(ctx, `INSERT INTO appraisals (cycle_id, scale, area_grades, min_ballots, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, cycleID, string(scale), a.AreaGrades, a.MinBallots, now, now).Scan(&a.ID)
		if isUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "err.appraisal_exists")
		}
		if err != nil {
			return fmt.Errorf("insert appraisal: %w", err)
		}
		a.CycleID, a.UnitID, a.UnitPath, a.Status, a.Version = cycleID, c.UnitID, c.UnitPath, appraisal.Setup, 1
		if err := tx.saveGroups(ctx, a.ID, nil, a.Groups); err != nil {
			return err
		}
		return tx.auditAppraisal(ctx, by, "appraisal.create", a, nil, a)
	})
	if err != nil {
		return a, err
	}
	return s.Appraisal(ctx, a.ID)
}

// UpdateAppraisal changes the setup while voting has not opened. Groups
// keep their ids; a group that voters or codes belong to cannot be removed.
func (s *Store) UpdateAppraisal(ctx context.Context, by audit.Actor, id, version int64, a appraisal.Appraisal) (appraisal.Appraisal, error) {
	if err := a.Normalize(); err != nil {
		return a, err
	}
	scale, _ := json.Marshal(a.Scale)
	err := s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.appraisalForUpdate(ctx, id, version, false)
		if err != nil {
			return err
		}
		if err := before.CheckEdit(); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE appraisals SET scale = ?, area_grades = ?, min_ballots = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, string(scale), a.AreaGrades, a.MinBallots, unix(s.Now()), id); err != nil {
			return err
		}
		if err := tx.saveGroups(ctx, id, before.Groups, a.Groups); err != nil {
			return err
		}
		return tx.auditAppraisal(ctx, by, "appraisal.update", before, before, a)
	})
	if err != nil {
		return a, err
	}
	return s.Appraisal(ctx, id)
}

// saveGroups makes the appraisal's groups those given, in order: a group
// with an id of the old ones is updated, one without is added, and old ones
// left out are removed if nobody belongs to them.
func (t *Tx) saveGroups(ctx context.Context, id int64, old, groups []appraisal.RaterGroup) error {
	keep := map[int64]bool{}
	for i, g := range groups {
		if g.ID != 0 {
			if _, ok := (appraisal.Appraisal{Groups: old}).Group(g.ID); !ok {
				return apperr.Field("groups", "err.no_such_group", g.ID)
			}
			keep[g.ID] = true
			if _, err := t.exec(ctx, `UPDATE rater_groups SET position = ?, name = ?, weight = ? WHERE id = ?`, i, g.Name, g.Weight, g.ID); err != nil {
				return err
			}
			continue
		}
		if _, err := t.exec(ctx, `INSERT INTO rater_groups (appraisal_id, position, name, weight) VALUES (?, ?, ?, ?)`, id, i, g.Name, g.Weight); err != nil {
			return err
		}
	}
	for _, g := range old {
		if keep[g.ID] {
			continue
		}
		var used int
		if err := t.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM appraisal_voters WHERE group_id = ?) + (SELECT COUNT(*) FROM appraisal_codes WHERE group_id = ?)`,
			g.ID, g.ID).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return apperr.Field("groups", "err.group_in_use", g.Name)
		}
		if _, err := t.exec(ctx, `DELETE FROM rater_groups WHERE id = ?`, g.ID); err != nil {
			return err
		}
	}
	return nil
}

// MoveAppraisal opens voting (the cycle must be under review and someone
// must be able to vote) or closes it for good. Closing rewrites the ballots
// and voter marks in key order (see the migration).
func (s *Store) MoveAppraisal(ctx context.Context, by audit.Actor, id, version int64, to appraisal.Status) (appraisal.Appraisal, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		a, err := tx.appraisalForUpdate(ctx, id, version, false)
		if err != nil {
			return err
		}
		if err := a.CheckMove(to); err != nil {
			return err
		}
		now := unix(s.Now())
		switch to {
		case appraisal.Open:
			c, err := tx.cycleForUpdate(ctx, a.CycleID, 0)
			if err != nil {
				return err
			}
			if c.Status != cycle.Reviewing {
				return apperr.New(apperr.Conflict, "err.open_needs_reviewing")
			}
			var voters int
			if err := tx.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM appraisal_voters WHERE appraisal_id = ?) + (SELECT COUNT(*) FROM appraisal_codes WHERE appraisal_id = ?)`,
				id, id).Scan(&voters); err != nil {
				return err
			}
			if voters == 0 {
				return apperr.New(apperr.Conflict, "err.open_needs_voters")
			}
			_, err = tx.exec(ctx, `UPDATE appraisals SET status = 'open', opened_at = ?, version = version + 1, updated_at = ? WHERE id = ?`, now, now, id)
			if err != nil {
				return err
			}
		case appraisal.Closed:
			if _, err := tx.exec(ctx, `UPDATE appraisals SET status = 'closed', closed_at = ?, version = version + 1, updated_at = ? WHERE id = ?`, now, now, id); err != nil {
				return err
			}
			if err := tx.reshuffle(ctx, id); err != nil {
				return err
			}
		}
		return tx.auditAppraisal(ctx, by, "appraisal."+string(to), a, map[string]any{"status": a.Status}, map[string]any{"status": to})
	})
	if err != nil {
		return appraisal.Appraisal{}, err
	}
	return s.Appraisal(ctx, id)
}

// reshuffle deletes and re-inserts an appraisal's ballots and voter marks in
// the order of their keys, all in the closing transaction: afterwards no
// trace of the order or transaction in which they were written remains in
// the rows (PostgreSQL keeps both in a row's place and xmin).
func (t *Tx) reshuffle(ctx context.Context, id int64) error {
	rows, err := t.tx.QueryContext(ctx, t.s.q(`SELECT id, report_id, group_id, grade, area_grades, comment FROM ballots WHERE appraisal_id = ? ORDER BY id`), id)
	if err != nil {
		return err
	}
	type ballotRow struct {
		id             string
		report, group  int64
		grade          int
		areas, comment string
	}
	bs, err := collect(rows, func(r interface{ Scan(...any) error }) (ballotRow, error) {
		var b ballotRow
		return b, r.Scan(&b.id, &b.report, &b.group, &b.grade, &b.areas, &b.comment)
	})
	if err != nil {
		return err
	}
	rows, err = t.tx.QueryContext(ctx, t.s.q(`SELECT voter, group_id, submission FROM voter_marks WHERE appraisal_id = ? ORDER BY voter`), id)
	if err != nil {
		return err
	}
	type markRow struct {
		voter, submission string
		group             int64
	}
	ms, err := collect(rows, func(r interface{ Scan(...any) error }) (markRow, error) {
		var m markRow
		return m, r.Scan(&m.voter, &m.group, &m.submission)
	})
	if err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM ballots WHERE appraisal_id = ?`, `DELETE FROM voter_marks WHERE appraisal_id = ?`} {
		if _, err := t.exec(ctx, q, id); err != nil {
			return err
		}
	}
	err = insertRows(ctx, t, insertBallot, 7, len(bs), func(i int) []any {
		b := bs[i]
		return []any{b.id, id, b.report, b.group, b.grade, b.areas, b.comment}
	})
	if err != nil {
		return err
	}
	// The submission tokens have done their work once voting is over.
	return insertRows(ctx, t, `INSERT INTO voter_marks (appraisal_id, voter, group_id) VALUES `, 3, len(ms), func(i int) []any {
		return []any{id, ms[i].voter, ms[i].group}
	})
}

// insertRows inserts n rows of width values each, many per statement.
func insertRows(ctx context.Context, t *Tx, prefix string, width, n int, row func(int) []any) error {
	_, err := insertRowsThen(ctx, t, prefix, "", width, n, row)
	return err
}

// insertRowsThen is insertRows with a clause after the values (ON CONFLICT
// …); it returns how many rows went in.
func insertRowsThen(ctx context.Context, t *Tx, prefix, suffix string, width, n int, row func(int) []any) (int64, error) {
	const perStatement = 200
	var added int64
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	for start := 0; start < n; start += perStatement {
		end := min(start+perStatement, n)
		var b strings.Builder
		b.WriteString(prefix)
		args := make([]any, 0, (end-start)*width)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
			args = append(args, row(i)...)
		}
		b.WriteString(suffix)
		res, err := t.exec(ctx, b.String(), args...)
		if err != nil {
			return added, err
		}
		k, _ := res.RowsAffected()
		added += k
	}
	return added, nil
}

// groupToJoin locks an appraisal that voters and codes may still join, and
// checks that it has the rater group.
func (t *Tx) groupToJoin(ctx context.Context, id, groupID int64) (appraisal.Appraisal, error) {
	a, err := t.appraisalForUpdate(ctx, id, 0, false)
	if err != nil {
		return a, err
	}
	if a.Status == appraisal.Closed {
		return a, apperr.New(apperr.Conflict, "err.appraisal_closed")
	}
	if _, ok := a.Group(groupID); !ok {
		return a, apperr.Field("group_id", "err.no_such_group", groupID)
	}
	return a, nil
}

// Voters lists the users invited to vote, by group and name.
func (s *Store) Voters(ctx context.Context, id int64) ([]appraisal.Voter, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT v.user_id, u.login, u.name, v.group_id FROM appraisal_voters v
		JOIN users u ON u.id = v.user_id JOIN rater_groups g ON g.id = v.group_id
		WHERE v.appraisal_id = ? ORDER BY g.position, u.name, u.id`), id)
	if err != nil {
		return nil, fmt.Errorf("voters: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (appraisal.Voter, error) {
		var v appraisal.Voter
		return v, r.Scan(&v.UserID, &v.Login, &v.Name, &v.GroupID)
	})
}

// AddVoters invites users to vote in a rater group: those with the logins
// given, and, when role is set, every active user holding that role on a
// unit of the subtree at path. A user already invited moves to the group.
// It returns how many users were invited or moved.
func (s *Store) AddVoters(ctx context.Context, by audit.Actor, id, groupID int64, logins []string, role, path string) (int, error) {
	var n int
	err := s.Tx(ctx, func(tx *Tx) error {
		a, err := tx.groupToJoin(ctx, id, groupID)
		if err != nil {
			return err
		}
		var ids []int64
		for _, login := range logins {
			var uid int64
			err := tx.queryRow(ctx, `SELECT id FROM users WHERE login = ? AND disabled = ?`, login, false).Scan(&uid)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Field("logins", "err.no_such_login", login)
			}
			if err != nil {
				return err
			}
			ids = append(ids, uid)
		}
		if role != "" {
			lo, hi := unit.SubtreeRange(path)
			rows, err := tx.tx.QueryContext(ctx, s.q(`SELECT DISTINCT g.user_id FROM grants g JOIN units un ON un.id = g.unit_id
				JOIN users u ON u.id = g.user_id WHERE g.role = ? AND un.path >= ? AND un.path < ? AND u.disabled = ?`), role, lo, hi, false)
			if err != nil {
				return err
			}
			more, err := collect(rows, func(r interface{ Scan(...any) error }) (int64, error) {
				var id int64
				return id, r.Scan(&id)
			})
			if err != nil {
				return err
			}
			ids = append(ids, more...)
		}
		for _, uid := range ids {
			res, err := tx.exec(ctx, `INSERT INTO appraisal_voters (appraisal_id, user_id, group_id) VALUES (?, ?, ?)
				ON CONFLICT (appraisal_id, user_id) DO UPDATE SET group_id = excluded.group_id
				WHERE appraisal_voters.group_id <> excluded.group_id`, id, uid, groupID)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return tx.auditAppraisal(ctx, by, "appraisal.voters_add", a, nil, map[string]any{"group_id": groupID, "users": ids})
	})
	return n, err
}

// RemoveVoter withdraws an invitation, unless the user has voted.
func (s *Store) RemoveVoter(ctx context.Context, by audit.Actor, id, userID int64) error {
	return s.Tx(ctx, func(tx *Tx) error {
		a, err := tx.appraisalForUpdate(ctx, id, 0, false)
		if err != nil {
			return err
		}
		var voted int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM voter_marks WHERE appraisal_id = ? AND voter = ?`, id, appraisal.VoterKey(userID, "")).Scan(&voted); err != nil {
			return err
		}
		if voted > 0 {
			return apperr.New(apperr.Conflict, "err.voter_has_voted")
		}
		res, err := tx.exec(ctx, `DELETE FROM appraisal_voters WHERE appraisal_id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		return tx.auditAppraisal(ctx, by, "appraisal.voter_remove", a, map[string]any{"user_id": userID}, nil)
	})
}

// CreateCodes makes n one-time codes for a rater group and returns them;
// only their hashes are kept. unitID, if not 0, is the attendees' own unit.
func (s *Store) CreateCodes(ctx context.Context, by audit.Actor, id, groupID, unitID int64, n int) ([]appraisal.Code, error) {
	if n < 1 || n > appraisal.MaxCodesAtOnce {
		return nil, apperr.Field("count", "err.out_of_range", appraisal.MaxCodesAtOnce)
	}
	codes := make([]appraisal.Code, n)
	for i := range codes {
		codes[i] = appraisal.Code{Code: appraisal.NewCode(), GroupID: groupID, UnitID: unitID}
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		a, err := tx.groupToJoin(ctx, id, groupID)
		if err != nil {
			return err
		}
		var unitArg any
		if unitID != 0 {
			u, err := tx.unitForUpdate(ctx, unitID)
			if err != nil || !unit.Contains(a.UnitPath, u.Path) {
				return apperr.Field("unit_id", "err.no_such_unit", unitID)
			}
			unitArg = unitID
		}
		err = insertRows(ctx, tx, `INSERT INTO appraisal_codes (hash, appraisal_id, group_id, unit_id) VALUES `, 4, n, func(i int) []any {
			return []any{appraisal.HashCode(codes[i].Code), id, groupID, unitArg}
		})
		if err != nil {
			return err
		}
		return tx.auditAppraisal(ctx, by, "appraisal.codes", a, nil, map[string]any{"group_id": groupID, "unit_id": unitID, "count": n})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// Turnout counts, per rater group, the voters who have voted and those who
// may: invited users and codes.
func (s *Store) Turnout(ctx context.Context, a appraisal.Appraisal) ([]appraisal.Turnout, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT g.id,
		(SELECT COUNT(*) FROM voter_marks m WHERE m.appraisal_id = g.appraisal_id AND m.group_id = g.id),
		(SELECT COUNT(*) FROM appraisal_voters v WHERE v.group_id = g.id) + (SELECT COUNT(*) FROM appraisal_codes k WHERE k.group_id = g.id)
		FROM rater_groups g WHERE g.appraisal_id = ? ORDER BY g.position`), a.ID)
	if err != nil {
		return nil, fmt.Errorf("turnout: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (appraisal.Turnout, error) {
		var t appraisal.Turnout
		var gid int64
		err := r.Scan(&gid, &t.Voted, &t.Eligible)
		t.Group, _ = a.Group(gid)
		return t, err
	})
}

// BallotVoter is who is voting: an invited user or a one-time code, resolved to
// a rater group, the units whose reports they may not rate, and whether
// they have voted.
type BallotVoter struct {
	Appraisal appraisal.Appraisal
	Key       string // the voter mark
	GroupID   int64
	OwnUnits  []int64
	Voted     bool
}

// UserVoter resolves an invited user; NotFound if not invited. A user's
// own units are those where they hold a leader or staff grant.
func (s *Store) UserVoter(ctx context.Context, appraisalID, userID int64) (BallotVoter, error) {
	a, err := s.Appraisal(ctx, appraisalID)
	if err != nil {
		return BallotVoter{}, err
	}
	v := BallotVoter{Appraisal: a, Key: appraisal.VoterKey(userID, "")}
	err = s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT group_id FROM appraisal_voters WHERE appraisal_id = ? AND user_id = ?`), appraisalID, userID).Scan(&v.GroupID)
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.New(apperr.Forbidden, "err.not_a_voter")
	}
	if err != nil {
		return v, err
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT DISTINCT unit_id FROM grants WHERE user_id = ? AND role IN ('leader', 'staff')`), userID)
	if err != nil {
		return v, err
	}
	if v.OwnUnits, err = collect(rows, scanID); err != nil {
		return v, err
	}
	return v, s.markVoted(ctx, &v)
}

// CodeVoter resolves a one-time code as typed; an unknown or malformed one
// is a field error on "code".
func (s *Store) CodeVoter(ctx context.Context, code string) (BallotVoter, error) {
	code = appraisal.NormalizeCode(code)
	if code == "" {
		return BallotVoter{}, apperr.Field("code", "err.code_malformed")
	}
	hash := appraisal.HashCode(code)
	var id int64
	var own sql.NullInt64
	v := BallotVoter{Key: appraisal.VoterKey(0, hash)}
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT appraisal_id, group_id, unit_id FROM appraisal_codes WHERE hash = ?`), hash).Scan(&id, &v.GroupID, &own)
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.Field("code", "err.code_unknown")
	}
	if err != nil {
		return v, err
	}
	if own.Valid {
		v.OwnUnits = []int64{own.Int64}
	}
	if v.Appraisal, err = s.Appraisal(ctx, id); err != nil {
		return v, err
	}
	return v, s.markVoted(ctx, &v)
}

func (s *Store) markVoted(ctx context.Context, v *BallotVoter) error {
	var n int
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM voter_marks WHERE appraisal_id = ? AND voter = ?`), v.Appraisal.ID, v.Key).Scan(&n)
	v.Voted = n > 0
	return err
}

func scanID(r interface{ Scan(...any) error }) (int64, error) {
	var id int64
	return id, r.Scan(&id)
}

// Offered lists the reports a voter rates, in agenda order: the cycle's
// handed-in reports, except those of the voter's own units.
func (s *Store) Offered(ctx context.Context, a appraisal.Appraisal, own []int64) ([]report.Report, error) {
	all, err := s.CycleReports(ctx, a.CycleID, []string{a.UnitPath})
	if err != nil {
		return nil, err
	}
	var out []report.Report
	for _, r := range all {
		if r.Status.Done() && !slices.Contains(own, r.UnitID) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Vote records one voter's ballots, once. It checks the ballots against the
// reports offered to the voter, then, in a transaction: the voting window,
// the voter mark, the ballots, and an audit event that says who voted but
// nothing of how. A retry of the same submission (same token) reports
// recorded=false without error; any other second vote is refused.
//
// Votes arrive in bursts (a meeting votes at once), so concurrent votes are
// committed together: one caller runs the transaction for all that are
// waiting, each vote inside its own savepoint so that one refused vote does
// not undo the others. Several voters per transaction also mean that not
// even the transaction pairs a voter with their ballots.
func (s *Store) Vote(ctx context.Context, by audit.Actor, v BallotVoter, submission string, ballots []appraisal.Ballot) (bool, error) {
	// The reports offered, as Offered lists them, by id only: this runs for
	// every vote of a burst.
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id, unit_id FROM reports WHERE cycle_id = ? AND status IN (?, ?)`),
		v.Appraisal.CycleID, string(report.Submitted), string(report.Accepted))
	if err != nil {
		return false, err
	}
	ids := map[int64]bool{}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var id, unitID int64
			if err := rows.Scan(&id, &unitID); err != nil {
				return err
			}
			ids[id] = !slices.Contains(v.OwnUnits, unitID)
		}
		return rows.Err()
	}()
	if err != nil {
		return false, err
	}
	maps.DeleteFunc(ids, func(_ int64, offered bool) bool { return !offered })
	areas, err := s.Areas(ctx, v.Appraisal.CycleID)
	if err != nil {
		return false, err
	}
	areaIDs := make([]int64, len(areas))
	for i, ar := range areas {
		areaIDs[i] = ar.ID
	}
	if err := v.Appraisal.CheckBallots(ballots, ids, areaIDs); err != nil {
		return false, err
	}
	req := &voteRequest{by: by, voter: v, submission: appraisal.HashSubmission(submission), ballots: ballots, done: make(chan voteResult, 1)}
	s.votes.run(context.WithoutCancel(ctx), s, req)
	res := <-req.done
	return res.recorded, res.err
}

const insertBallot = `INSERT INTO ballots (id, appraisal_id, report_id, group_id, grade, area_grades, comment) VALUES `
const ballotTuple = `(?, ?, ?, ?, ?, ?, ?)`

type voteRequest struct {
	by         audit.Actor
	voter      BallotVoter
	submission string // hashed
	ballots    []appraisal.Ballot
	done       chan voteResult
}

type voteResult struct {
	recorded bool
	err      error
}

// voteQueue holds the votes waiting for a transaction; running tells
// whether some caller is committing them.
type voteQueue struct {
	mu      sync.Mutex
	pending []*voteRequest
	running bool
}

// maxVotesPerTx bounds a transaction, so that a long queue commits in steps.
const maxVotesPerTx = 64

// run queues req and, unless another caller already is, commits batches of
// waiting votes until none is left.
func (q *voteQueue) run(ctx context.Context, s *Store, req *voteRequest) {
	q.mu.Lock()
	q.pending = append(q.pending, req)
	if q.running {
		q.mu.Unlock()
		return
	}
	q.running = true
	for len(q.pending) > 0 {
		n := min(len(q.pending), maxVotesPerTx)
		batch := q.pending[:n:n]
		q.pending = q.pending[n:]
		q.mu.Unlock()
		s.commitVotes(ctx, batch)
		q.mu.Lock()
	}
	q.running = false
	q.mu.Unlock()
}

// commitVotes records a batch of votes in one transaction and answers each.
func (s *Store) commitVotes(ctx context.Context, batch []*voteRequest) {
	results := make([]voteResult, len(batch))
	err := s.Tx(ctx, func(tx *Tx) error {
		// SQLite compiles every statement it is given, so one single-row
		// insert is prepared for the batch; PostgreSQL is a round trip per
		// statement away and caches them itself, so there each vote's
		// ballots go in one multi-row insert.
		var stmt *sql.Stmt
		if s.engine == SQLite {
			var err error
			if stmt, err = tx.tx.PrepareContext(ctx, insertBallot+ballotTuple); err != nil {
				return err
			}
			defer stmt.Close()
		}
		// Each appraisal is locked once per batch (shared: votes do not
		// exclude each other, only its closing).
		locked := map[int64]appraisal.Appraisal{}
		for i, req := range batch {
			a, ok := locked[req.voter.Appraisal.ID]
			if !ok {
				var err error
				if a, err = tx.appraisalForUpdate(ctx, req.voter.Appraisal.ID, 0, true); err != nil {
					return err
				}
				locked[a.ID] = a
			}
			if err := a.CheckVoting(); err != nil {
				results[i] = voteResult{err: err}
				continue
			}
			if _, err := tx.exec(ctx, `SAVEPOINT vote`); err != nil {
				return err
			}
			recorded, verr := tx.vote(ctx, stmt, a, req)
			results[i] = voteResult{recorded, verr}
			if verr != nil {
				if _, err := tx.exec(ctx, `ROLLBACK TO SAVEPOINT vote`); err != nil {
					return err
				}
			}
			if _, err := tx.exec(ctx, `RELEASE SAVEPOINT vote`); err != nil {
				return err
			}
		}
		return nil
	})
	for i, req := range batch {
		if err != nil {
			results[i] = voteResult{err: err}
		}
		req.done <- results[i]
	}
}

// vote records one voter's ballots inside the batch's transaction, the
// appraisal locked and open.
func (t *Tx) vote(ctx context.Context, insert *sql.Stmt, a appraisal.Appraisal, req *voteRequest) (bool, error) {
	v := req.voter
	res, err := t.exec(ctx, `INSERT INTO voter_marks (appraisal_id, voter, group_id, submission) VALUES (?, ?, ?, ?)
		ON CONFLICT (appraisal_id, voter) DO NOTHING`, a.ID, v.Key, v.GroupID, req.submission)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var prior string
		if err := t.queryRow(ctx, `SELECT submission FROM voter_marks WHERE appraisal_id = ? AND voter = ?`, a.ID, v.Key).Scan(&prior); err != nil {
			return false, err
		}
		switch {
		case req.submission != "" && prior == req.submission:
			return false, nil // a retry: already counted
		case strings.HasPrefix(v.Key, "c:"):
			return false, apperr.Field("code", "err.code_spent")
		}
		return false, apperr.New(apperr.Conflict, "err.already_voted")
	}
	row := func(i int) []any {
		b := req.ballots[i]
		return []any{appraisal.NewBallotID(), a.ID, b.ReportID, v.GroupID, b.Grade, encodeAreaGrades(b.AreaGrades), b.Comment}
	}
	if insert == nil {
		if err := insertRows(ctx, t, insertBallot, 7, len(req.ballots), row); err != nil {
			return false, fmt.Errorf("insert ballots: %w", err)
		}
	} else {
		for i := range req.ballots {
			if _, err := insert.ExecContext(ctx, row(i)...); err != nil {
				return false, fmt.Errorf("insert ballot: %w", err)
			}
		}
	}
	return true, t.auditAppraisal(ctx, req.by, "appraisal.vote", a, nil, nil)
}

func encodeAreaGrades(m map[int64]int) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// Results computes the results of a closed appraisal, with its reports in
// agenda order.
func (s *Store) Results(ctx context.Context, a appraisal.Appraisal) ([]appraisal.Result, []report.Report, error) {
	if a.Status != appraisal.Closed {
		return nil, nil, apperr.New(apperr.Conflict, "err.results_before_close")
	}
	reports, err := s.Offered(ctx, a, nil)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT report_id, group_id, grade, COUNT(*) FROM ballots WHERE appraisal_id = ?
		GROUP BY report_id, group_id, grade`), a.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("tallies: %w", err)
	}
	tallies, err := collect(rows, func(r interface{ Scan(...any) error }) (appraisal.Tally, error) {
		var t appraisal.Tally
		return t, r.Scan(&t.ReportID, &t.GroupID, &t.Grade, &t.Count)
	})
	if err != nil {
		return nil, nil, err
	}
	// Comments and area grades come out in ballot id order, which is random;
	// with each comment, the finding it became (see migration 0015).
	rows, err = s.rd(ctx).QueryContext(ctx, s.q(`SELECT b.report_id, b.group_id, b.area_grades, b.comment, b.id,
		COALESCE(f.id, 0), COALESCE((SELECT MIN(r.id) FROM rectifications r WHERE r.finding_id = f.id), 0)
		FROM ballots b LEFT JOIN findings f ON f.ballot_id = b.id AND f.ballot_id <> ''
		WHERE b.appraisal_id = ? AND (b.area_grades <> '' OR b.comment <> '') ORDER BY b.id`), a.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("ballot details: %w", err)
	}
	comments := map[int64][]string{}
	refs := map[int64][]appraisal.CommentRef{}
	areaTally := map[appraisal.Tally]int{}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var rid, gid int64
			var areas, comment string
			var ref appraisal.CommentRef
			if err := rows.Scan(&rid, &gid, &areas, &comment, &ref.BallotID, &ref.FindingID, &ref.RectificationID); err != nil {
				return err
			}
			if comment != "" {
				comments[rid] = append(comments[rid], comment)
				refs[rid] = append(refs[rid], ref)
			}
			if areas != "" {
				var m map[int64]int
				if err := json.Unmarshal([]byte(areas), &m); err != nil {
					return err
				}
				for area, g := range m {
					areaTally[appraisal.Tally{ReportID: rid, GroupID: gid, AreaID: area, Grade: g}]++
				}
			}
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, nil, err
	}
	for t, n := range areaTally {
		t.Count = n
		tallies = append(tallies, t)
	}
	areas, err := s.Areas(ctx, a.CycleID)
	if err != nil {
		return nil, nil, err
	}
	areaIDs := make([]int64, len(areas))
	for i, ar := range areas {
		areaIDs[i] = ar.ID
	}
	ids := make([]int64, len(reports))
	for i, r := range reports {
		ids[i] = r.ID
	}
	results := appraisal.Compute(a, ids, areaIDs, tallies, comments)
	for i := range results {
		if results[i].Comments != nil { // shown: not below the minimum
			results[i].CommentRefs = refs[results[i].ReportID]
		}
	}
	return results, reports, nil
}

// VoterAppraisals lists the open appraisals a user is invited to and has not
// voted in yet, for their home page.
func (s *Store) VoterAppraisals(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT a.id FROM appraisal_voters v JOIN appraisals a ON a.id = v.appraisal_id
		WHERE v.user_id = ? AND a.status = 'open'
		AND NOT EXISTS (SELECT 1 FROM voter_marks m WHERE m.appraisal_id = a.id AND m.voter = ?) ORDER BY a.id`),
		userID, appraisal.VoterKey(userID, ""))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanID)
}
