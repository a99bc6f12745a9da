package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"zeren/internal/audit"
	"zeren/internal/backup"
	"zeren/internal/config"
	"zeren/internal/finding"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// benchBackup times a backup while writers add units and findings through
// the store, then the restore of that archive into a fresh database.
func benchBackup(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("bench backup", "[--writers N] [--to DB] [--out FILE] [--restore=false] [--db DB] [--data DIR]",
		"Time 'zeren backup' of a database (e.g. one made by 'zeren bench gen') while N goroutines add units and\n"+
			"findings through the store, then 'zeren restore' of the archive into a fresh database: --to, which must be\n"+
			"empty, or a temporary SQLite file. The writers change the source: run it on a copy.")
	c.DBFlags(fs)
	writers := fs.Int("writers", 4, "goroutines writing during the backup")
	to := fs.String("to", "", "the database to restore into: sqlite:PATH or postgres://… (empty); default: a temporary SQLite")
	out := fs.String("out", "", "keep the archive in this file (default: a temporary file, removed)")
	restore := fs.Bool("restore", true, "also time the restore of the archive")
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	if *writers < 0 {
		return usagef("--writers must not be negative")
	}
	src, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer src.Close()
	info, err := src.BenchInfo(e.ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "zeren-bench-backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	archive := *out
	if archive == "" {
		archive = filepath.Join(tmp, "archive.tar.gz")
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var during, failed atomic.Int64
	var backingUp atomic.Bool
	for w := range *writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if i%2 == 0 {
					_, err = src.CreateUnit(e.ctx, audit.System, info.RootID, unit.Draft{Name: fmt.Sprintf("bench-backup %d-%d", w, i), Kind: unit.Department})
				} else {
					_, err = src.CreateFinding(e.ctx, audit.System, finding.Finding{UnitID: info.RootID, CycleID: info.CycleID,
						Source: finding.Supervision, Text: fmt.Sprintf("bench-backup %d-%d", w, i)})
				}
				if !backingUp.Load() {
					continue
				}
				if err != nil {
					failed.Add(1)
				} else {
					during.Add(1)
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // the writers are running
	backingUp.Store(true)
	start := time.Now()
	var m backup.Manifest
	err = backup.WriteFile(archive, func(w io.Writer) error {
		_, m, err = src.Backup(e.ctx, w, versionString(), func(table string) {
			fmt.Fprintf(e.stderr, "\r\033[K%s", e.cat.T(e.locale, "backup.progress", table))
		})
		return err
	})
	took := time.Since(start)
	backingUp.Store(false)
	close(stop)
	wg.Wait()
	fmt.Fprint(e.stderr, "\r\033[K")
	if err != nil {
		return err
	}
	fi, err := os.Stat(archive)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, e.cat.T(e.locale, "bench.backup_done", took.Round(time.Millisecond), mb(fi.Size()), m.Rows(), during.Load(), *writers, failed.Load()))

	if !*restore {
		return nil
	}
	db, data := *to, ""
	if db == "" {
		data = filepath.Join(tmp, "restored")
	}
	dst, err := store.Open(e.ctx, db, data, store.Options{SQLiteSync: c.SQLiteSync})
	if err != nil {
		return err
	}
	defer dst.Close()
	start = time.Now()
	_, err = dst.Restore(e.ctx, func() (io.ReadCloser, error) { return os.Open(archive) }, func(table string, rows int64) {
		fmt.Fprintf(e.stderr, "\r\033[K%s", e.cat.T(e.locale, "restore.progress", table, rows))
	})
	fmt.Fprint(e.stderr, "\r\033[K")
	if err != nil {
		return errors.New(e.restoreError(archive, err))
	}
	fmt.Fprintln(e.stdout, e.cat.T(e.locale, "bench.restore_done", dst.Engine(), time.Since(start).Round(time.Millisecond)))
	return nil
}
