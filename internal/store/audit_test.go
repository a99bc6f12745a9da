package store_test

import (
	"context"
	"strings"
	"testing"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// auditTrail makes a store with a few changes, hence a few audit events.
func auditTrail(t *testing.T) *store.Store {
	st := storetest.New(t)
	ctx := context.Background()
	by := audit.Actor{UserID: 0, Login: "test"}
	city, _ := st.CreateUnit(ctx, by, 0, unit.Draft{Name: "中共绵阳市委", Kind: unit.Committee})
	fc, _ := st.CreateUnit(ctx, by, city.ID, unit.Draft{Name: "涪城区委", Kind: unit.Committee})
	if _, err := st.UpdateUnit(ctx, by, fc.ID, fc.Version, unit.Draft{Name: "中共涪城区委", Kind: unit.Committee}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, by, user.Draft{Login: "zhang", Name: "张"}, "h", []auth.Grant{{Role: auth.UnitLeader, UnitID: fc.ID}}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAuditEveryChange(t *testing.T) {
	st := auditTrail(t)
	ctx := context.Background()
	events, err := st.AuditEvents(ctx, store.AuditFilter{Unscoped: true, Scopes: []string{"/"}})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(events) - 1; i >= 0; i-- {
		actions = append(actions, events[i].Action)
	}
	want := "unit.create unit.create unit.update user.create grant.add"
	if strings.Join(actions, " ") != want {
		t.Fatalf("events %v, want %s", actions, want)
	}
	upd := events[2]
	if !strings.Contains(string(upd.Before), `"name":"涪城区委"`) || !strings.Contains(string(upd.After), `"name":"中共涪城区委"`) ||
		upd.Login != "test" || upd.UnitPath == "" {
		t.Fatalf("update event: %+v", upd)
	}
	n, p, err := st.VerifyAudit(ctx)
	if err != nil || p != nil || n != 5 {
		t.Fatalf("verify: %d %v %v", n, p, err)
	}

	// A refused change writes no event.
	if _, err := st.CreateUnit(ctx, audit.System, 0, unit.Draft{Name: "", Kind: unit.Committee}); err == nil {
		t.Fatal("empty name accepted")
	}
	if n, _, _ := st.VerifyAudit(ctx); n != 5 {
		t.Fatalf("a refused change was audited: %d events", n)
	}
}

func TestAuditTamper(t *testing.T) {
	for _, tc := range []struct {
		name string
		sql  []string
		want string
	}{
		{"payload altered", []string{`UPDATE audit_events SET after_json = '{"name":"forged"}' WHERE seq = 3`}, "event 3 altered"},
		{"actor altered", []string{`UPDATE audit_events SET user_id = 42 WHERE seq = 2`}, "event 2 altered"},
		{"event deleted", []string{`DELETE FROM audit_events WHERE seq = 2`}, "event 2 missing"},
		{"last event deleted", []string{`DELETE FROM audit_events WHERE seq = 5`}, "event 5 missing"},
		{"event inserted", []string{`INSERT INTO audit_events SELECT seq + 100, at, user_id, login, action, object_type, object_id,
			unit_id, unit_path, before_json, after_json, prev_hash, hash FROM audit_events WHERE seq = 5`}, "event 105 inserted"},
		{"events renumbered", []string{`DELETE FROM audit_events WHERE seq = 3`, `UPDATE audit_events SET seq = 3 WHERE seq = 4`}, "event 3 altered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := auditTrail(t)
			for _, q := range tc.sql {
				if err := st.ExecForTest(context.Background(), q); err != nil {
					t.Fatal(err)
				}
			}
			_, p, err := st.VerifyAudit(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if p == nil || !strings.HasPrefix(p.Error(), tc.want) {
				t.Fatalf("got %v, want %q", p, tc.want)
			}
		})
	}
}

// BenchmarkWrite measures a unit rename with its audit event, against the
// same rename without one (the bare SQL of the change).
func BenchmarkWrite(b *testing.B) {
	st := storetest.New(b)
	ctx := context.Background()
	u, _ := st.CreateUnit(ctx, audit.System, 0, unit.Draft{Name: "x", Kind: unit.Committee})
	b.Run("with-audit", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			cur, _ := st.Unit(ctx, u.ID)
			if _, err := st.UpdateUnit(ctx, audit.System, u.ID, cur.Version, unit.Draft{Name: "n" + string(rune('a'+i%26)), Kind: unit.Committee}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("without-audit", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			cur, _ := st.Unit(ctx, u.ID)
			if err := st.UpdateUnitUnauditedForBench(ctx, u.ID, cur.Version, "n"+string(rune('a'+i%26))); err != nil {
				b.Fatal(err)
			}
		}
	})
}
