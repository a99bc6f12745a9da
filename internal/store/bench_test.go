package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"zeren/internal/bench"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

// benchStore opens a fresh store on the test engine with a clock the test
// holds, and a raw connection to the same database for reference queries.
func benchStore(t *testing.T) (*store.Store, *sql.DB) {
	t.Helper()
	clock := &storetest.Clock{T: time.Date(2021, 9, 1, 3, 0, 0, 0, time.UTC)}
	db, data := storetest.DSN(t)
	ctx := context.Background()
	st, err := store.Open(ctx, db, data, store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	driver, dsn := "pgx", db
	if db == "" {
		driver, dsn = "sqlite", data+"/zeren.db"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return st, raw
}

// groupBy computes a subtree's figures from a GROUP BY over its items,
// found by a LIKE on the path (not the range the store uses), and the
// rules of the rectification package applied to each group.
func groupBy(t *testing.T, raw *sql.DB, path string, cycleID int64, today time.Time) rectification.Stats {
	t.Helper()
	q := `SELECT r.status, r.deadline, r.closed_on, r.created_at, count(*) FROM rectifications r JOIN units u ON u.id = r.unit_id
		WHERE u.path LIKE ? AND r.cycle_id = ? GROUP BY r.status, r.deadline, r.closed_on, r.created_at`
	if storetest.Engine() == store.Postgres {
		q = strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1)
	}
	rows, err := raw.Query(q, path+"%", cycleID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var s rectification.Stats
	for rows.Next() {
		var status, deadline, closedOn string
		var created int64
		var n int
		if err := rows.Scan(&status, &deadline, &closedOn, &created, &n); err != nil {
			t.Fatal(err)
		}
		s.Total += n
		switch rectification.Status(status) {
		case rectification.Planning:
			s.Planning += n
		case rectification.InProgress:
			s.InProgress += n
		case rectification.AwaitingVerification:
			s.Awaiting += n
		case rectification.Closed:
			s.Closed += n
			if closedOn <= deadline {
				s.ClosedOnTime += n
			}
			c, err := time.Parse(rectification.Date, closedOn)
			if err != nil {
				t.Fatalf("closed item without a closing day: %q", closedOn)
			}
			s.DaysToClose += n * max(0, int(c.Sub(rectification.Day(time.Unix(created, 0).UTC())).Hours()/24))
		}
		switch rectification.WarningOf(rectification.Status(status), deadline, today, rectification.DefaultWarningDays) {
		case rectification.Red:
			s.Overdue += n
		case rectification.Yellow:
			s.DueSoon += n
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	s.Finish()
	return s
}

// sameStats compares every figure, rates included.
func sameStats(a, b rectification.Stats) bool {
	return a.Total == b.Total && a.Planning == b.Planning && a.InProgress == b.InProgress && a.Awaiting == b.Awaiting &&
		a.Closed == b.Closed && a.ClosedOnTime == b.ClosedOnTime && a.DaysToClose == b.DaysToClose &&
		a.Overdue == b.Overdue && a.DueSoon == b.DueSoon && sameRate(a.OnTimeRate, b.OnTimeRate) && sameRate(a.AvgDaysToClose, b.AvgDaysToClose)
}

// The bulk-loaded counters are exactly what the per-change maintenance
// would keep: for units of every level they equal a GROUP BY over the
// items; the audit chain verifies; the data holds every state.
func TestBenchGenCountersMatchItems(t *testing.T) {
	st, raw := benchStore(t)
	ctx := context.Background()
	var progress bytes.Buffer
	res, err := bench.Gen(ctx, st, bench.GenOptions{Units: 200, Items: 2000, Seed: 7, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), "100%") || !strings.Contains(progress.String(), "\r[") {
		t.Errorf("progress: %q", progress.String())
	}
	if n, _ := st.CountUnits(ctx); n != 200 {
		t.Fatalf("%d units, want 200", n)
	}
	per := (res.Events + res.AuditEvents) / 2000
	if per < 4 || per > 7 {
		t.Errorf("%d timeline and %d audit events: %d per item, want about five", res.Events, res.AuditEvents, per)
	}
	today := st.Now()
	var checked, empty int
	for depth := 1; depth <= bench.Levels; depth++ {
		us, err := st.BenchUnitsAt(ctx, depth)
		if err != nil || len(us) == 0 {
			t.Fatalf("depth %d: %d units, %v", depth, len(us), err)
		}
		// The first, the last and one in the middle of each level.
		for _, u := range []unit.Unit{us[0], us[len(us)/2], us[len(us)-1]} {
			got, err := st.UnitStats(ctx, u.ID, res.CycleID)
			if err != nil {
				t.Fatal(err)
			}
			want := groupBy(t, raw, u.Path, res.CycleID, today)
			if !sameStats(got, want) {
				t.Fatalf("unit %d (%s): counters %+v, items %+v", u.ID, u.Path, got, want)
			}
			scan, err := st.BenchScanStats(ctx, u.Path, res.CycleID)
			if err != nil || !sameStats(scan, want) {
				t.Fatalf("unit %d: BenchScanStats %+v, items %+v (%v)", u.ID, scan, want, err)
			}
			checked++
			if want.Total == 0 {
				empty++
			}
		}
	}
	if empty == checked {
		t.Errorf("every unit checked is empty")
	}
	root := groupBy(t, raw, "/1/", res.CycleID, today)
	if root.Total != 2000 || root.Planning == 0 || root.InProgress == 0 || root.Awaiting == 0 || root.Closed == 0 ||
		root.ClosedOnTime == 0 || root.ClosedOnTime == root.Closed || root.Overdue == 0 || root.DueSoon == 0 ||
		root.Total-root.Closed-root.Overdue-root.DueSoon == 0 {
		t.Fatalf("not every state is there: %+v", root)
	}
	var reopened, extended, unplanned int
	if err := raw.QueryRow(`SELECT (SELECT count(*) FROM rectifications WHERE round > 1),
		(SELECT count(*) FROM rectifications WHERE original_deadline <> deadline),
		(SELECT count(*) FROM rectifications WHERE deadline = '')`).Scan(&reopened, &extended, &unplanned); err != nil {
		t.Fatal(err)
	}
	if reopened == 0 || extended == 0 || unplanned == 0 {
		t.Fatalf("%d reopened, %d extended, %d without a plan", reopened, extended, unplanned)
	}
	n, problem, err := st.VerifyAudit(ctx)
	if err != nil || problem != nil || n != res.AuditEvents+8 { // + 3 users, 3 grants, the cycle and its advance
		t.Fatalf("audit chain: %d events (want %d), %v, %v", n, res.AuditEvents+8, problem, err)
	}

	// The store's API works on the loaded data: a move keeps the counters
	// exact, and new rows get fresh ids.
	ids, err := st.BenchItemIDs(ctx, res.CycleID, rectification.InProgress)
	if err != nil || len(ids) == 0 {
		t.Fatal(ids, err)
	}
	x, err := st.MoveRectification(ctx, checker, ids[0], 0, rectification.Submit, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range unit.Ancestors(x.UnitPath) {
		u, err := st.Unit(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := st.UnitStats(ctx, u.ID, res.CycleID)
		if want := groupBy(t, raw, u.Path, res.CycleID, today); !sameStats(got, want) {
			t.Fatalf("after a move, %s: counters %+v, items %+v", u.Path, got, want)
		}
	}
	tl, err := st.Timeline(ctx, x.ID)
	if err != nil || len(tl) < 2 || tl[len(tl)-1].Kind != "submit" || tl[len(tl)-1].ID <= res.Events {
		t.Fatalf("timeline after a move: %+v %v", tl, err)
	}
}

// The generator refuses a database that is not empty, and the same seed
// gives the same province.
func TestBenchGenEmptyAndDeterministic(t *testing.T) {
	ctx := context.Background()
	digest := func(raw *sql.DB) string {
		var b strings.Builder
		rows, err := raw.Query(`SELECT r.id, r.unit_id, r.status, r.deadline, r.original_deadline, r.closed_on, r.round, u.path, f.text
			FROM rectifications r JOIN units u ON u.id = r.unit_id JOIN findings f ON f.id = r.finding_id ORDER BY r.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, unitID, round int64
			var status, deadline, orig, closed, path, text string
			if err := rows.Scan(&id, &unitID, &status, &deadline, &orig, &closed, &round, &path, &text); err != nil {
				t.Fatal(err)
			}
			b.WriteString(strings.Join([]string{status, deadline, orig, closed, path, text}, "|"))
		}
		return b.String()
	}
	var digests []string
	for range 2 {
		st, raw := benchStore(t)
		if _, err := bench.Gen(ctx, st, bench.GenOptions{Units: 30, Items: 300, Seed: 42}); err != nil {
			t.Fatal(err)
		}
		digests = append(digests, digest(raw))
		_, err := bench.Gen(ctx, st, bench.GenOptions{Units: 30, Items: 300, Seed: 42})
		if !errors.Is(err, store.ErrBenchNotEmpty) || !strings.Contains(err.Error(), "30 units") {
			t.Fatalf("a second generation: %v", err)
		}
	}
	if digests[0] == "" || digests[0] != digests[1] {
		t.Fatalf("the same seed gave different data")
	}
	st, _ := benchStore(t)
	if _, err := bench.Gen(ctx, st, bench.GenOptions{Units: 4, Items: 10}); err == nil {
		t.Fatal("a tree of 4 units for 5 levels")
	}
	if err := st.BenchCheckEmpty(ctx); err != nil {
		t.Fatalf("a refused generation left data behind: %v", err)
	}
}
