// Package storetest gives each test a fresh, migrated database: SQLite in a
// temporary directory, or, when ZEREN_TEST_POSTGRES holds a postgres:// URL,
// a fresh schema in that PostgreSQL database, dropped afterwards.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"zeren/internal/store"
)

// EnvPostgres names the variable holding the test PostgreSQL URL.
const EnvPostgres = "ZEREN_TEST_POSTGRES"

// Clock is a settable clock for tests.
type Clock struct{ T time.Time }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.T }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.T = c.T.Add(d) }

// Engine reports the engine tests run on.
func Engine() store.Engine {
	if os.Getenv(EnvPostgres) != "" {
		return store.Postgres
	}
	return store.SQLite
}

// New returns a migrated store on the test engine, with the real clock.
func New(t testing.TB) *store.Store {
	st, _ := NewWithClock(t)
	return st
}

// NewWithClock returns a migrated store whose clock the test controls.
func NewWithClock(t testing.TB) (*store.Store, *Clock) {
	t.Helper()
	clock := &Clock{T: time.Date(2021, 1, 12, 1, 0, 0, 0, time.UTC)}
	ctx := context.Background()
	db, data := DSN(t)
	// synchronous=NORMAL: the tests check what is written, not that it
	// survives a power loss, and FULL's sync at every commit makes them
	// nearly twice as slow. TestSQLiteSync checks the FULL default.
	st, err := store.Open(ctx, db, data, store.Options{Now: clock.Now, SQLiteSync: store.SyncNormal})
	if err != nil {
		t.Fatalf("open %s store: %v", Engine(), err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s store: %v", Engine(), err)
	}
	return st, clock
}

// DSN returns --db and --data values for a fresh, empty database on the test
// engine, for tests that open it themselves (such as the CLI's).
func DSN(t testing.TB) (db, dataDir string) {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		return "", t.TempDir()
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), ""
}

// Exec runs raw SQL on a database made by DSN, behind the store's back, for
// tests that tamper with it.
func Exec(t testing.TB, db, dataDir, query string) {
	t.Helper()
	driver, dsn := "pgx", db
	if db == "" {
		driver, dsn = "sqlite", dataDir+"/zeren.db"
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
