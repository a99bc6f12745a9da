package store

import (
	"context"
	"database/sql"
	"fmt"

	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/unit"
)

// CounterMismatch is a counter that differs from the rows it counts.
type CounterMismatch struct {
	Table, Key       string
	Stored, Computed string
}

func (m *CounterMismatch) Error() string {
	return fmt.Sprintf("%s %s holds %s, the rows give %s", m.Table, m.Key, m.Stored, m.Computed)
}

type rollKey struct{ unit, cycle int64 }

type dayKey struct {
	unit, cycle int64
	day         string
}

type findKey struct {
	unit, cycle  int64
	source, area string
}

// VerifyCounters recomputes every counter table from the rows it counts —
// rollups and rollup_deadlines from the items, rollup_findings from the
// findings, rollup_raised from the items awaiting verification and the
// pending extensions — with the same functions the changes use, and returns
// the first mismatch as a *CounterMismatch. A stored row of zeros counts as
// absent. The figures are summed in memory per counter row, which is
// bounded by the counter tables, not by the items.
func (s *Store) VerifyCounters(ctx context.Context) error {
	q := s.read
	paths := map[int64]string{}
	if err := eachRow(ctx, q, `SELECT id, path FROM units`, func(r *sql.Rows) error {
		var id int64
		var p string
		err := r.Scan(&id, &p)
		paths[id] = p
		return err
	}); err != nil {
		return err
	}
	roll := map[rollKey][7]int{}
	days := map[dayKey]int{}
	raised := map[rollKey][2]int{}
	err := eachRow(ctx, q, `SELECT r.unit_id, r.cycle_id, r.status, r.deadline, r.closed_on, r.created_at, f.raised_by
		FROM rectifications r JOIN findings f ON f.id = r.finding_id`, func(r *sql.Rows) error {
		var unitID, cycle, created int64
		var raiser sql.NullInt64
		var st rollState
		if err := r.Scan(&unitID, &cycle, &st.status, &st.deadline, &st.closedOn, &created, &raiser); err != nil {
			return err
		}
		st.created = fromUnix(created)
		d, day := st.counts(1), st.openDay()
		for _, id := range unit.Ancestors(paths[unitID]) {
			k := rollKey{id, cycle}
			c := roll[k]
			for i := range c {
				c[i] += d[i]
			}
			roll[k] = c
			if day != "" {
				days[dayKey{id, cycle, day}]++
			}
		}
		if st.status == rectification.AwaitingVerification && raiser.Valid {
			for _, id := range unit.Ancestors(paths[raiser.Int64]) {
				c := raised[rollKey{id, cycle}]
				c[0]++
				raised[rollKey{id, cycle}] = c
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = eachRow(ctx, q, `SELECT r.cycle_id, f.raised_by FROM extensions e JOIN rectifications r ON r.id = e.rectification_id
		JOIN findings f ON f.id = r.finding_id WHERE e.status = 'pending' AND f.raised_by IS NOT NULL`, func(r *sql.Rows) error {
		var cycle, raiser int64
		if err := r.Scan(&cycle, &raiser); err != nil {
			return err
		}
		for _, id := range unit.Ancestors(paths[raiser]) {
			c := raised[rollKey{id, cycle}]
			c[1]++
			raised[rollKey{id, cycle}] = c
		}
		return nil
	})
	if err != nil {
		return err
	}
	finds := map[findKey][2]int{}
	err = eachRow(ctx, q, `SELECT unit_id, cycle_id, source, area, status FROM findings`, func(r *sql.Rows) error {
		var unitID, cycle int64
		var source, area, status string
		if err := r.Scan(&unitID, &cycle, &source, &area, &status); err != nil {
			return err
		}
		for _, id := range unit.Ancestors(paths[unitID]) {
			k := findKey{id, cycle, source, area}
			c := finds[k]
			c[0]++
			if status == string(finding.Closed) {
				c[1]++
			}
			finds[k] = c
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := compare(ctx, q, "rollups", `SELECT unit_id, cycle_id, total, planning, in_progress, awaiting, closed, closed_on_time, days_to_close FROM rollups`,
		roll, func(r *sql.Rows) (rollKey, [7]int, error) {
			var k rollKey
			var c [7]int
			err := r.Scan(&k.unit, &k.cycle, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6])
			return k, c, err
		}); err != nil {
		return err
	}
	if err := compare(ctx, q, "rollup_deadlines", `SELECT unit_id, cycle_id, day, open FROM rollup_deadlines`,
		days, func(r *sql.Rows) (dayKey, int, error) {
			var k dayKey
			var n int
			err := r.Scan(&k.unit, &k.cycle, &k.day, &n)
			return k, n, err
		}); err != nil {
		return err
	}
	if err := compare(ctx, q, "rollup_raised", `SELECT unit_id, cycle_id, awaiting, extensions FROM rollup_raised`,
		raised, func(r *sql.Rows) (rollKey, [2]int, error) {
			var k rollKey
			var c [2]int
			err := r.Scan(&k.unit, &k.cycle, &c[0], &c[1])
			return k, c, err
		}); err != nil {
		return err
	}
	return compare(ctx, q, "rollup_findings", `SELECT unit_id, cycle_id, source, area, total, closed FROM rollup_findings`,
		finds, func(r *sql.Rows) (findKey, [2]int, error) {
			var k findKey
			var c [2]int
			err := r.Scan(&k.unit, &k.cycle, &k.source, &k.area, &c[0], &c[1])
			return k, c, err
		})
}

// compare reads a counter table and checks each row against the computed
// figures (removing them), then that no computed figure is left without
// its row.
func compare[K comparable, V comparable](ctx context.Context, q querier, table, query string, want map[K]V,
	scan func(*sql.Rows) (K, V, error)) error {
	var zero V
	var bad *CounterMismatch
	err := eachRow(ctx, q, query, func(r *sql.Rows) error {
		k, got, err := scan(r)
		if err != nil || bad != nil {
			return err
		}
		if w := want[k]; w != got {
			bad = &CounterMismatch{Table: table, Key: fmt.Sprintf("%v", k), Stored: fmt.Sprintf("%v", got), Computed: fmt.Sprintf("%v", w)}
		}
		delete(want, k)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	if bad != nil {
		return bad
	}
	for k, w := range want {
		if w != zero {
			return &CounterMismatch{Table: table, Key: fmt.Sprintf("%v", k), Stored: "no row", Computed: fmt.Sprintf("%v", w)}
		}
	}
	return nil
}

// eachRow runs fn on every row of a query.
func eachRow(ctx context.Context, q querier, query string, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
