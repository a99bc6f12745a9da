package store

// Bulk loading and measuring for the benchmark (zeren bench, DESIGN.md
// section 6). Everything exported here is for benchmarks only: the loader
// writes generated rows straight into the tables with multi-row INSERTs in
// large transactions, bypassing the per-item API on purpose, and refuses a
// database that is not empty. What it writes is what the API would have
// written: the roll-up counters are accumulated with the very function the
// per-change maintenance uses, and the audit events are sealed into the
// hash chain one by one.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/unit"
)

// ErrBenchNotEmpty is returned when the benchmark data would be loaded
// into a database that already holds data.
var ErrBenchNotEmpty = errors.New("the database is not empty")

// BenchCheckEmpty returns nil when the database holds no unit, user, cycle
// or audit event, and otherwise an error wrapping ErrBenchNotEmpty that
// says what it holds. For benchmarks only.
func (s *Store) BenchCheckEmpty(ctx context.Context) error {
	var units, users, cycles, events int64
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM users),
		(SELECT count(*) FROM cycles), (SELECT seq FROM audit_head WHERE id = 1)`).Scan(&units, &users, &cycles, &events)
	if err != nil {
		return fmt.Errorf("check empty: %w", err)
	}
	if units+users+cycles+events > 0 {
		return fmt.Errorf("%w: it holds %d units, %d users, %d cycles and %d audit events", ErrBenchNotEmpty, units, users, cycles, events)
	}
	return nil
}

// BenchUnit is a unit to bulk-load, its id and path chosen by the caller.
// For benchmarks only.
type BenchUnit struct {
	ID, ParentID int64 // ParentID 0 for the root
	Name         string
	Kind         unit.Kind
	Path         string
	Depth        int
	Leader       string
}

// BenchEvent is one entry of a bulk-loaded item's timeline. For benchmarks only.
type BenchEvent struct {
	At       time.Time
	UserID   int64 // 0: none
	UserName string
	Kind     string
	Text     string
	Detail   string
}

// BenchAudit is an audit event about a bulk-loaded item; the loader seals
// it into the chain. For benchmarks only.
type BenchAudit struct {
	At     time.Time
	By     audit.Actor
	Action string
	Before any
	After  any
}

// BenchExtension is an approved deadline extension of a bulk-loaded item.
// For benchmarks only.
type BenchExtension struct {
	At          time.Time
	Deadline    string
	Reason      string
	RequestedBy int64
	DecidedBy   int64
}

// BenchItem is a finding and the one rectification answering it (both get
// the id ID), with its timeline, extension and audit events. For
// benchmarks only.
type BenchItem struct {
	ID       int64
	UnitID   int64
	UnitPath string
	CycleID  int64

	Source    finding.Source
	Area      string
	Severity  finding.Severity
	Text      string
	RootCause string

	Status rectification.Status
	rectification.Plan
	OriginalDeadline string
	Progress         string
	Round            int
	SubmittedBy      int64
	ClosedOn         string
	Version          int64
	Created, Updated time.Time

	Events    []BenchEvent
	Extension *BenchExtension
	Audit     []BenchAudit
}

// BenchLoader bulk-loads generated data into an empty database. For
// benchmarks only; not safe for concurrent use.
type BenchLoader struct {
	s      *Store
	roll   map[[2]int64]*[7]int
	days   map[benchDay]int
	finds  map[benchFindings]*[2]int // total, closed
	event  int64                     // last event id
	ext    int64                     // last extension id
	item   int64                     // last item id
	cycles map[int64]int64           // cycle id → its unit, for the raising level
	raised map[[2]int64]int          // (raising level or ancestor, cycle) → items awaiting verification

	Events, AuditEvents int64 // rows written so far
}

type benchFindings struct {
	unit, cycle  int64
	source, area string
}

type benchDay struct {
	unit, cycle int64
	day         string
}

// NewBenchLoader checks that the database is empty and prepares it for a
// bulk load (on SQLite: a large page cache, no fsync until Finish). For
// benchmarks only.
func (s *Store) NewBenchLoader(ctx context.Context) (*BenchLoader, error) {
	if err := s.BenchCheckEmpty(ctx); err != nil {
		return nil, err
	}
	if s.engine == SQLite {
		// The single write connection keeps these until Finish.
		for _, p := range []string{"PRAGMA cache_size = -262144", "PRAGMA synchronous = OFF"} {
			if _, err := s.write.ExecContext(ctx, p); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	return &BenchLoader{s: s, roll: map[[2]int64]*[7]int{}, days: map[benchDay]int{},
		finds: map[benchFindings]*[2]int{}, raised: map[[2]int64]int{}}, nil
}

// Units loads units, parents before children, each with its unit.create
// audit event by the given actor at the given time, in one transaction.
func (l *BenchLoader) Units(ctx context.Context, by audit.Actor, at time.Time, units []BenchUnit) error {
	return l.s.Tx(ctx, func(tx *Tx) error {
		rows := tx.bulk("units", "id", "parent_id", "name", "kind", "path", "depth", "leader", "created_at", "updated_at")
		c, err := tx.chain(ctx)
		if err != nil {
			return err
		}
		for _, u := range units {
			var parent any
			if u.ParentID != 0 {
				parent = u.ParentID
			}
			if err := rows.add(ctx, u.ID, parent, u.Name, string(u.Kind), u.Path, u.Depth, u.Leader, unix(at), unix(at)); err != nil {
				return err
			}
			// Parents go first: the foreign key checks each row as it comes.
			if u.ParentID == 0 {
				if err := rows.flush(ctx); err != nil {
					return err
				}
			}
			after := unit.Unit{ID: u.ID, ParentID: u.ParentID, Name: u.Name, Kind: u.Kind, Path: u.Path, Depth: u.Depth,
				Leader: u.Leader, Version: 1, CreatedAt: fromUnix(unix(at)), UpdatedAt: fromUnix(unix(at))}
			if err := c.add(ctx, audit.Event{At: at, UserID: by.UserID, Login: by.Login, Action: "unit.create", ObjectType: "unit",
				ObjectID: u.ID, UnitID: u.ID, UnitPath: u.Path, After: audit.Snapshot(after)}); err != nil {
				return err
			}
		}
		if err := rows.flush(ctx); err != nil {
			return err
		}
		l.AuditEvents += c.n
		return c.close(ctx, tx)
	})
}

// Cycle starts a cycle under a unit with the seed areas and moves it
// straight to the given status, audited, as if it had come there step by
// step. It returns the cycle's id.
func (l *BenchLoader) Cycle(ctx context.Context, by audit.Actor, unitID int64, d cycle.Draft, status cycle.Status) (int64, error) {
	c, err := l.s.CreateCycle(ctx, by, unitID, d)
	if err != nil {
		return 0, err
	}
	err = l.s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.cycleForUpdate(ctx, c.ID, 0)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE cycles SET status = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			string(status), unix(l.s.Now()), c.ID); err != nil {
			return err
		}
		return tx.auditCycle(ctx, by, "cycle.advance", before, nil)
	})
	return c.ID, err
}

// cycleUnit returns the unit that runs a cycle, read once per cycle.
func (l *BenchLoader) cycleUnit(ctx context.Context, tx *Tx, id int64) (int64, error) {
	if u, ok := l.cycles[id]; ok {
		return u, nil
	}
	var u int64
	if err := tx.queryRow(ctx, `SELECT unit_id FROM cycles WHERE id = ?`, id).Scan(&u); err != nil {
		return 0, fmt.Errorf("bench cycle %d: %w", id, err)
	}
	if l.cycles == nil {
		l.cycles = map[int64]int64{}
	}
	l.cycles[id] = u
	return u, nil
}

// Items loads findings and their items, with timelines, extensions and
// audit events, in one transaction, and adds them to the counters that
// Finish writes. Ids must rise from one call to the next.
func (l *BenchLoader) Items(ctx context.Context, items []BenchItem) error {
	var events, audits int64
	err := l.s.Tx(ctx, func(tx *Tx) error {
		findings := tx.bulk("findings", "id", "unit_id", "cycle_id", "source", "area", "severity", "text", "root_cause",
			"status", "raised_by", "created_at", "updated_at")
		rects := tx.bulk("rectifications", "id", "finding_id", "unit_id", "cycle_id", "status", "measures", "owner",
			"responsible_leader", "kind", "deadline", "original_deadline", "progress", "round", "submitted_by", "closed_on",
			"version", "created_at", "updated_at")
		evs := tx.bulk("rectification_events", "id", "rectification_id", "at", "user_id", "user_name", "kind", "text", "detail")
		exts := tx.bulk("extensions", "id", "rectification_id", "deadline", "reason", "requested_by", "decided_by", "status", "created_at")
		c, err := tx.chain(ctx)
		if err != nil {
			return err
		}
		// Rows go in the order of the foreign keys: findings, then items,
		// then what hangs on the items.
		last := l.item
		for i := range items {
			x := &items[i]
			if x.ID <= last {
				return fmt.Errorf("bench item %d: ids must rise (after %d)", x.ID, last)
			}
			last = x.ID
			status := finding.Open
			if x.Status == rectification.Closed {
				status = finding.Closed
			}
			cycleUnit, err := l.cycleUnit(ctx, tx, x.CycleID)
			if err != nil {
				return err
			}
			if err := findings.add(ctx, x.ID, x.UnitID, x.CycleID, string(x.Source), x.Area, string(x.Severity), x.Text, x.RootCause,
				string(status), finding.RaisingLevel(x.Source, x.UnitID, cycleUnit, 0), unix(x.Created), unix(x.Updated)); err != nil {
				return err
			}
		}
		if err := findings.flush(ctx); err != nil {
			return err
		}
		for i := range items {
			x := &items[i]
			var submitted any
			if x.SubmittedBy != 0 {
				submitted = x.SubmittedBy
			}
			if err := rects.add(ctx, x.ID, x.ID, x.UnitID, x.CycleID, string(x.Status), x.Measures, x.Owner, x.ResponsibleLeader,
				string(x.Kind), x.Deadline, x.OriginalDeadline, x.Progress, x.Round, submitted, x.ClosedOn, x.Version,
				unix(x.Created), unix(x.Updated)); err != nil {
				return err
			}
		}
		if err := rects.flush(ctx); err != nil {
			return err
		}
		for i := range items {
			x := &items[i]
			for _, e := range x.Events {
				var user any
				if e.UserID != 0 {
					user = e.UserID
				}
				l.event++
				events++
				if err := evs.add(ctx, l.event, x.ID, e.At.UnixMicro(), user, e.UserName, e.Kind, e.Text, e.Detail); err != nil {
					return err
				}
			}
			if e := x.Extension; e != nil {
				l.ext++
				if err := exts.add(ctx, l.ext, x.ID, e.Deadline, e.Reason, e.RequestedBy, e.DecidedBy, "approved", unix(e.At)); err != nil {
					return err
				}
			}
			for _, a := range x.Audit {
				audits++
				if err := c.add(ctx, audit.Event{At: a.At, UserID: a.By.UserID, Login: a.By.Login, Action: a.Action,
					ObjectType: "rectification", ObjectID: x.ID, UnitID: x.UnitID, UnitPath: x.UnitPath,
					Before: audit.Snapshot(a.Before), After: audit.Snapshot(a.After)}); err != nil {
					return err
				}
			}
		}
		for _, b := range []*bulk{evs, exts} {
			if err := b.flush(ctx); err != nil {
				return err
			}
		}
		return c.close(ctx, tx)
	})
	if err != nil {
		return err
	}
	// Count what was committed, exactly as rollup would have, item by item.
	for i := range items {
		x := &items[i]
		st := &rollState{status: x.Status, deadline: x.Deadline, closedOn: x.ClosedOn, created: fromUnix(unix(x.Created))}
		d := st.counts(1)
		day := st.openDay()
		for _, id := range unit.Ancestors(x.UnitPath) {
			k := benchFindings{id, x.CycleID, string(x.Source), x.Area}
			fc := l.finds[k]
			if fc == nil {
				fc = new([2]int)
				l.finds[k] = fc
			}
			fc[0]++
			if x.Status == rectification.Closed {
				fc[1]++
			}
			r := l.roll[[2]int64{id, x.CycleID}]
			if r == nil {
				r = new([7]int)
				l.roll[[2]int64{id, x.CycleID}] = r
			}
			for j := range r {
				r[j] += d[j]
			}
			if day != "" {
				l.days[benchDay{id, x.CycleID, day}]++
			}
		}
	}
	// Items awaiting verification, along the raising level's ancestors
	// (rollupRaised): the raising level is the item's unit or one of its
	// ancestors. The generated extensions are all decided.
	for i := range items {
		x := &items[i]
		if x.Status != rectification.AwaitingVerification {
			continue
		}
		cycleUnit, _ := l.cycleUnit(ctx, nil, x.CycleID) // cached by Items above
		raiser := finding.RaisingLevel(x.Source, x.UnitID, cycleUnit, 0)
		for _, id := range unit.Ancestors(x.UnitPath) {
			l.raised[[2]int64{id, x.CycleID}]++
			if id == raiser {
				break
			}
		}
	}
	l.item = items[len(items)-1].ID
	l.Events += events
	l.AuditEvents += audits
	return nil
}

// Finish writes the roll-up counters accumulated from the items, moves the
// engine's id sequences past the loaded ids, restores durability and
// updates the query planner's statistics.
func (l *BenchLoader) Finish(ctx context.Context) error {
	err := l.s.Tx(ctx, func(tx *Tx) error {
		keys := make([][2]int64, 0, len(l.roll))
		for k := range l.roll {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return keys[i][0] < keys[j][0] || keys[i][0] == keys[j][0] && keys[i][1] < keys[j][1]
		})
		rows := tx.bulk("rollups", "unit_id", "cycle_id", "total", "planning", "in_progress", "awaiting", "closed",
			"closed_on_time", "days_to_close")
		for _, k := range keys {
			r := l.roll[k]
			if err := rows.add(ctx, k[0], k[1], r[0], r[1], r[2], r[3], r[4], r[5], r[6]); err != nil {
				return err
			}
		}
		if err := rows.flush(ctx); err != nil {
			return err
		}
		days := make([]benchDay, 0, len(l.days))
		for k := range l.days {
			days = append(days, k)
		}
		sort.Slice(days, func(i, j int) bool {
			a, b := days[i], days[j]
			if a.unit != b.unit {
				return a.unit < b.unit
			}
			if a.cycle != b.cycle {
				return a.cycle < b.cycle
			}
			return a.day < b.day
		})
		drows := tx.bulk("rollup_deadlines", "unit_id", "cycle_id", "day", "open")
		for _, k := range days {
			if err := drows.add(ctx, k.unit, k.cycle, k.day, l.days[k]); err != nil {
				return err
			}
		}
		if err := drows.flush(ctx); err != nil {
			return err
		}
		rkeys := make([][2]int64, 0, len(l.raised))
		for k := range l.raised {
			rkeys = append(rkeys, k)
		}
		sort.Slice(rkeys, func(i, j int) bool {
			return rkeys[i][0] < rkeys[j][0] || rkeys[i][0] == rkeys[j][0] && rkeys[i][1] < rkeys[j][1]
		})
		rrows := tx.bulk("rollup_raised", "unit_id", "cycle_id", "awaiting", "extensions")
		for _, k := range rkeys {
			if err := rrows.add(ctx, k[0], k[1], l.raised[k], 0); err != nil {
				return err
			}
		}
		if err := rrows.flush(ctx); err != nil {
			return err
		}
		fkeys := make([]benchFindings, 0, len(l.finds))
		for k := range l.finds {
			fkeys = append(fkeys, k)
		}
		sort.Slice(fkeys, func(i, j int) bool {
			a, b := fkeys[i], fkeys[j]
			if a.unit != b.unit {
				return a.unit < b.unit
			}
			if a.cycle != b.cycle {
				return a.cycle < b.cycle
			}
			return a.source < b.source || a.source == b.source && a.area < b.area
		})
		frows := tx.bulk("rollup_findings", "unit_id", "cycle_id", "source", "area", "total", "closed")
		for _, k := range fkeys {
			fc := l.finds[k]
			if err := frows.add(ctx, k.unit, k.cycle, k.source, k.area, fc[0], fc[1]); err != nil {
				return err
			}
		}
		if err := frows.flush(ctx); err != nil {
			return err
		}
		if l.s.engine == Postgres {
			for _, t := range []string{"units", "findings", "rectifications", "rectification_events", "extensions"} {
				if _, err := tx.exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), m) FROM (SELECT max(id) AS m FROM `+t+`) x
					WHERE m IS NOT NULL`); err != nil {
					return fmt.Errorf("sequence of %s: %w", t, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.roll, l.days, l.finds, l.raised = nil, nil, nil, nil
	if l.s.engine == SQLite {
		for _, p := range []string{"PRAGMA synchronous = " + l.s.sync, "PRAGMA cache_size = -2000",
			// A full ANALYZE (a few seconds): statistics from a sample
			// (analysis_limit, as PRAGMA optimize takes) can mislead the
			// planner here, e.g. into the cycle index for a county's ledger.
			"PRAGMA analysis_limit = 0", "ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"} {
			if _, err := l.s.write.ExecContext(ctx, p); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		return nil
	}
	// VACUUM too: it sets the visibility map that index-only scans need,
	// as autovacuum would soon after a load.
	_, err = l.s.write.ExecContext(ctx, `VACUUM (ANALYZE) units, findings, rectifications, rectification_events, extensions,
		audit_events, rollups, rollup_deadlines, rollup_findings, rollup_raised`)
	return err
}

// BenchInfo is what the benchmark needs to know of a generated database.
type BenchInfo struct {
	RootID   int64
	RootPath string
	CycleID  int64
	Units    int
	Items    int
}

// ErrBenchNoData is returned when the database holds no generated data.
var ErrBenchNoData = errors.New("no data to measure: the database has no root unit with a cycle; run 'zeren bench gen' first")

// BenchInfo finds the root unit, its latest cycle and the sizes. For
// benchmarks only.
func (s *Store) BenchInfo(ctx context.Context) (BenchInfo, error) {
	var b BenchInfo
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT u.id, u.path, c.id FROM units u JOIN cycles c ON c.unit_id = u.id
		WHERE u.parent_id IS NULL ORDER BY c.year DESC, c.id DESC, u.id LIMIT 1`).Scan(&b.RootID, &b.RootPath, &b.CycleID)
	if err != nil {
		return b, ErrBenchNoData
	}
	err = s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM rectifications WHERE cycle_id = ?)`),
		b.CycleID).Scan(&b.Units, &b.Items)
	return b, err
}

// BenchUnitsAt lists the ids and paths of the units at a depth (1 for the
// root), in id order. For benchmarks only.
func (s *Store) BenchUnitsAt(ctx context.Context, depth int) ([]unit.Unit, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id, path FROM units WHERE depth = ? ORDER BY id`), depth)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (unit.Unit, error) {
		u := unit.Unit{Depth: depth}
		return u, r.Scan(&u.ID, &u.Path)
	})
}

// BenchItemIDs lists the ids of a cycle's items in a status, in id order.
// For benchmarks only.
func (s *Store) BenchItemIDs(ctx context.Context, cycleID int64, status rectification.Status) ([]int64, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id FROM rectifications WHERE cycle_id = ? AND status = ? ORDER BY id`),
		cycleID, string(status))
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// BenchScanStats computes a subtree's figures the way the counters avoid:
// one GROUP BY over every item of the subtree. It is the benchmark's point
// of comparison. For benchmarks only.
func (s *Store) BenchScanStats(ctx context.Context, path string, cycleID int64) (rectification.Stats, error) {
	today := s.Now()
	day := today.Format(rectification.Date)
	soon := s.soonDay(today)
	lo, hi := unit.SubtreeRange(path)
	// Days from the day an item was created to the day it closed, as
	// the counters count them (never below 0).
	days := `CAST(julianday(r.closed_on) - julianday(date(r.created_at, 'unixepoch')) AS INTEGER)`
	if s.engine == Postgres {
		days = `(CAST(r.closed_on AS date) - CAST(to_timestamp(r.created_at) AT TIME ZONE 'UTC' AS date))`
	}
	days = `CASE WHEN ` + days + ` > 0 THEN ` + days + ` ELSE 0 END`
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT r.status, count(*),
		COALESCE(SUM(CASE WHEN r.status = 'closed' AND r.deadline <> '' AND r.closed_on <= r.deadline THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.status = 'closed' THEN `+days+` ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.status <> 'closed' AND r.deadline <> '' AND r.deadline < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN r.status <> 'closed' AND r.deadline >= ? AND r.deadline <= ? THEN 1 ELSE 0 END), 0)
		FROM rectifications r JOIN units un ON un.id = r.unit_id
		WHERE un.path >= ? AND un.path < ? AND r.cycle_id = ? GROUP BY r.status`), day, day, soon, lo, hi, cycleID)
	if err != nil {
		return rectification.Stats{}, fmt.Errorf("scan stats: %w", err)
	}
	var st rectification.Stats
	defer rows.Close()
	for rows.Next() {
		var status string
		var n, onTime, toClose, overdue, soon int
		if err := rows.Scan(&status, &n, &onTime, &toClose, &overdue, &soon); err != nil {
			return st, err
		}
		st.Total += n
		switch rectification.Status(status) {
		case rectification.Planning:
			st.Planning += n
		case rectification.InProgress:
			st.InProgress += n
		case rectification.AwaitingVerification:
			st.Awaiting += n
		case rectification.Closed:
			st.Closed += n
		}
		st.ClosedOnTime += onTime
		st.DaysToClose += toClose
		st.Overdue += overdue
		st.DueSoon += soon
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	st.Finish()
	return st, nil
}

// BenchSize is the size of the database in bytes: SQLite's pages, or
// PostgreSQL's pg_database_size. For benchmarks only.
func (s *Store) BenchSize(ctx context.Context) (int64, error) {
	var n int64
	q := `SELECT pg_database_size(current_database())`
	if s.engine == SQLite {
		q = `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`
	}
	err := s.rd(ctx).QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// BenchPeople gives every unit of a generated province a leader and a
// staff member (with e-mail chosen) unless it has them, so that the
// reminder sweep is measured telling people as a real province would.
func (s *Store) BenchPeople(ctx context.Context) error {
	return s.Tx(ctx, func(tx *Tx) error {
		now := unix(s.Now())
		for _, role := range []string{"leader", "staff"} {
			prefix := "bench-" + role + "-"
			if _, err := tx.exec(ctx, `INSERT INTO users (login, name, password_hash, locale, created_at, updated_at, email, channels)
				SELECT ? || u.id, u.name, '!', '', ?, ?, ? || u.id || '@example.org', 'email' FROM units u
				WHERE NOT EXISTS (SELECT 1 FROM users x WHERE x.login = ? || u.id)`, prefix, now, now, prefix, prefix); err != nil {
				return fmt.Errorf("bench people: %w", err)
			}
			if _, err := tx.exec(ctx, `INSERT INTO grants (user_id, unit_id, role, created_at)
				SELECT x.id, u.id, ?, ? FROM units u JOIN users x ON x.login = ? || u.id
				WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.user_id = x.id AND g.unit_id = u.id AND g.role = ?)`, role, now, prefix, role); err != nil {
				return fmt.Errorf("bench grants: %w", err)
			}
		}
		return nil
	})
}
