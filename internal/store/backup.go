package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"

	"zeren/internal/backup"
)

// Backup writes a consistent copy of every table to w as an engine-neutral
// archive (internal/backup), while the installation keeps running: all
// tables are read in one read-only transaction, a snapshot that writers do
// not block and do not change (PostgreSQL: REPEATABLE READ; SQLite: a read
// transaction on the WAL). Evidence files are rows of attachments and
// event_files, so they are in it. Rows stream: memory does not grow with
// the database. progress, if not nil, is told each table as it starts.
func (s *Store) Backup(ctx context.Context, w io.Writer, app string, progress func(table string)) (backup.Header, backup.Manifest, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	// On SQLite a read-only transaction begins DEFERRED (not IMMEDIATE, as
	// the pools' writes do), so it takes no write lock; its first read
	// fixes the snapshot.
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return backup.Header{}, backup.Manifest{}, fmt.Errorf("begin backup: %w", err)
	}
	defer tx.Rollback()
	h := backup.Header{Engine: string(s.engine), Created: s.Now(), App: app}
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&h.Schema); err != nil {
		return h, backup.Manifest{}, fmt.Errorf("schema version: %w", err)
	}
	tables, err := s.tables(ctx, tx)
	if err != nil {
		return h, backup.Manifest{}, err
	}
	if tables, err = s.parentsFirst(ctx, tx, tables); err != nil {
		return h, backup.Manifest{}, err
	}
	bw, err := backup.NewWriter(w, h)
	if err != nil {
		return h, backup.Manifest{}, err
	}
	for _, t := range tables {
		if progress != nil {
			progress(t)
		}
		if err := s.dumpTable(ctx, tx, bw, t); err != nil {
			bw.Abort()
			return h, backup.Manifest{}, fmt.Errorf("back up %s: %w", t, err)
		}
	}
	m, err := bw.Close()
	return h, m, err
}

func (s *Store) dumpTable(ctx context.Context, tx querier, bw *backup.Writer, table string) error {
	cols, err := s.columns(ctx, tx, table)
	if err != nil {
		return err
	}
	if err := bw.Begin(table, cols); err != nil {
		return err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quoteIdent(c.Name)
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(names, ", ")+" FROM "+quoteIdent(table))
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := bw.Row(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// skipTable reports the tables a backup leaves out: the migrations' own
// record (the restore makes it anew) and River's job queue, whose tables
// differ per engine and hold only transient work (a job not yet run is
// asked for again: the sweep by the day, deliveries by the outbox).
func skipTable(name string) bool {
	return name == "schema_migrations" || strings.HasPrefix(name, "river_")
}

// tables lists the store's tables from the catalog, by name.
func (s *Store) tables(ctx context.Context, q querier) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if s.engine == Postgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	names, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	out := names[:0]
	for _, n := range names {
		if !skipTable(n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// columns lists a table's columns with their engine-neutral types.
func (s *Store) columns(ctx context.Context, q querier, table string) ([]backup.Column, error) {
	query := `SELECT name, type FROM pragma_table_info(?) ORDER BY cid`
	if s.engine == Postgres {
		query = `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
	}
	rows, err := q.QueryContext(ctx, query, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	cols, err := collect(rows, func(r interface{ Scan(...any) error }) (backup.Column, error) {
		var c backup.Column
		var typ string
		err := r.Scan(&c.Name, &typ)
		c.Type = columnType(typ)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s has no columns", table)
	}
	return cols, nil
}

// columnType maps a declared (SQLite) or catalog (PostgreSQL) type to the
// archive's.
func columnType(t string) backup.Type {
	t = strings.ToLower(t)
	switch {
	case strings.Contains(t, "int"):
		return backup.Int
	case t == "boolean" || t == "bool":
		return backup.Bool
	case strings.Contains(t, "real"), strings.Contains(t, "double"), strings.Contains(t, "float"), strings.Contains(t, "numeric"):
		return backup.Float
	case t == "blob" || t == "bytea":
		return backup.Bytes
	}
	return backup.Text
}

// quoteIdent quotes a table or column name for both engines.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// parentsFirst orders tables so that each comes after the tables its
// foreign keys reference (by name among equals). A restore loads them in
// the archive's order: SQLite's deferred foreign keys are then never
// pending, which would make every parent row's insert search its children.
func (s *Store) parentsFirst(ctx context.Context, q querier, tables []string) ([]string, error) {
	parents := map[string][]string{}
	for _, t := range tables {
		query := `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`
		if s.engine == Postgres {
			query = `SELECT DISTINCT p.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
				JOIN pg_class p ON p.oid = k.confrelid
				WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND c.relname = $1`
		}
		rows, err := q.QueryContext(ctx, query, t)
		if err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", t, err)
		}
		ps, err := collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
			var n string
			return n, r.Scan(&n)
		})
		if err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", t, err)
		}
		parents[t] = ps
	}
	done := map[string]bool{}
	var out []string
	for len(out) < len(tables) {
		progress := false
		for _, t := range tables { // by name
			if done[t] {
				continue
			}
			ready := true
			for _, p := range parents[t] {
				if p != t && !done[p] && slices.Contains(tables, p) {
					ready = false
				}
			}
			if ready {
				done[t], progress = true, true
				out = append(out, t)
			}
		}
		if !progress { // a cycle: the rest by name; the load still checks
			for _, t := range tables {
				if !done[t] {
					done[t] = true
					out = append(out, t)
				}
			}
		}
	}
	return out, nil
}
