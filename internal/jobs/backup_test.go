package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"zeren/internal/audit"
	"zeren/internal/backup"
	"zeren/internal/i18n"
	"zeren/internal/jobs"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
)

// syncBuffer is a log both processes write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The night's backup: two processes on one database take it once; the
// archive is complete and named by the date and time; the oldest archives
// beyond --backup-keep go, other files stay.
func TestNightlyBackup(t *testing.T) {
	ctx := context.Background()
	clock := &storetest.Clock{T: time.Date(2021, 1, 12, 3, 0, 0, 0, time.UTC)} // after the backup hour
	db, data := storetest.DSN(t)
	st := open(t, db, data, clock)
	if _, err := st.CreateUnit(ctx, audit.System, 0, unit.Draft{Name: "市委", Kind: unit.Committee}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	old := []string{"zeren-20210109-020000.tar.gz", "zeren-20210110-020000.tar.gz", "zeren-20210111-020000.tar.gz", "notes.txt"}
	for _, n := range old {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	start := func() *jobs.Jobs {
		j, err := jobs.New(ctx, open(t, db, data, clock), cat, jobs.Options{Poll: 100 * time.Millisecond, BackupDir: dir, BackupKeep: 2,
			App: "test", Log: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = j.Stop(sctx)
		})
		return j
	}
	start()
	start()
	want := "zeren-20210112-030000.tar.gz"
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(log.String(), "nightly backup") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // time for a second backup, which must not come
	if n := strings.Count(log.String(), "msg=\"nightly backup\""); n != 1 {
		t.Fatalf("%d backups logged, want 1:\n%s", n, log.String())
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"notes.txt", "zeren-20210111-020000.tar.gz", want}) {
		t.Fatalf("backup dir holds %v", names)
	}
	f, err := os.Open(filepath.Join(dir, want))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, m, err := backup.Verify(f)
	if err != nil || h.App != "test" || m.Rows() == 0 {
		t.Fatalf("the night's archive: %v, %+v, %d rows", err, h, m.Rows())
	}
}
