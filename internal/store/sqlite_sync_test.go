package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"zeren/internal/bench"
	"zeren/internal/store"
)

// synchronous reads PRAGMA synchronous on n connections of a pool held at
// once, so that each is a connection of its own: 2 is FULL, 1 NORMAL.
func synchronous(t *testing.T, db *sql.DB, n int) []int {
	t.Helper()
	ctx := context.Background()
	var out []int
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var v int
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestSQLiteSync: SQLite runs synchronous=FULL unless told NORMAL, on
// every connection of the read pool and on the write connection, and
// still after a bench load (which turns it off while it loads). A bad
// value is refused, naming the flag. SQLite only: the setting is SQLite's.
func TestSQLiteSync(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		opt  string
		want int
	}{{"", 2}, {store.SyncFull, 2}, {store.SyncNormal, 1}, {"NORMAL", 1}} {
		st, err := store.Open(ctx, "", t.TempDir(), store.Options{SQLiteSync: tc.opt})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		read, write := st.DBs()
		check := func(when string) {
			t.Helper()
			for _, pool := range []struct {
				name string
				db   *sql.DB
				n    int
			}{{"read", read, 4}, {"write", write, 1}} {
				for i, v := range synchronous(t, pool.db, pool.n) {
					if v != tc.want {
						t.Errorf("%q %s: %s connection %d has synchronous=%d, want %d", tc.opt, when, pool.name, i, v, tc.want)
					}
				}
			}
		}
		check("when opened")
		if _, err := bench.Gen(ctx, st, bench.GenOptions{Units: 5, Items: 10, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		check("after a bench load")
		st.Close()
	}
	_, err := store.Open(ctx, "", t.TempDir(), store.Options{SQLiteSync: "off"})
	if err == nil || !strings.Contains(err.Error(), "--sqlite-sync") {
		t.Fatalf("synchronous=off: %v, want an error naming --sqlite-sync", err)
	}
}
