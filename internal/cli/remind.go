package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"zeren/internal/config"
	"zeren/internal/jobs"
	"zeren/internal/notify"
	"zeren/internal/store"
)

// jobs prepares the job queue with the outside channels of the configuration.
func (e *env) jobs(c config.Config, st *store.Store, log *slog.Logger) (*jobs.Jobs, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, err
	}
	var email *notify.EmailConfig
	if cfg, ok := c.Email(); ok {
		email = &cfg
	}
	sender := jobs.Senders(st, email, &http.Client{Timeout: notify.Timeout})
	return jobs.New(e.ctx, st, e.cat, jobs.Options{Location: loc, BaseURL: c.BaseURL, Sender: sender, Log: log,
		BackupDir: c.BackupDir, BackupKeep: c.BackupKeep, App: versionString()})
}

func remindCmd(e *env, args []string) error {
	c := config.Defaults()
	fs := e.flags("remind", "--day YYYY-MM-DD [--dry-run]",
		"Run one day's reminder sweep: notifications for reports, items, urge notices and ballots due, the system's urge notices on stalled items, one digest per person. Each person is told once per object and day, however often it runs.")
	c.DBFlags(fs)
	c.NotifyFlags(fs)
	fs.StringVar(&c.TimeZone, "tz", c.TimeZone, "time zone of the day")
	day := fs.String("day", "", "the day to sweep, YYYY-MM-DD (required)")
	dry := fs.Bool("dry-run", false, "count what would be sent, change and send nothing")
	wait := fs.Duration("wait", 2*time.Minute, "how long to stay and send the queued deliveries (0: leave them to a running zeren serve)")
	if _, err := e.parseN(fs, args, 0, ""); err != nil {
		return err
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return usagef("--tz %q: unknown time zone", c.TimeZone)
	}
	d, err := time.ParseInLocation(time.DateOnly, *day, loc)
	if err != nil {
		return usagef("--day %q: must be a day written YYYY-MM-DD", *day)
	}
	if err := c.Validate(); err != nil {
		return usageError{err.Error()}
	}
	st, err := e.openStore(c)
	if err != nil {
		return err
	}
	defer st.Close()
	j, err := e.jobs(c, st, newLogger(e.stderr, "text"))
	if err != nil {
		return err
	}
	counts, err := j.Sweep(e.ctx, d, *dry)
	if err != nil {
		return err
	}
	verb := "notified"
	if *dry {
		verb = "would notify (dry run: nothing changed or sent)"
	}
	fmt.Fprintf(e.stdout, "reminder sweep of %s: %d %s in %s\n", *day, counts.Total(), verb, counts.Took.Round(time.Millisecond))
	printCounts(e, "kind", counts.Kinds)
	printCounts(e, "channel", counts.Channels)
	printCounts(e, "urge", counts.Urges)
	if counts.Deferred > 0 {
		fmt.Fprintf(e.stdout, "  %d stalled items left for the next days' sweeps (at most %d system urge notices a sweep)\n", counts.Deferred, jobs.MaxSystemUrges)
	}
	if *dry || *wait <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(e.ctx, *wait)
	defer cancel()
	left, err := j.Drain(ctx)
	if err != nil {
		return err
	}
	if left > 0 {
		fmt.Fprintf(e.stdout, "%d deliveries still queued (retrying); a running zeren serve sends them\n", left)
	}
	return nil
}

func printCounts[K ~string](e *env, what string, m map[K]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(e.stdout, "  %-8s %-16s %d\n", what, k, m[K(k)])
	}
}
