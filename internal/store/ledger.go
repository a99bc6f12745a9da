package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/unit"
)

// FindingRectifications lists the items answering a finding.
func (s *Store) FindingRectifications(ctx context.Context, findingID int64) ([]rectification.Rectification, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+rectCols+rectFrom+` WHERE r.finding_id = ? ORDER BY r.id`), findingID)
	if err != nil {
		return nil, fmt.Errorf("finding rectifications: %w", err)
	}
	xs, err := collect(rows, scanRect)
	for i := range xs {
		s.warn(&xs[i])
	}
	return xs, err
}

// LedgerFilter selects items for the ledger (台账). Scopes are the subtrees
// the reader may see; UnitPath narrows to one subtree.
type LedgerFilter struct {
	Scopes   []string
	CycleID  int64
	UnitPath string
	Status   rectification.Status
	Kind     rectification.Kind
	Warning  rectification.Warning
	Source   finding.Source
	Area     string
	Text     string
	Carried  bool   // with CycleID: also the items carried over into the cycle
	Sort     string // "deadline" (default) or "overdue": most days overdue first
	After    string // keyset cursor from the last row of the previous page
	Limit    int
}

// Sorts are the ledger's orders.
var Sorts = []string{"deadline", "overdue"}

// where builds the filter's condition; the warning levels are those of the
// day, with deadlines up to soon yellow.
func (f LedgerFilter) where(day, soon string) (string, []any, error) {
	scope, args := scopeClause("un.path", f.Scopes)
	conds := []string{scope}
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	switch {
	case f.CycleID != 0 && f.Carried:
		add("(r.cycle_id = ? OR r.id IN (SELECT rectification_id FROM carried_items WHERE cycle_id = ?))", f.CycleID, f.CycleID)
	case f.CycleID != 0:
		add("r.cycle_id = ?", f.CycleID)
	}
	if f.UnitPath != "" {
		lo, hi := unit.SubtreeRange(f.UnitPath)
		add("un.path >= ? AND un.path < ?", lo, hi)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return "", nil, apperr.Field("status", "err.unknown_status")
		}
		add("r.status = ?", string(f.Status))
	}
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return "", nil, apperr.Field("kind", "err.unknown_rect_kind")
		}
		add("r.kind = ?", string(f.Kind))
	}
	switch f.Warning {
	case "":
	case rectification.Red:
		add("r.status <> 'closed' AND r.deadline <> '' AND r.deadline < ?", day)
	case rectification.Yellow:
		add("r.status <> 'closed' AND r.deadline >= ? AND r.deadline <= ?", day, soon)
	case rectification.Green:
		add("r.status <> 'closed' AND (r.deadline = '' OR r.deadline > ?)", soon)
	default:
		return "", nil, apperr.Field("warning", "err.unknown_warning")
	}
	if f.Source != "" {
		if !f.Source.Valid() {
			return "", nil, apperr.Field("source", "err.unknown_source")
		}
		add("f.source = ?", string(f.Source))
	}
	if f.Area != "" {
		add("f.area = ?", f.Area)
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		add("(f.text LIKE ? ESCAPE '\\' OR r.measures LIKE ? ESCAPE '\\')", "%"+likeEscape(t)+"%", "%"+likeEscape(t)+"%")
	}
	return strings.Join(conds, " AND "), args, nil
}

// ledgerWhere is the filter's condition today.
func (s *Store) ledgerWhere(f LedgerFilter) (string, []any, error) {
	today := s.Now()
	return f.where(today.Format(rectification.Date), s.soonDay(today))
}

// order is the value items are ordered by, ascending: the deadline, or for
// "overdue" the deadline of open items (the most overdue first), closed
// ones last.
func (f LedgerFilter) order() string {
	if f.Sort == "overdue" {
		return "CASE WHEN r.status = 'closed' OR r.deadline = '' THEN '9999' ELSE r.deadline END"
	}
	return "CASE WHEN r.deadline = '' THEN '9999' ELSE r.deadline END"
}

// Ledger lists a page of items in the filter's order, and the cursor of the
// next page ("" at the end). Pages are keyset pages: (order key, id).
//
// The page is read in two steps (found by zeren bench, PostgreSQL at
// province scale): first the page's ids and keys, from the items and units
// alone (findings only when a filter needs them), which the ledger indexes
// cover; then the page's full rows by primary key, a second query rather
// than a join, so that no statistics can make the planner drive from the
// big tables.
func (s *Store) Ledger(ctx context.Context, f LedgerFilter) ([]rectification.Rectification, string, error) {
	if len(f.Scopes) == 0 {
		return nil, "", nil
	}
	if f.Sort != "" && !slices.Contains(Sorts, f.Sort) {
		return nil, "", apperr.Field("sort", "err.unknown_sort")
	}
	where, args, err := s.ledgerWhere(f)
	if err != nil {
		return nil, "", err
	}
	key := f.order()
	if f.After != "" {
		k, id, ok := strings.Cut(f.After, ",")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil || len(k) != 10 && k != "9999" {
			return nil, "", apperr.Field("after", "err.bad_cursor")
		}
		// Written so that PostgreSQL uses it as an index range: with
		// "key > k OR (key = k AND id > n)" it scanned every row before the
		// page.
		where += " AND " + key + " >= ? AND (" + key + " > ? OR r.id > ?)"
		args = append(args, k, k, n)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	findings := ""
	if strings.Contains(where, "f.") {
		findings = " JOIN findings f ON f.id = r.finding_id"
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT r.id, `+key+` AS sort_key FROM rectifications r JOIN units un ON un.id = r.unit_id`+
		findings+` WHERE `+where+` ORDER BY sort_key, r.id LIMIT `+strconv.Itoa(limit+1)), args...)
	if err != nil {
		return nil, "", fmt.Errorf("ledger keys: %w", err)
	}
	type pageKey struct {
		id  int64
		key string
	}
	keys, err := collect(rows, func(r interface{ Scan(...any) error }) (pageKey, error) {
		var k pageKey
		return k, r.Scan(&k.id, &k.key)
	})
	if err != nil || len(keys) == 0 {
		return nil, "", err
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",")
	ids := make([]any, len(keys))
	for i, k := range keys {
		ids[i] = k.id
	}
	rows, err = s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+rectCols+rectFrom+` WHERE r.id IN (`+in+`)`), ids...)
	if err != nil {
		return nil, "", fmt.Errorf("ledger rows: %w", err)
	}
	got, err := collect(rows, scanRect)
	if err != nil {
		return nil, "", err
	}
	byID := make(map[int64]rectification.Rectification, len(got))
	for _, x := range got {
		byID[x.ID] = x
	}
	xs := make([]rectification.Rectification, 0, len(keys))
	for _, k := range keys[:min(len(keys), limit)] {
		x := byID[k.id] // items are never deleted
		s.warn(&x)
		xs = append(xs, x)
	}
	next := ""
	if len(keys) > limit {
		next = keys[limit-1].key + "," + strconv.FormatInt(keys[limit-1].id, 10)
	}
	return xs, next, nil
}

// LedgerCount counts the items of the filter.
func (s *Store) LedgerCount(ctx context.Context, f LedgerFilter) (int, error) {
	if len(f.Scopes) == 0 {
		return 0, nil
	}
	where, args, err := s.ledgerWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT COUNT(*)`+rectFrom+` WHERE `+where), args...).Scan(&n)
	return n, err
}

// UnitStats reads the roll-up of a unit's whole subtree in a cycle (0: in
// every cycle) from its counters: a row per cycle, and the open items'
// deadline days.
func (s *Store) UnitStats(ctx context.Context, unitID, cycleID int64) (rectification.Stats, error) {
	var st rectification.Stats
	where, args := "unit_id = ?", []any{unitID}
	if cycleID != 0 {
		where, args = where+" AND cycle_id = ?", append(args, cycleID)
	}
	err := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(total), 0), COALESCE(SUM(planning), 0), COALESCE(SUM(in_progress), 0),
		COALESCE(SUM(awaiting), 0), COALESCE(SUM(closed), 0), COALESCE(SUM(closed_on_time), 0), COALESCE(SUM(days_to_close), 0)
		FROM rollups WHERE `+where), args...).
		Scan(&st.Total, &st.Planning, &st.InProgress, &st.Awaiting, &st.Closed, &st.ClosedOnTime, &st.DaysToClose)
	if err != nil {
		return st, fmt.Errorf("rollup: %w", err)
	}
	today := s.Now()
	day := today.Format(rectification.Date)
	soon := s.soonDay(today)
	err = s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(CASE WHEN day < ? THEN open ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN day >= ? AND day <= ? THEN open ELSE 0 END), 0)
		FROM rollup_deadlines WHERE `+where), append([]any{day, day, soon}, args...)...).Scan(&st.Overdue, &st.DueSoon)
	st.Finish()
	return st, err
}

// moveRollups carries a moved unit's subtree counters from its old
// ancestors to its new ones, in the transaction of the move.
func (t *Tx) moveRollups(ctx context.Context, id int64, oldPath, newPath string) error {
	oldUp, newUp := unit.Ancestors(oldPath), unit.Ancestors(newPath)
	oldUp, newUp = oldUp[:len(oldUp)-1], newUp[:len(newUp)-1]
	for _, m := range []struct {
		ids  []int64
		sign int
	}{{oldUp, -1}, {newUp, 1}} {
		for _, a := range m.ids {
			if _, err := t.exec(ctx, `INSERT INTO rollups (unit_id, cycle_id, total, planning, in_progress, awaiting, closed, closed_on_time, days_to_close)
				SELECT ?, cycle_id, ?*total, ?*planning, ?*in_progress, ?*awaiting, ?*closed, ?*closed_on_time, ?*days_to_close FROM rollups WHERE unit_id = ?
				ON CONFLICT (unit_id, cycle_id) DO UPDATE SET total = rollups.total + excluded.total,
				planning = rollups.planning + excluded.planning, in_progress = rollups.in_progress + excluded.in_progress,
				awaiting = rollups.awaiting + excluded.awaiting, closed = rollups.closed + excluded.closed,
				closed_on_time = rollups.closed_on_time + excluded.closed_on_time, days_to_close = rollups.days_to_close + excluded.days_to_close`,
				a, m.sign, m.sign, m.sign, m.sign, m.sign, m.sign, m.sign, id); err != nil {
				return fmt.Errorf("move rollups: %w", err)
			}
			if _, err := t.exec(ctx, `INSERT INTO rollup_deadlines (unit_id, cycle_id, day, open)
				SELECT ?, cycle_id, day, ?*open FROM rollup_deadlines WHERE unit_id = ?
				ON CONFLICT (unit_id, cycle_id, day) DO UPDATE SET open = rollup_deadlines.open + excluded.open`, a, m.sign, id); err != nil {
				return fmt.Errorf("move rollup deadlines: %w", err)
			}
		}
	}
	if err := t.moveRaised(ctx, id, oldUp, newUp); err != nil {
		return err
	}
	return t.moveFindingCounts(ctx, id, oldUp, newUp)
}
