package store_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"zeren/internal/audit"
	"zeren/internal/backup"
	"zeren/internal/demo"
	"zeren/internal/finding"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

// emptyStore opens a database never migrated on an engine: SQLite in a
// temporary directory, or a fresh schema of the test PostgreSQL.
func emptyStore(t *testing.T, engine store.Engine) *store.Store {
	t.Helper()
	db, data := "", t.TempDir()
	if engine == store.Postgres {
		db, data = storetest.DSN(t)
	}
	st, err := store.Open(context.Background(), db, data, store.Options{SQLiteSync: store.SyncNormal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// demoStore is a migrated store on the test engine holding the demo.
func demoStore(t *testing.T) *store.Store {
	t.Helper()
	st := storetest.New(t)
	if _, err := demo.Load(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

func takeBackup(t *testing.T, st *store.Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, _, err := st.Backup(context.Background(), &buf, "test", nil); err != nil {
		t.Fatalf("backup: %v", err)
	}
	return buf.Bytes()
}

func opener(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// archiveRows reads an archive's tables as sorted rows, each value written
// the same whatever the engine (SQLite's 0/1 and PostgreSQL's booleans as
// 0/1), so that two archives compare row by row.
func archiveRows(t *testing.T, b []byte) map[string][]string {
	t.Helper()
	r, err := backup.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for {
		tr, err := r.NextTable()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		rows := []string{}
		for {
			vals, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			var sb strings.Builder
			for i, v := range vals {
				if i > 0 {
					sb.WriteString(" | ")
				}
				switch x := v.(type) {
				case bool:
					sb.WriteString(strconv.Itoa(map[bool]int{false: 0, true: 1}[x]))
				case []byte:
					sb.WriteString("b64:" + base64.StdEncoding.EncodeToString(x))
				case string:
					sb.WriteString(strconv.Quote(x))
				default:
					fmt.Fprint(&sb, x)
				}
			}
			rows = append(rows, sb.String())
		}
		slices.Sort(rows)
		out[tr.Name] = rows
	}
}

// sameRows fails the test at the first table or row that differs.
func sameRows(t *testing.T, want, got map[string][]string) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Fatalf("table %s missing after the restore", name)
		}
		if len(w) != len(g) {
			t.Fatalf("table %s: %d rows, want %d", name, len(g), len(w))
		}
		for i := range w {
			if w[i] != g[i] {
				t.Fatalf("table %s differs:\n got %s\nwant %s", name, g[i], w[i])
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d tables, want %d", len(got), len(want))
	}
}

// restoreInto restores an archive into a fresh database of an engine and
// checks that it holds exactly the archive's rows.
func restoreInto(t *testing.T, archive []byte, engine store.Engine) *store.Store {
	t.Helper()
	dst := emptyStore(t, engine)
	res, err := dst.Restore(context.Background(), opener(archive), nil)
	if err != nil {
		t.Fatalf("restore into %s: %v", engine, err)
	}
	if res.Manifest.Rows() == 0 || res.AuditEvents == 0 {
		t.Fatalf("restored %d rows, %d audit events", res.Manifest.Rows(), res.AuditEvents)
	}
	sameRows(t, archiveRows(t, archive), archiveRows(t, takeBackup(t, dst)))
	return dst
}

// A backup restores, on the same engine, to a database equal to the
// source table by table and row by row, the evidence files included; the
// restored database works (a new unit gets a fresh id).
func TestBackupRoundTrip(t *testing.T) {
	src := demoStore(t)
	archive := takeBackup(t, src)
	rows := archiveRows(t, archive)
	for _, table := range []string{"units", "users", "attachments", "audit_events", "rollups", "ballots"} {
		if len(rows[table]) == 0 {
			t.Fatalf("the demo's archive has no %s rows", table)
		}
	}
	for name := range rows {
		if name == "schema_migrations" || strings.HasPrefix(name, "river_") {
			t.Fatalf("table %s is in the archive", name)
		}
	}
	dst := restoreInto(t, archive, storetest.Engine())
	if _, err := dst.CreateUnit(context.Background(), audit.System, 0, unit.Draft{Name: "新单位", Kind: unit.Committee}); err != nil {
		t.Fatalf("a unit after the restore: %v", err)
	}
	if n, p, err := dst.VerifyAudit(context.Background()); err != nil || p != nil {
		t.Fatalf("audit after a new event: %d %v %v", n, p, err)
	}
}

// SQLite → PostgreSQL (how an installation moves when it outgrows one
// machine) and back, when a PostgreSQL is at hand.
func TestBackupAcrossEngines(t *testing.T) {
	if storetest.Engine() != store.Postgres {
		t.Skip("needs " + storetest.EnvPostgres)
	}
	lite := emptyStore(t, store.SQLite)
	if _, err := lite.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(context.Background(), lite); err != nil {
		t.Fatal(err)
	}
	pg := restoreInto(t, takeBackup(t, lite), store.Postgres)
	restoreInto(t, takeBackup(t, pg), store.SQLite)
}

// A backup taken while writers add units, findings (with their items,
// counters and audit events) is one consistent moment: its restore passes
// the audit and counter checks and equals the archive.
func TestBackupWhileWriting(t *testing.T) {
	src := demoStore(t)
	ctx := context.Background()
	read, _ := src.DBs()
	var cycleID, unitID int64
	if err := read.QueryRow(`SELECT f.cycle_id, f.unit_id FROM findings f JOIN cycles c ON c.id = f.cycle_id WHERE c.status <> 'closed' ORDER BY f.id LIMIT 1`).Scan(&cycleID, &unitID); err != nil {
		t.Fatal(err)
	}
	var root int64
	if err := read.QueryRow(`SELECT id FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writes atomic.Int64
	writer := func(write func(i int) error) {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := write(i); err != nil {
				t.Errorf("write: %v", err)
				return
			}
			writes.Add(1)
		}
	}
	wg.Add(2)
	go writer(func(i int) error {
		_, err := src.CreateUnit(ctx, audit.System, root, unit.Draft{Name: fmt.Sprintf("并发单位 %d", i), Kind: unit.Committee})
		return err
	})
	go writer(func(i int) error {
		_, err := src.CreateFinding(ctx, audit.System, finding.Finding{UnitID: unitID, CycleID: cycleID,
			Source: finding.Supervision, Text: fmt.Sprintf("并发问题 %d", i)})
		return err
	})
	for writes.Load() < 20 && !t.Failed() {
		time.Sleep(5 * time.Millisecond)
	}
	before := writes.Load()
	archive := takeBackup(t, src)
	during := writes.Load() - before
	for writes.Load() < before+during+10 && !t.Failed() {
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("%d writes before the backup, %d while it ran", before, during)
	restoreInto(t, archive, storetest.Engine())
	if n := len(archiveRows(t, archive)["units"]); n >= len(archiveRows(t, takeBackup(t, src))["units"]) {
		t.Fatalf("the archive has %d units, as many as the source after more writes", n)
	}
}

// A damaged, cut or foreign file, or an archive of a newer schema, is
// refused with a clear error and nothing written; so is a target that
// holds data.
func TestRestoreRefuses(t *testing.T) {
	src := demoStore(t)
	good := takeBackup(t, src)
	flip := func(at int) []byte {
		b := bytes.Clone(good)
		b[at] ^= 0x10
		return b
	}
	var newer bytes.Buffer
	w, err := backup.NewWriter(&newer, backup.Header{Schema: 9999, Engine: "sqlite"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	latest, _ := store.LatestSchema(storetest.Engine())
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"truncated", good[:len(good)*2/3], "damaged"},
		{"flipped byte", flip(len(good) / 2), "damaged"},
		{"flipped byte near the end", flip(len(good) - 12), "damaged"},
		{"text file", []byte("name,unit\n张三,涪城区委\n"), "not a zeren backup"},
		{"tar without header", tarWithoutHeader(t), "not a zeren backup"},
		{"newer schema", newer.Bytes(), fmt.Sprintf("archive has schema 9999, this zeren knows up to %d", latest)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := emptyStore(t, storetest.Engine())
			_, err := dst.Restore(context.Background(), opener(c.b), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
			assertEmpty(t, dst)
		})
	}
	_, err = src.Restore(context.Background(), opener(good), nil)
	var ne *store.NotEmptyError
	if !errors.As(err, &ne) {
		t.Fatalf("restore into the source: %v", err)
	}
	if got := archiveRows(t, takeBackup(t, src)); len(got["units"]) != len(archiveRows(t, good)["units"]) {
		t.Fatal("the refused restore changed the source")
	}
	// A target with one row anywhere is not empty.
	dst := emptyStore(t, storetest.Engine())
	if _, err := dst.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.CreateUnit(context.Background(), audit.System, 0, unit.Draft{Name: "已有", Kind: unit.Committee}); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Restore(context.Background(), opener(good), nil); !errors.As(err, &ne) || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore into a database with a unit: %v", err)
	}
}

// assertEmpty fails unless the store holds no table but what the
// migrations made, and no rows.
func assertEmpty(t *testing.T, st *store.Store) {
	t.Helper()
	v, err := st.SchemaVersion(context.Background())
	if err != nil || v != 0 {
		t.Fatalf("the refused target was migrated to %d (%v)", v, err)
	}
}

func tarWithoutHeader(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := backup.NewWriter(&buf, backup.Header{Schema: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Keep the gzip'd tar, drop its header entry: rename it.
	return renameFirstEntry(t, buf.Bytes())
}

// The restore's checks can fail: an archive of a database whose counter or
// audit event was altered behind the store's back is loaded, then refused
// naming the check.
func TestRestoreChecksFail(t *testing.T) {
	for _, c := range []struct{ name, sql, want string }{
		{"counter", `UPDATE rollups SET total = total + 1 WHERE unit_id = (SELECT MIN(unit_id) FROM rollups)`, "counters check: rollups"},
		{"raised", `UPDATE rollup_raised SET awaiting = awaiting + 1`, "counters check: rollup_raised"},
		{"findings", `DELETE FROM rollup_findings WHERE total > 0 AND unit_id = (SELECT MAX(unit_id) FROM rollup_findings)`, "counters check: rollup_findings"},
		{"audit", `UPDATE audit_events SET login = 'mallory' WHERE seq = 3`, "audit check"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := demoStore(t)
			_, write := src.DBs()
			if _, err := write.Exec(c.sql); err != nil {
				t.Fatal(err)
			}
			if c.name != "audit" {
				if err := src.VerifyCounters(context.Background()); err == nil {
					t.Fatal("VerifyCounters missed the altered counter")
				}
			}
			dst := emptyStore(t, storetest.Engine())
			if _, err := dst.Restore(context.Background(), opener(takeBackup(t, src)), nil); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	if err := demoStore(t).VerifyCounters(context.Background()); err != nil {
		t.Fatalf("the demo's counters: %v", err)
	}
}
