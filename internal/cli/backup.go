package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"zeren/internal/backup"
	"zeren/internal/config"
	"zeren/internal/store"
)

// backupCmd writes a consistent copy of a running installation to a file.
func backupCmd(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("backup", "--out FILE [--db DB] [--data DIR]",
		"Write a consistent copy of the database, evidence files included (they are rows of the database), to an\n"+
			"engine-neutral archive, while zeren keeps serving. zeren restore loads it into an empty database of\n"+
			"either engine.")
	c.DBFlags(fs)
	out := fs.String("out", "", "the archive file to write (required), e.g. zeren-2026-12-02.tar.gz")
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	// Not migrated: a backup copies the database as it is, even one a
	// newer zeren serves.
	st, err := store.Open(e.ctx, c.DB, c.Data, store.Options{SQLiteSync: c.SQLiteSync})
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	var m backup.Manifest
	err = backup.WriteFile(*out, func(w io.Writer) error {
		_, man, err := st.Backup(e.ctx, w, versionString(), func(table string) {
			fmt.Fprintf(e.stderr, "\r\033[K%s", e.cat.T(e.locale, "backup.progress", table))
		})
		m = man
		return err
	})
	fmt.Fprint(e.stderr, "\r\033[K")
	if err != nil {
		return errors.New(e.cat.T(e.locale, "backup.failed", err))
	}
	size := int64(0)
	if fi, err := os.Stat(*out); err == nil {
		size = fi.Size()
	}
	fmt.Fprintln(e.stdout, e.cat.T(e.locale, "backup.done", *out, len(m.Tables), m.Rows(), mb(size), time.Since(start).Round(time.Millisecond)))
	return nil
}

// restoreCmd loads an archive into an empty database.
func restoreCmd(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("restore", "FILE [--db DB] [--data DIR]",
		"Load an archive written by zeren backup into an empty database of either engine (a SQLite archive into\n"+
			"PostgreSQL is how an installation moves when it outgrows one machine). The whole archive is checked\n"+
			"before anything is written; after loading, the audit chain and every counter are checked.")
	c.DBFlags(fs)
	words, err := e.parseN(fs, args, 1, "archive file")
	if err != nil {
		return err
	}
	path := words[0]
	if _, err := os.Stat(path); err != nil {
		return errors.New(e.cat.T(e.locale, "backup.err_open", path, err))
	}
	st, err := store.Open(e.ctx, c.DB, c.Data, store.Options{SQLiteSync: c.SQLiteSync})
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	fmt.Fprintf(e.stderr, "%s", e.cat.T(e.locale, "restore.verifying", path))
	res, err := st.Restore(e.ctx, func() (io.ReadCloser, error) { return os.Open(path) }, func(table string, rows int64) {
		fmt.Fprintf(e.stderr, "\r\033[K%s", e.cat.T(e.locale, "restore.progress", table, rows))
	})
	fmt.Fprint(e.stderr, "\r\033[K")
	if err != nil {
		return errors.New(e.restoreError(path, err))
	}
	fmt.Fprintln(e.stdout, e.cat.T(e.locale, "restore.done", path, res.Header.Engine, res.Header.Created.Format(time.RFC3339),
		st.Engine(), len(res.Manifest.Tables), res.Manifest.Rows(), res.AuditEvents, time.Since(start).Round(time.Millisecond)))
	return nil
}

// restoreError says in the user's language why a restore was refused.
func (e *env) restoreError(path string, err error) string {
	var ne *store.NotEmptyError
	var se *store.SchemaError
	var ce *store.CheckError
	switch {
	case errors.As(err, &ne):
		return e.cat.T(e.locale, "restore.err_not_empty", ne.Table)
	case errors.As(err, &se) && se.Target > 0:
		return e.cat.T(e.locale, "restore.err_target_newer", se.Archive, se.Target)
	case errors.As(err, &se):
		return e.cat.T(e.locale, "restore.err_schema", se.Archive, se.Known)
	case errors.Is(err, backup.ErrNotArchive):
		return e.cat.T(e.locale, "restore.err_not_archive", path)
	case errors.Is(err, backup.ErrDamaged):
		return e.cat.T(e.locale, "restore.err_damaged", path, err)
	case errors.As(err, &ce) && ce.What == "audit":
		return e.cat.T(e.locale, "restore.err_audit", ce.Detail)
	case errors.As(err, &ce):
		return e.cat.T(e.locale, "restore.err_counters", ce.Detail)
	}
	return e.cat.T(e.locale, "restore.failed", err)
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
