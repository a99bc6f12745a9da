package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one embedded SQL file, applied once, in its own transaction.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// migrations returns the engine's migrations in version order.
func migrations(engine Engine) ([]Migration, error) {
	dir := path.Join("migrations", string(engine))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		body, err := migrationFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createVersionTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at BIGINT  NOT NULL)`

// Migrate applies every migration not yet applied, each in its own
// transaction, and returns the versions it applied. Several processes may
// start at once: on PostgreSQL an advisory lock serializes them, on SQLite
// the immediate transaction does.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	return s.MigrateTo(ctx, math.MaxInt)
}

// MigrateTo is Migrate up to and including version upTo: a restore loads
// an archive into the schema it was taken from, then applies the rest, so
// that later migrations convert the rows as they would have in place.
func (s *Store) MigrateTo(ctx context.Context, upTo int) ([]int, error) {
	all, err := migrations(s.engine)
	if err != nil {
		return nil, err
	}
	if _, err := s.write.ExecContext(ctx, createVersionTable); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []int
	for _, m := range all {
		if m.Version > upTo {
			break
		}
		did := false
		err := s.Tx(ctx, func(tx *Tx) error {
			if s.engine == Postgres {
				if _, err := tx.exec(ctx, "SELECT pg_advisory_xact_lock(7254001)"); err != nil {
					return err
				}
			}
			var one int
			err := tx.queryRow(ctx, "SELECT 1 FROM schema_migrations WHERE version = ?", m.Version).Scan(&one)
			if err == nil {
				return nil // another process applied it first
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			did = true
			_, err = tx.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, unix(s.Now()))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if did {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

// LatestSchema is the highest migration this binary knows.
func LatestSchema(engine Engine) (int, error) {
	all, err := migrations(engine)
	if err != nil || len(all) == 0 {
		return 0, err
	}
	return all[len(all)-1].Version, nil
}

// SchemaVersion is the highest migration applied, 0 on a database never
// migrated.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var exists int
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if s.engine == Postgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`
	}
	if err := s.read.QueryRowContext(ctx, q).Scan(&exists); err != nil || exists == 0 {
		return 0, err
	}
	var v int
	err := s.read.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

// SchemaCurrent reports whether every embedded migration has been applied;
// /readyz answers 503 until it is.
func (s *Store) SchemaCurrent(ctx context.Context) (bool, error) {
	all, err := migrations(s.engine)
	if err != nil {
		return false, err
	}
	var n int
	err = s.rd(ctx).QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n)
	if err != nil {
		return false, err
	}
	return n >= len(all), nil
}

// Locked runs fn in a write transaction that holds the migrations' lock,
// for a schema the store does not own (the job queue's) to be migrated by
// one process at a time.
func (s *Store) Locked(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.Tx(ctx, func(tx *Tx) error {
		if s.engine == Postgres {
			if _, err := tx.exec(ctx, "SELECT pg_advisory_xact_lock(7254001)"); err != nil {
				return err
			}
		}
		return fn(tx.tx)
	})
}
