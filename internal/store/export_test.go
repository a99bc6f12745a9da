package store

import (
	"context"
	"fmt"

	"zeren/internal/unit"
)

// ExecForTest runs raw SQL, for tests that tamper with the database.
func (s *Store) ExecForTest(ctx context.Context, query string) error {
	_, err := s.write.ExecContext(ctx, query)
	return err
}

// UpdateUnitUnauditedForBench does what UpdateUnit does minus the audit
// event, to measure what the event costs.
func (s *Store) UpdateUnitUnauditedForBench(ctx context.Context, id, version int64, name string) error {
	return s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.unitForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if before.Version != version {
			return staleVersion()
		}
		_, err = tx.exec(ctx, `UPDATE units SET name = ?, kind = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			name, string(unit.Committee), unix(s.Now()), id)
		if err != nil {
			return err
		}
		_, err = tx.unitForUpdate(ctx, id)
		return err
	})
}

// TableRow is one row of a table as text, for tests that search the whole
// database.
type TableRow struct {
	Table   string
	Columns []string
	Values  []string
}

// DumpForTest reads every row of every table.
func (s *Store) DumpForTest(ctx context.Context) ([]TableRow, error) {
	list := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if s.engine == Postgres {
		list = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := s.rd(ctx).QueryContext(ctx, list)
	if err != nil {
		return nil, err
	}
	tables, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var t string
		return t, r.Scan(&t)
	})
	if err != nil {
		return nil, err
	}
	var out []TableRow
	for _, t := range tables {
		rows, err := s.rd(ctx).QueryContext(ctx, `SELECT * FROM `+t)
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			row := TableRow{Table: t, Columns: cols}
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				row.Values = append(row.Values, fmt.Sprint(v))
			}
			out = append(out, row)
		}
		rows.Close()
	}
	return out, nil
}

// StatRowsForTest counts SQLite's planner statistics rows for a table.
func (s *Store) StatRowsForTest(ctx context.Context, table string) (int, error) {
	var n int
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = ?`, table).Scan(&n)
	return n, err
}

// FindingTalliesByScan counts a subtree's findings in a cycle from the
// findings themselves: the tests' independent account of FindingTallies.
func (s *Store) FindingTalliesByScan(ctx context.Context, path string, cycleID int64) ([]FindingTally, error) {
	lo, hi := unit.SubtreeRange(path)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT f.source, f.area, COUNT(*), SUM(CASE WHEN f.status = 'closed' THEN 1 ELSE 0 END)
		FROM findings f JOIN units un ON un.id = f.unit_id WHERE f.cycle_id = ? AND un.path >= ? AND un.path < ?
		GROUP BY f.source, f.area ORDER BY f.source, f.area`), cycleID, lo, hi)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (FindingTally, error) {
		var c FindingTally
		return c, r.Scan(&c.Source, &c.Area, &c.Total, &c.Closed)
	})
}
