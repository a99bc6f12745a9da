package backup

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// WriteFile writes an archive to path through a temporary file in the same
// directory, synced and then renamed, so that path never holds half an
// archive (a crash leaves only the temporary file, named .zeren-backup-*).
func WriteFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".zeren-backup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the rename itself survives a crash
		d.Close()
	}
	return nil
}

// The nightly archives are named zeren-YYYYMMDD-HHMMSS.tar.gz, so that
// their names sort by time.
const (
	nightlyPrefix = "zeren-"
	nightlySuffix = ".tar.gz"
)

// NightlyName is the file name of a nightly archive taken at t.
func NightlyName(t time.Time) string {
	return nightlyPrefix + t.Format("20060102-150405") + nightlySuffix
}

// Prune removes the oldest nightly archives in dir beyond the newest keep,
// and returns the names removed. Other files are left alone.
func Prune(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, nightlyPrefix) && strings.HasSuffix(n, nightlySuffix) {
			if _, err := time.Parse("20060102-150405", strings.TrimSuffix(strings.TrimPrefix(n, nightlyPrefix), nightlySuffix)); err == nil {
				names = append(names, n)
			}
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	var removed []string
	for i := keep; i < len(names); i++ {
		if err := os.Remove(filepath.Join(dir, names[i])); err != nil {
			return removed, fmt.Errorf("remove old backup: %w", err)
		}
		removed = append(removed, names[i])
	}
	return removed, nil
}
