package store_test

import (
	"context"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

// TestUnstorableText checks the backstop behind the checks at the edge:
// text PostgreSQL refuses (NUL, bytes that are not UTF-8) is bad input, a
// 400, in writes and reads alike, and a refused write changes nothing.
// SQLite stores such text; the edge refuses it for both engines.
func TestUnstorableText(t *testing.T) {
	st := storetest.New(t)
	if st.Engine() != store.Postgres {
		t.Skip("SQLite stores any text; the edge refuses it (internal/web, internal/api)")
	}
	ctx := context.Background()
	root := mustUnit(t, st, 0, "中共绵阳市委")
	for _, bad := range []string{"a\x00b", "a\xffb", "\xc3\x28"} {
		if _, err := st.CreateUnit(ctx, audit.System, root.ID, unit.Draft{Name: bad, Kind: unit.Committee}); !unstorable(err) {
			t.Errorf("create %q: %v, want unstorable text", bad, err)
		}
		if _, err := st.UpdateUnit(ctx, audit.System, root.ID, root.Version, unit.Draft{Name: bad, Kind: unit.Committee}); !unstorable(err) {
			t.Errorf("update %q: %v, want unstorable text", bad, err)
		}
		if _, err := st.Units(ctx, store.UnitFilter{Scopes: []string{root.Path}, Query: bad}); !unstorable(err) {
			t.Errorf("search %q: %v, want unstorable text", bad, err)
		}
	}
	after, err := st.Unit(ctx, root.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != root.Version || after.Name != root.Name {
		t.Errorf("refused writes changed the unit: %+v, was %+v", after, root)
	}
	if kids, err := st.Units(ctx, store.UnitFilter{Scopes: []string{root.Path}, ParentID: &root.ID}); err != nil || len(kids) != 0 {
		t.Errorf("refused creates added units: %v %v", kids, err)
	}
}

func unstorable(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Kind == apperr.Invalid && e.Key == "err.unstorable_text"
}
