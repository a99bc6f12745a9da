package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"zeren/internal/backup"
)

// NotEmptyError refuses a restore into a database that holds data.
type NotEmptyError struct{ Table string }

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("the target database is not empty: table %s has rows; restore only into an empty database", e.Table)
}

// SchemaError refuses an archive this binary cannot load: from a newer
// schema than it knows, or older than the target was already migrated to.
type SchemaError struct {
	Archive, Known, Target int
}

func (e *SchemaError) Error() string {
	if e.Target > 0 {
		return fmt.Sprintf("archive has schema %d, the empty target is already at schema %d; restore into a database never migrated", e.Archive, e.Target)
	}
	return fmt.Sprintf("archive has schema %d, this zeren knows up to %d", e.Archive, e.Known)
}

// CheckError is a restored database that fails the audit chain or the
// counters check.
type CheckError struct {
	What   string // "audit" or "counters"
	Detail string
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("the restored database fails the %s check: %s", e.What, e.Detail)
}

// RestoreResult says what a restore loaded and checked.
type RestoreResult struct {
	Header      backup.Header
	Manifest    backup.Manifest
	Later       []int // migrations applied after loading, past the archive's schema
	AuditEvents int64
}

// Restore loads an archive into this database, which must be empty. open
// is called twice: the first reading checks the whole archive (format,
// every table's hash, the checksum, the schema version) before anything is
// written, so that a damaged, cut or foreign file changes nothing; the
// second loads every table in one transaction, at the archive's schema
// version, after which later migrations are applied and the audit chain
// and the counters are checked. progress, if not nil, is told each table
// loaded.
func (s *Store) Restore(ctx context.Context, open func() (io.ReadCloser, error), progress func(table string, rows int64)) (RestoreResult, error) {
	var res RestoreResult
	if err := s.checkEmpty(ctx); err != nil {
		return res, err
	}
	f, err := open()
	if err != nil {
		return res, err
	}
	res.Header, res.Manifest, err = backup.Verify(f)
	f.Close()
	if err != nil {
		return res, err
	}
	known, err := LatestSchema(s.engine)
	if err != nil {
		return res, err
	}
	if res.Header.Schema > known {
		return res, &SchemaError{Archive: res.Header.Schema, Known: known}
	}
	if cur, err := s.SchemaVersion(ctx); err != nil {
		return res, err
	} else if cur > res.Header.Schema {
		return res, &SchemaError{Archive: res.Header.Schema, Known: known, Target: cur}
	}
	if _, err := s.MigrateTo(ctx, res.Header.Schema); err != nil {
		return res, err
	}
	if f, err = open(); err != nil {
		return res, err
	}
	defer f.Close()
	if s.engine == Postgres {
		err = s.loadPostgres(ctx, f, progress)
	} else {
		err = s.loadSQLite(ctx, f, progress)
	}
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	if res.Later, err = s.Migrate(ctx); err != nil {
		return res, err
	}
	n, problem, err := s.VerifyAudit(ctx)
	if err != nil {
		return res, err
	}
	if problem != nil {
		return res, &CheckError{What: "audit", Detail: fmt.Sprintf("after %d good events: %s", n, problem)}
	}
	res.AuditEvents = n
	if err := s.VerifyCounters(ctx); err != nil {
		var m *CounterMismatch
		if errors.As(err, &m) {
			return res, &CheckError{What: "counters", Detail: m.Error()}
		}
		return res, err
	}
	return res, nil
}

// checkEmpty refuses a database with rows in any table but audit_head,
// whose starting row the migrations write.
func (s *Store) checkEmpty(ctx context.Context) error {
	tables, err := s.tables(ctx, s.read)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if t == "audit_head" {
			continue
		}
		var one int
		err := s.read.QueryRowContext(ctx, "SELECT 1 FROM "+quoteIdent(t)+" LIMIT 1").Scan(&one)
		if err == nil {
			return &NotEmptyError{Table: t}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check %s: %w", t, err)
		}
	}
	return nil
}

// target is a table of this database that an archive's table loads into.
type target struct {
	cols  []string
	types []backup.Type
}

// targets maps the archive's columns onto the table's, by name; a column
// the table lacks means the archive does not fit the schema.
func (s *Store) target(ctx context.Context, q querier, t *backup.TableReader, known map[string]bool) (target, error) {
	if !known[t.Name] {
		return target{}, fmt.Errorf("the archive's table %s is not in this schema", t.Name)
	}
	cols, err := s.columns(ctx, q, t.Name)
	if err != nil {
		return target{}, err
	}
	types := map[string]backup.Type{}
	for _, c := range cols {
		types[c.Name] = c.Type
	}
	var tg target
	for _, c := range t.Columns {
		typ, ok := types[c.Name]
		if !ok {
			return target{}, fmt.Errorf("the archive's column %s.%s is not in this schema", t.Name, c.Name)
		}
		tg.cols = append(tg.cols, c.Name)
		tg.types = append(tg.types, typ)
	}
	return tg, nil
}

// convert turns an archive value into one of the target column's type:
// SQLite's 0/1 into PostgreSQL's booleans and back, numbers kept exact.
func (s *Store) convert(v any, to backup.Type) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		switch {
		case to == backup.Bool && s.engine == Postgres:
			return x
		case to == backup.Text:
			return strconv.FormatBool(x)
		}
		return int64(b2i(x))
	case int64:
		switch to {
		case backup.Bool:
			if s.engine == Postgres {
				return x != 0
			}
		case backup.Float:
			return float64(x)
		case backup.Text:
			return strconv.FormatInt(x, 10)
		}
		return x
	case float64:
		switch to {
		case backup.Int:
			if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
				return int64(x)
			}
		case backup.Text:
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case string:
		if to == backup.Bytes {
			return []byte(x)
		}
		return x
	}
	return v
}

// loadSQLite inserts every row in one transaction. Foreign keys are
// checked at the commit (defer_foreign_keys), so tables load in any order
// and a unit may come before its parent.
func (s *Store) loadSQLite(ctx context.Context, f io.Reader, progress func(string, int64)) error {
	// A bigger page cache for the load: the indexes of a province's big
	// tables otherwise go to disk and back at every insert. Memory stays
	// bounded (256 MB).
	if _, err := s.write.ExecContext(ctx, "PRAGMA cache_size = -262144"); err != nil {
		return err
	}
	defer s.write.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
	br, err := backup.NewReader(f)
	if err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
			return err
		}
		known, err := s.clearTables(ctx, tx.tx, func(q string) error {
			_, err := tx.tx.ExecContext(ctx, q)
			return err
		})
		if err != nil {
			return err
		}
		for {
			t, err := br.NextTable()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			tg, err := s.target(ctx, tx.tx, t, known)
			if err != nil {
				return err
			}
			n, err := s.insertRows(ctx, tx, t, tg)
			if err != nil {
				return err
			}
			if progress != nil {
				progress(t.Name, n)
			}
		}
	})
}

// insertBatch is how many rows one INSERT of a SQLite restore carries:
// one statement per row spends most of the load in the statement's
// overhead rather than in the b-trees.
const insertBatch = 64

// insertRows inserts a table's rows in statements of insertBatch rows.
func (s *Store) insertRows(ctx context.Context, tx *Tx, t *backup.TableReader, tg target) (int64, error) {
	names := make([]string, len(tg.cols))
	for i, c := range tg.cols {
		names[i] = quoteIdent(c)
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(tg.cols)), ", ") + ")"
	insert := "INSERT INTO " + quoteIdent(t.Name) + " (" + strings.Join(names, ", ") + ") VALUES "
	batch := max(1, min(insertBatch, 30000/len(tg.cols))) // under SQLite's 32766 variables
	full, err := tx.tx.PrepareContext(ctx, insert+strings.TrimSuffix(strings.Repeat(row+", ", batch), ", "))
	if err != nil {
		return 0, err
	}
	defer full.Close()
	args := make([]any, 0, batch*len(tg.cols))
	var n int64
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var err error
		if len(args) == cap(args) {
			_, err = full.ExecContext(ctx, args...)
		} else {
			rows := len(args) / len(tg.cols)
			_, err = tx.tx.ExecContext(ctx, insert+strings.TrimSuffix(strings.Repeat(row+", ", rows), ", "), args...)
		}
		if err != nil {
			return fmt.Errorf("table %s, rows up to %d: %w", t.Name, n, err)
		}
		args = args[:0]
		return nil
	}
	for {
		vals, err := t.Next()
		if err == io.EOF {
			return n, flush()
		}
		if err != nil {
			return n, err
		}
		for i, v := range vals {
			args = append(args, s.convert(v, tg.types[i]))
		}
		n++
		if len(args) == cap(args) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
}

// clearTables empties every table (the rows the migrations seeded, such as
// audit_head's start) and returns their names.
func (s *Store) clearTables(ctx context.Context, q querier, exec func(string) error) (map[string]bool, error) {
	tables, err := s.tables(ctx, q)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, t := range tables {
		known[t] = true
		if err := exec("DELETE FROM " + quoteIdent(t)); err != nil {
			return nil, fmt.Errorf("clear %s: %w", t, err)
		}
	}
	return known, nil
}

// loadPostgres copies every table in (COPY, through pgx) in one
// transaction. PostgreSQL checks foreign keys at once, so they are dropped
// for the load and added back at its end, which checks them all, as
// pg_restore does; the identity sequences then move past the loaded ids.
func (s *Store) loadPostgres(ctx context.Context, f io.Reader, progress func(string, int64)) error {
	br, err := backup.NewReader(f)
	if err != nil {
		return err
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		tc, ok := dc.(textConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		sc, ok := tc.pgConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", tc.pgConn)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if err := s.copyAll(ctx, tx, br, progress); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// copyAll loads the tables in tx; the catalog is read through the pool
// (the columns do not change, only the constraints, which it does not read).
func (s *Store) copyAll(ctx context.Context, tx pgx.Tx, br *backup.Reader, progress func(string, int64)) error {
	type fk struct{ table, name, def string }
	rows, err := tx.Query(ctx, `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY conrelid, conname`)
	if err != nil {
		return err
	}
	fks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (fk, error) {
		var k fk
		return k, r.Scan(&k.table, &k.name, &k.def)
	})
	if err != nil {
		return fmt.Errorf("foreign keys: %w", err)
	}
	for _, k := range fks {
		if _, err := tx.Exec(ctx, "ALTER TABLE "+k.table+" DROP CONSTRAINT "+quoteIdent(k.name)); err != nil {
			return err
		}
	}
	known, err := s.clearTables(ctx, s.read, func(q string) error {
		_, err := tx.Exec(ctx, q)
		return err
	})
	if err != nil {
		return err
	}
	for {
		t, err := br.NextTable()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		tg, err := s.target(ctx, s.read, t, known)
		if err != nil {
			return err
		}
		src := &copySource{s: s, t: t, tg: tg}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, tg.cols, src)
		if err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
		if progress != nil {
			progress(t.Name, n)
		}
	}
	for _, k := range fks {
		if _, err := tx.Exec(ctx, "ALTER TABLE "+k.table+" ADD CONSTRAINT "+quoteIdent(k.name)+" "+k.def); err != nil {
			return fmt.Errorf("foreign key %s of %s: %w", k.name, k.table, err)
		}
	}
	// Every identity (or serial) column's sequence continues after the
	// largest loaded id, so that the next insert does not collide.
	rows, err = tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`)
	if err != nil {
		return err
	}
	seqs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var c [2]string
		return c, r.Scan(&c[0], &c[1])
	})
	if err != nil {
		return fmt.Errorf("sequences: %w", err)
	}
	for _, c := range seqs {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(`+quoteIdent(c[1])+`), 0) + 1, false) FROM `+quoteIdent(c[0]),
			quoteIdent(c[0]), c[1]); err != nil {
			return fmt.Errorf("sequence of %s.%s: %w", c[0], c[1], err)
		}
	}
	return nil
}

// copySource feeds a table's rows to COPY, converted to the column types.
type copySource struct {
	s    *Store
	t    *backup.TableReader
	tg   target
	vals []any
	err  error
}

func (c *copySource) Next() bool {
	vals, err := c.t.Next()
	if err != nil {
		if err != io.EOF {
			c.err = err
		}
		return false
	}
	if c.vals == nil {
		c.vals = make([]any, len(vals))
	}
	for i, v := range vals {
		c.vals[i] = c.s.convert(v, c.tg.types[i])
	}
	return true
}

func (c *copySource) Values() ([]any, error) { return c.vals, nil }
func (c *copySource) Err() error             { return c.err }
