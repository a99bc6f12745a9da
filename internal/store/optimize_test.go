package store_test

import (
	"context"
	"testing"

	"zeren/internal/store"
	"zeren/internal/store/storetest"
)

// The daily Optimize leaves SQLite statistics for every index of the big
// tables, read from every row.
func TestOptimize(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	mustUnit(t, st, 0, "中共绵阳市委")
	if err := st.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	if st.Engine() != store.SQLite {
		return // nothing to do on PostgreSQL, but it must not fail
	}
	n, err := st.StatRowsForTest(ctx, "units")
	if err != nil || n == 0 {
		t.Fatalf("statistics of units: %d rows, %v", n, err)
	}
}
