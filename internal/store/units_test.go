package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"zeren/internal/audit"

	"zeren/internal/apperr"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

func mustUnit(t testing.TB, st *store.Store, parent int64, name string) unit.Unit {
	t.Helper()
	u, err := st.CreateUnit(context.Background(), audit.System, parent, unit.Draft{Name: name, Kind: unit.Committee})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || e.Field != field {
		t.Fatalf("got %v, want invalid %s", err, field)
	}
}

func TestUnitTree(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	t.Logf("engine %s", st.Engine())
	city := mustUnit(t, st, 0, "中共绵阳市委")
	fc := mustUnit(t, st, city.ID, "涪城区委")
	yx := mustUnit(t, st, city.ID, "游仙区委")
	town := mustUnit(t, st, fc.ID, "城厢街道党工委")
	if city.Path != fmt.Sprintf("/%d/", city.ID) || city.Depth != 1 {
		t.Fatalf("root path %q depth %d", city.Path, city.Depth)
	}
	if town.Path != fmt.Sprintf("/%d/%d/%d/", city.ID, fc.ID, town.ID) || town.Depth != 3 || town.ParentID != fc.ID {
		t.Fatalf("town %+v", town)
	}

	roots, err := st.Units(ctx, store.UnitFilter{Scopes: []string{city.Path}})
	if err != nil || len(roots) != 1 || roots[0].ID != city.ID || roots[0].Children != 2 {
		t.Fatalf("roots %+v %v", roots, err)
	}
	kids, err := st.Units(ctx, store.UnitFilter{Scopes: []string{city.Path}, ParentID: &city.ID})
	if err != nil || len(kids) != 2 {
		t.Fatalf("children %+v %v", kids, err)
	}
	found, _ := st.Units(ctx, store.UnitFilter{Scopes: []string{fc.Path}, Query: "街道"})
	if len(found) != 1 || found[0].ID != town.ID {
		t.Fatalf("search in scope: %+v", found)
	}
	found, _ = st.Units(ctx, store.UnitFilter{Scopes: []string{yx.Path}, Query: "街道"})
	if len(found) != 0 {
		t.Fatalf("search leaked outside scope: %+v", found)
	}
	found, _ = st.Units(ctx, store.UnitFilter{Scopes: []string{city.Path}, Query: "%"})
	if len(found) != 0 {
		t.Fatalf("wildcard not escaped: %+v", found)
	}

	// Move Fucheng (with its town) under Youxian: the whole subtree is re-pathed.
	moved, err := st.MoveUnit(ctx, audit.System, fc.ID, fc.Version, yx.ID)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Path != yx.Path+fmt.Sprint(fc.ID)+"/" || moved.Depth != 3 || moved.ParentID != yx.ID {
		t.Fatalf("moved %+v", moved)
	}
	town2, _ := st.Unit(ctx, town.ID)
	if town2.Path != moved.Path+fmt.Sprint(town.ID)+"/" || town2.Depth != 4 {
		t.Fatalf("descendant not re-pathed: %+v", town2)
	}

	_, err = st.MoveUnit(ctx, audit.System, yx.ID, yx.Version, town.ID)
	wantField(t, err, "parent_id")
	_, err = st.MoveUnit(ctx, audit.System, yx.ID, yx.Version, yx.ID)
	wantField(t, err, "parent_id")
	_, err = st.MoveUnit(ctx, audit.System, yx.ID, yx.Version, 999999)
	wantField(t, err, "parent_id")
	if after, _ := st.Unit(ctx, yx.ID); after.Path != yx.Path || after.Version != yx.Version {
		t.Fatalf("refused move changed the unit: %+v", after)
	}
	_, err = st.MoveUnit(ctx, audit.System, fc.ID, fc.Version, city.ID) // fc.Version is stale now
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("stale move: %v", err)
	}
}

func TestUnitEditAndArchive(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	city := mustUnit(t, st, 0, "中共绵阳市委")
	park := mustUnit(t, st, city.ID, "科技城新区党工委")

	for _, tc := range []struct {
		d     unit.Draft
		field string
	}{
		{unit.Draft{Name: "", Kind: unit.Park}, "name"},
		{unit.Draft{Name: strings.Repeat("长", unit.MaxNameLen+1), Kind: unit.Park}, "name"},
		{unit.Draft{Name: "x", Kind: "nope"}, "kind"},
	} {
		_, err := st.UpdateUnit(ctx, audit.System, park.ID, park.Version, tc.d)
		wantField(t, err, tc.field)
		_, err = st.CreateUnit(ctx, audit.System, city.ID, tc.d)
		wantField(t, err, tc.field)
	}
	if _, err := st.CreateUnit(ctx, audit.System, 424242, unit.Draft{Name: "x", Kind: unit.Other}); err == nil {
		t.Fatal("created under a missing parent")
	}
	if n, _ := st.CountUnits(ctx); n != 2 {
		t.Fatalf("refused input changed the tree: %d units", n)
	}

	ed, err := st.UpdateUnit(ctx, audit.System, park.ID, park.Version, unit.Draft{Name: "绵阳科技城新区党工委", Kind: unit.Park, Leader: "王五"})
	if err != nil || ed.Name != "绵阳科技城新区党工委" || ed.Leader != "王五" || ed.Version != park.Version+1 {
		t.Fatalf("edit: %+v %v", ed, err)
	}
	_, err = st.UpdateUnit(ctx, audit.System, park.ID, park.Version, unit.Draft{Name: "stale", Kind: unit.Park})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("stale edit: %v", err)
	}
	_, err = st.UpdateUnit(ctx, audit.System, 424242, 1, unit.Draft{Name: "x", Kind: unit.Park})
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("edit of missing unit: %v", err)
	}

	city, _ = st.Unit(ctx, city.ID)
	_, err = st.ArchiveUnit(ctx, audit.System, city.ID, city.Version, true)
	wantField(t, err, "archived")
	arch, err := st.ArchiveUnit(ctx, audit.System, ed.ID, ed.Version, true)
	if err != nil || !arch.Archived {
		t.Fatalf("archive: %+v %v", arch, err)
	}
	visible, _ := st.Units(ctx, store.UnitFilter{Scopes: []string{city.Path}, ParentID: &city.ID})
	if len(visible) != 0 {
		t.Fatalf("archived unit still offered: %+v", visible)
	}
	all, _ := st.Units(ctx, store.UnitFilter{Scopes: []string{city.Path}, ParentID: &city.ID, IncludeArchived: true})
	if len(all) != 1 {
		t.Fatalf("archived unit lost: %+v", all)
	}
	_, err = st.CreateUnit(ctx, audit.System, arch.ID, unit.Draft{Name: "x", Kind: unit.Other})
	wantField(t, err, "parent_id")
	back, err := st.ArchiveUnit(ctx, audit.System, arch.ID, arch.Version, false)
	if err != nil || back.Archived {
		t.Fatalf("restore: %+v %v", back, err)
	}
}

// BenchmarkMoveSubtree measures moving a subtree of 10,000 units (100
// children with 99 children each, plus its root) back and forth.
func BenchmarkMoveSubtree(b *testing.B) {
	st := storetest.New(b)
	ctx := context.Background()
	root := mustUnit(b, st, 0, "省委")
	a := mustUnit(b, st, root.ID, "A")
	dest := mustUnit(b, st, root.ID, "B")
	seedSubtree(b, st, a, 100, 99)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cur, _ := st.Unit(ctx, a.ID)
		to := dest.ID
		if cur.ParentID == dest.ID {
			to = root.ID
		}
		if _, err := st.MoveUnit(ctx, audit.System, a.ID, cur.Version, to); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(10000, "units/move")
}

func seedSubtree(b *testing.B, st *store.Store, top unit.Unit, n, m int) {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		c, err := st.CreateUnit(ctx, audit.System, top.ID, unit.Draft{Name: fmt.Sprint("c", i), Kind: unit.Committee})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < m; j++ {
			if _, err := st.CreateUnit(ctx, audit.System, c.ID, unit.Draft{Name: fmt.Sprint("g", j), Kind: unit.Grassroots}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestConcurrentEditors starts several editors from the same version at
// once: exactly one wins, the others get a conflict, and the winner's edit
// is what stays.
func TestConcurrentEditors(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	u := mustUnit(t, st, 0, "中共绵阳市委")
	const editors = 8
	errs := make(chan error, editors)
	names := make(chan string, editors)
	for i := 0; i < editors; i++ {
		go func(i int) {
			name := fmt.Sprintf("编辑者%d", i)
			_, err := st.UpdateUnit(ctx, audit.System, u.ID, u.Version, unit.Draft{Name: name, Kind: unit.Committee})
			if err == nil {
				names <- name
			}
			errs <- err
		}(i)
	}
	won, lost := 0, 0
	for i := 0; i < editors; i++ {
		switch err := <-errs; {
		case err == nil:
			won++
		case apperr.Is(err, apperr.Conflict):
			lost++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if won != 1 || lost != editors-1 {
		t.Fatalf("%d won, %d lost", won, lost)
	}
	got, _ := st.Unit(ctx, u.ID)
	if winner := <-names; got.Name != winner || got.Version != u.Version+1 {
		t.Fatalf("stored %q v%d, winner %q", got.Name, got.Version, winner)
	}
	if n, p, err := st.VerifyAudit(ctx); err != nil || p != nil || n != 2 {
		t.Fatalf("audit after the race: %d events, %v %v", n, p, err)
	}
}
