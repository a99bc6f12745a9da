package jobs

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"

	"zeren/internal/backup"
)

// BackupArgs is one night's backup; unique per day like the sweep, so
// that of several processes on one PostgreSQL exactly one takes it.
type BackupArgs struct {
	Day string `json:"day"`
}

func (BackupArgs) Kind() string { return "nightly_backup" }

func (BackupArgs) InsertOpts() river.InsertOpts {
	// Few retries: a backup that fails three times (a full disk) needs a
	// person, who the log tells; the next night tries again anyway.
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func (j *Jobs) workBackup(ctx context.Context, job *river.Job[BackupArgs]) error {
	path, m, removed, err := j.Backup(ctx)
	if err != nil {
		j.opt.Log.Error("nightly backup failed", "day", job.Args.Day, "dir", j.opt.BackupDir, "attempt", job.Attempt, "error", err)
		return err
	}
	j.opt.Log.Info("nightly backup", "day", job.Args.Day, "file", path, "tables", len(m.Tables), "rows", m.Rows(), "removed", removed)
	return nil
}

// Backup writes a backup into the backup directory, named by the date and
// time, through a temporary file renamed when complete, then removes the
// oldest beyond BackupKeep. It returns the file and the names removed.
func (j *Jobs) Backup(ctx context.Context) (string, backup.Manifest, []string, error) {
	var m backup.Manifest
	if err := os.MkdirAll(j.opt.BackupDir, 0o750); err != nil {
		return "", m, nil, err
	}
	path := filepath.Join(j.opt.BackupDir, backup.NightlyName(j.st.Now().In(j.opt.Location)))
	start := time.Now()
	err := backup.WriteFile(path, func(w io.Writer) error {
		var err error
		_, m, err = j.st.Backup(ctx, w, j.opt.App, nil)
		return err
	})
	if err != nil {
		return "", m, nil, fmt.Errorf("backup to %s (after %v): %w", path, time.Since(start).Round(time.Second), err)
	}
	removed, err := backup.Prune(j.opt.BackupDir, j.opt.BackupKeep)
	return path, m, removed, err
}
