// Package store holds all SQL. One Store serves SQLite and PostgreSQL; queries
// are written once with '?' placeholders and rebound per engine.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"zeren/internal/unit"
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Store is the database. Reads go to a pool; on SQLite writes go to a
// single connection so that writers queue in Go instead of failing busy.
type Store struct {
	engine Engine
	read   *sql.DB
	write  *sql.DB
	now    func() time.Time
	sync   string // SQLite's synchronous pragma: FULL or NORMAL

	rebound  sync.Map // query text with '?' → engine-specific text
	votes    voteQueue
	warnDays atomic.Int32 // the warning days once read; see WarningDays
}

// Options tune Open.
type Options struct {
	Now func() time.Time // injected clock for tests; time.Now by default
	// SQLiteSync is SQLite's synchronous setting, SyncFull ("", the
	// default) or SyncNormal; PostgreSQL ignores it.
	SQLiteSync string
}

// The values of Options.SQLiteSync (the --sqlite-sync flag). With FULL,
// WAL mode syncs the log at every commit, so that an acknowledged write
// survives an OS crash or a power loss (DESIGN.md section 7); NORMAL
// syncs it only at checkpoints, which is faster but may lose the last
// commits then (never the database's consistency).
const (
	SyncFull   = "full"
	SyncNormal = "normal"
)

// ParseSQLiteSync checks a --sqlite-sync value and returns it as
// PRAGMA synchronous takes it ("" is the default, FULL).
func ParseSQLiteSync(v string) (string, error) {
	switch strings.ToLower(v) {
	case "", SyncFull:
		return "FULL", nil
	case SyncNormal:
		return "NORMAL", nil
	}
	return "", fmt.Errorf("--sqlite-sync %q: must be %s or %s", v, SyncFull, SyncNormal)
}

// ParseDSN turns the --db and --data values into an engine and a driver DSN.
// An empty db means SQLite in dataDir/zeren.db.
func ParseDSN(db, dataDir string) (Engine, string, error) {
	switch {
	case db == "":
		if dataDir == "" {
			dataDir = "."
		}
		return SQLite, filepath.Join(dataDir, "zeren.db"), nil
	case strings.HasPrefix(db, "sqlite:"):
		p := strings.TrimPrefix(db, "sqlite:")
		if p == "" {
			return "", "", errors.New("--db sqlite: needs a file path, e.g. sqlite:zeren.db")
		}
		if !filepath.IsAbs(p) && dataDir != "" {
			p = filepath.Join(dataDir, p)
		}
		return SQLite, p, nil
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		u, err := url.Parse(db)
		if err != nil || u.Host == "" {
			return "", "", fmt.Errorf("--db %q is not a valid postgres:// URL", redact(db))
		}
		return Postgres, db, nil
	}
	return "", "", fmt.Errorf("--db %q: expected sqlite:PATH or postgres://USER@HOST/DB", redact(db))
}

// redact hides a password in a URL before it is printed.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxx")
			return u.String()
		}
	}
	return s
}

// Open connects to the database named by db (see ParseDSN) and checks that it
// answers. It does not migrate; call Migrate.
func Open(ctx context.Context, db, dataDir string, opt Options) (*Store, error) {
	engine, dsn, err := ParseDSN(db, dataDir)
	if err != nil {
		return nil, err
	}
	s := &Store{engine: engine, now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sync, err = ParseSQLiteSync(opt.SQLiteSync); err != nil {
		return nil, err
	}
	switch engine {
	case SQLite:
		err = s.openSQLite(dsn)
	case Postgres:
		err = s.openPostgres(dsn)
	}
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.write.PingContext(pctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("cannot reach the %s database: %s", engine, oneLine(err))
	}
	return s, nil
}

func (s *Store) openSQLite(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("cannot create the data directory: %w", err)
		}
	}
	// busy_timeout first so that the following pragmas wait instead of failing.
	// temp_store(MEMORY) keeps statement journals (written for multi-row
	// inserts inside a transaction) off the disk. The pragmas are in the
	// DSN, so that the driver runs them on every new connection of both
	// pools (synchronous is a per-connection setting).
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(" + s.sync + ")", "foreign_keys(ON)", "temp_store(MEMORY)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	// The path goes into a file: URI, where '?' and '#' would end it early.
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	dsn := "file:" + escaped + "?" + q.Encode()
	var err error
	if s.read, err = sql.Open("sqlite", dsn); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	if s.write, err = sql.Open("sqlite", dsn); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	s.read.SetMaxOpenConns(8)
	s.read.SetMaxIdleConns(8)
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	return nil
}

func (s *Store) openPostgres(dsn string) error {
	c, err := stdlib.GetDefaultDriver().(driver.DriverContext).OpenConnector(dsn)
	if err != nil {
		return fmt.Errorf("--db: %s", oneLine(err))
	}
	db := sql.OpenDB(textConnector{c}) // refused text is bad input (text.go)
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s.read, s.write = db, db
	return nil
}

// oneLine shortens driver errors to the one line a person needs: for a
// failed connection, the address and the innermost cause.
func oneLine(err error) string {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		inner := innermost(ce)
		if ce.Config != nil {
			return fmt.Sprintf("%s:%d: %s", ce.Config.Host, ce.Config.Port, inner.Error())
		}
		return inner.Error()
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// innermost follows the chain of wrapped errors to its end, taking the last
// of joined errors (pgx joins one error per address tried).
func innermost(err error) error {
	for {
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				err = next
				continue
			}
		case interface{ Unwrap() []error }:
			if list := u.Unwrap(); len(list) > 0 {
				err = list[len(list)-1]
				continue
			}
		}
		return err
	}
}

// Engine reports which engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// DBs returns the pools, for metrics. On PostgreSQL both are the same pool.
func (s *Store) DBs() (read, write *sql.DB) { return s.read, s.write }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.write.PingContext(ctx) }

// Close closes the pools; on SQLite it first lets the query planner keep
// what it learned and folds the WAL back into the database file.
func (s *Store) Close() error {
	if s.engine == SQLite && s.write != nil {
		_, _ = s.write.Exec("PRAGMA optimize")
		_, _ = s.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	var errs []error
	if s.read != nil && s.read != s.write {
		errs = append(errs, s.read.Close())
	}
	if s.write != nil {
		errs = append(errs, s.write.Close())
	}
	return errors.Join(errs...)
}

// Optimize refreshes SQLite's planner statistics; the server calls it
// daily. It is a full ANALYZE (seconds at province scale): PRAGMA optimize
// samples so few rows of a big table that the ledger's plans went wrong
// (found by zeren bench). PostgreSQL's autovacuum keeps its own.
func (s *Store) Optimize(ctx context.Context) error {
	if s.engine != SQLite {
		return nil
	}
	for _, q := range []string{"PRAGMA analysis_limit = 0", "ANALYZE"} {
		if _, err := s.write.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("optimize: %w", err)
		}
	}
	return nil
}

// q rebinds '?' placeholders to '$n' on PostgreSQL. Queries never contain a
// literal '?', so a plain scan is enough; results are cached per text.
func (s *Store) q(query string) string {
	if s.engine != Postgres {
		return query
	}
	if v, ok := s.rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	out := b.String()
	s.rebound.Store(query, out)
	return out
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a write transaction handed to the function given to Store.Tx.
type Tx struct {
	s  *Store
	tx *sql.Tx
}

func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.s.q(query), args...)
}

func (t *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.s.q(query), args...)
}

// forUpdate is the clause that locks the rows a read selects (of the
// table alias given, or all) until the transaction ends. SQLite needs none:
// its write transaction holds the whole database.
func (t *Tx) forUpdate(of string) string {
	switch {
	case t.s.engine != Postgres:
		return ""
	case of != "":
		return " FOR UPDATE OF " + of
	}
	return " FOR UPDATE"
}

// txKey carries the transaction of InTx in a context.
type txKey struct{}

// InTx runs fn in one write transaction that every store method called
// with fn's context joins, so that a change made of several store calls (a
// PATCH of several fields) commits whole or not at all. Reads through the
// read pool inside fn do not see its uncommitted writes.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.Tx(ctx, func(tx *Tx) error { return fn(context.WithValue(ctx, txKey{}, tx)) })
}

// rd is where a read goes: InTx's transaction when the context carries
// one, so that a change made of several calls sees its own writes (and, on
// SQLite, does not wait for the connection it holds), else the read pool.
func (s *Store) rd(ctx context.Context) querier {
	if t, ok := ctx.Value(txKey{}).(*Tx); ok && t.s == s {
		return t.tx
	}
	return s.read
}

// Tx runs fn in a write transaction, committing if it returns nil. On SQLite
// transactions begin IMMEDIATE so that the write lock is taken up front.
// Inside InTx, fn runs in InTx's transaction.
func (s *Store) Tx(ctx context.Context, fn func(*Tx) error) error {
	if t, ok := ctx.Value(txKey{}).(*Tx); ok && t.s == s {
		return fn(t)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&Tx{s: s, tx: tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// isUniqueViolation reports whether err is a unique-constraint failure.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// unix converts a time to the stored form: Unix seconds, UTC by definition.
func unix(t time.Time) int64 { return t.Unix() }

// fromUnix converts a stored time back.
func fromUnix(n int64) time.Time { return time.Unix(n, 0).UTC() }

// scopeClause is the SQL condition "col lies in one of the subtrees", as
// ranges of the materialized path, with its arguments.
func scopeClause(col string, scopes []string) (string, []any) {
	parts := make([]string, len(scopes))
	args := make([]any, 0, 2*len(scopes))
	for i, p := range scopes {
		lo, hi := unit.SubtreeRange(p)
		parts[i] = "(" + col + " >= ? AND " + col + " < ?)"
		args = append(args, lo, hi)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// collect scans every row with scan and closes the rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
