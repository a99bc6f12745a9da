// Package jobs runs the work that pushes the loop, in the database's job
// queue (River, on both engines): the daily reminder sweep at 08:00, the
// outbox that hands new notifications to delivery jobs, and the deliveries
// themselves, each retried with backoff and run once even with several
// processes on one PostgreSQL.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"zeren/internal/action"
	"zeren/internal/i18n"
	"zeren/internal/remind"
	"zeren/internal/store"
)

// Options configure the jobs.
type Options struct {
	Location  *time.Location // the zone of the 08:00 sweep and of its day
	SweepHour int            // the hour of the daily sweep; 8 by default
	BaseURL   string         // where links in outside messages point, e.g. https://zeren.example.org
	Sender    Sender         // the outside channels; nil sends nothing outside
	Log       *slog.Logger
	// OutboxEvery is how often new urgent notifications are handed to
	// delivery jobs; 10 s by default.
	OutboxEvery time.Duration
	// MaxUrges bounds the system's urge notices per sweep; MaxSystemUrges
	// by default.
	MaxUrges int
	// Poll is how often a worker looks for jobs on SQLite (which cannot
	// notify); River's default otherwise.
	Poll time.Duration
	// BackupDir, when set, receives a backup every night at BackupHour
	// (2 by default), of which the newest BackupKeep are kept (7 by
	// default). App is the version written into the archives.
	BackupDir  string
	BackupKeep int
	BackupHour int
	App        string
}

// Jobs is the queue and its workers.
type Jobs struct {
	st     *store.Store
	act    *action.Actions
	cat    *i18n.Catalog
	opt    Options
	client *river.Client[*sql.Tx]
}

// MaxAttempts bounds the retries of a delivery: with River's backoff
// (attempts⁴ seconds) the last one comes about three hours after the first.
const MaxAttempts = 8

// driver returns River's driver for the store's engine: on SQLite the
// store's single writing connection, so that jobs queue behind the
// store's writes instead of failing busy.
func driver(st *store.Store) riverdriver.Driver[*sql.Tx] {
	_, write := st.DBs()
	if st.Engine() == store.SQLite {
		return riversqlite.New(write)
	}
	return riverdatabasesql.New(write)
}

// Migrate creates or updates the queue's tables, under the store's
// migration lock so that several processes starting at once take turns.
// One version per transaction, as River's own Migrate does: PostgreSQL
// refuses a new enum value (version 006's "pending") in the transaction
// that added it.
func Migrate(ctx context.Context, st *store.Store) error {
	m, err := rivermigrate.New(driver(st), nil)
	if err != nil {
		return err
	}
	for {
		var applied int
		err := st.Locked(ctx, func(tx *sql.Tx) error {
			res, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{MaxSteps: 1})
			if err != nil {
				return err
			}
			applied = len(res.Versions)
			return nil
		})
		if err != nil || applied == 0 {
			return err
		}
	}
}

// New prepares the queue (migrating its tables); Start runs the workers.
// A process that only inserts jobs (the remind command) need not start it.
func New(ctx context.Context, st *store.Store, cat *i18n.Catalog, opt Options) (*Jobs, error) {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.SweepHour == 0 {
		opt.SweepHour = 8
	}
	if opt.OutboxEvery <= 0 {
		opt.OutboxEvery = 10 * time.Second
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.BackupHour == 0 {
		opt.BackupHour = 2
	}
	if opt.BackupKeep <= 0 {
		opt.BackupKeep = 7
	}
	if err := Migrate(ctx, st); err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	j := &Jobs{st: st, act: action.New(st), cat: cat, opt: opt}
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(j.workSweep))
	river.AddWorker(workers, river.WorkFunc(j.workOutbox))
	river.AddWorker(workers, river.WorkFunc(j.workDeliver))
	river.AddWorker(workers, river.WorkFunc(j.workPasswordLink))
	cfg := &river.Config{
		Queues:      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:     workers,
		MaxAttempts: MaxAttempts,
		// River reports its own workings (job counts every 10 s) at info;
		// only its warnings belong in the server's log.
		Logger: slog.New(atLeast{opt.Log.Handler(), slog.LevelWarn}),
		// A province's sweep takes tens of seconds, past River's default
		// minute on a slow machine; a delivery is bounded by its channel.
		JobTimeout: 30 * time.Minute,
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(daily{loc: opt.Location, hour: opt.SweepHour}, func() (river.JobArgs, *river.InsertOpts) {
				return SweepArgs{Day: time.Now().In(opt.Location).Format(time.DateOnly)}, nil
			}, nil),
			river.NewPeriodicJob(river.PeriodicInterval(opt.OutboxEvery), func() (river.JobArgs, *river.InsertOpts) {
				return OutboxArgs{}, nil
			}, &river.PeriodicJobOpts{RunOnStart: true}),
		},
	}
	if opt.BackupDir != "" {
		river.AddWorker(workers, river.WorkFunc(j.workBackup))
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(daily{loc: opt.Location, hour: opt.BackupHour},
			func() (river.JobArgs, *river.InsertOpts) {
				return BackupArgs{Day: time.Now().In(opt.Location).Format(time.DateOnly)}, nil
			}, nil))
	}
	if st.Engine() == store.SQLite {
		cfg.PollOnly = true
		cfg.FetchPollInterval = time.Second
		if opt.Poll > 0 {
			cfg.FetchPollInterval = max(opt.Poll, 100*time.Millisecond)
			cfg.FetchCooldown = min(cfg.FetchPollInterval, 100*time.Millisecond)
		}
	}
	var err error
	if j.client, err = river.NewClient(driver(st), cfg); err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return j, nil
}

// Start runs the workers until Stop. A process started after the day's
// sweep hour asks for the day's sweep at once, so that a day is not lost
// to a restart or an outage at 08:00; it is unique per day, so a sweep
// already run is not run again.
func (j *Jobs) Start(ctx context.Context) error {
	if err := j.client.Start(ctx); err != nil {
		return err
	}
	now := j.st.Now().In(j.opt.Location)
	// Likewise the night's backup (a process started after the backup
	// hour takes the day's backup unless one was taken).
	if j.opt.BackupDir != "" && now.Hour() >= j.opt.BackupHour {
		if _, err := j.client.Insert(ctx, BackupArgs{Day: now.Format(time.DateOnly)}, nil); err != nil {
			return err
		}
	}
	if now.Hour() < j.opt.SweepHour {
		return nil
	}
	_, err := j.client.Insert(ctx, SweepArgs{Day: now.Format(time.DateOnly)}, nil)
	return err
}

// Stop lets running jobs finish (or gives up when ctx ends).
func (j *Jobs) Stop(ctx context.Context) error { return j.client.Stop(ctx) }

// daily is the sweep's schedule: every day at the hour, in the zone.
type daily struct {
	loc  *time.Location
	hour int
}

func (d daily) Next(now time.Time) time.Time {
	t := now.In(d.loc)
	next := time.Date(t.Year(), t.Month(), t.Day(), d.hour, 0, 0, 0, d.loc)
	if !next.After(t) {
		next = time.Date(t.Year(), t.Month(), t.Day()+1, d.hour, 0, 0, 0, d.loc)
	}
	return next
}

// SweepArgs is one day's reminder sweep; once per day whatever the number
// of processes (River's periodic jobs are inserted by its leader, and the
// day is unique).
type SweepArgs struct {
	Day string `json:"day"`
}

func (SweepArgs) Kind() string { return "remind_sweep" }

func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// OutboxArgs hands new urgent notifications to delivery jobs.
type OutboxArgs struct{}

func (OutboxArgs) Kind() string { return "remind_outbox" }

// DeliverArgs sends one person's urgent notification, or their digest
// batch, on one channel. Unique, so a crash between handing over and
// marking cannot send twice.
type DeliverArgs struct {
	UserID       int64          `json:"user_id"`
	Channel      remind.Channel `json:"channel"`
	Notification int64          `json:"notification,omitempty"` // an urgent one
	Batch        int64          `json:"batch,omitempty"`        // a digest
}

func (DeliverArgs) Kind() string { return "remind_deliver" }

func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func (j *Jobs) workSweep(ctx context.Context, job *river.Job[SweepArgs]) error {
	day, err := time.ParseInLocation(time.DateOnly, job.Args.Day, j.opt.Location)
	if err != nil {
		return river.JobCancel(fmt.Errorf("sweep day %q: %w", job.Args.Day, err))
	}
	c, err := j.Sweep(ctx, day, false)
	if err != nil {
		return err
	}
	j.opt.Log.Info("reminder sweep", "day", job.Args.Day, "notifications", c.Total(), "took", c.Took)
	return nil
}

func (j *Jobs) workOutbox(ctx context.Context, job *river.Job[OutboxArgs]) error {
	_, err := j.handOver(ctx, false)
	return err
}

// handOver marks the waiting notifications queued and inserts their
// delivery jobs in the same transaction: urgent ones each on its own, and
// with digests the rest as one batch per person. It returns the jobs per
// channel.
func (j *Jobs) handOver(ctx context.Context, digests bool) (map[remind.Channel]int, error) {
	perChannel := map[remind.Channel]int{}
	for {
		var n int
		err := j.st.InTx(ctx, func(ctx context.Context) error {
			out, err := j.st.TakeOutbox(ctx, digests, 1000)
			if err != nil {
				return err
			}
			n = len(out.Urgent) + len(out.Digests)
			// The jobs go in by the thousand, so that a province's digests
			// (tens of thousands of people) keep memory flat.
			var params []river.InsertManyParams
			flush := func() error {
				if len(params) == 0 || j.client == nil {
					params = params[:0]
					return nil
				}
				_, err := j.client.InsertManyTx(ctx, j.st.SQLTx(ctx), params)
				params = params[:0]
				return err
			}
			type pending struct {
				user int64
				args DeliverArgs
			}
			var todo []pending
			for id, user := range out.Urgent {
				todo = append(todo, pending{user, DeliverArgs{Notification: id}})
			}
			for user := range out.Digests {
				todo = append(todo, pending{user, DeliverArgs{Batch: out.Batch}})
			}
			for start := 0; start < len(todo); start += 500 {
				part := todo[start:min(start+500, len(todo))]
				ids := make([]int64, len(part))
				for i, p := range part {
					ids[i] = p.user
				}
				rs, err := j.st.Recipients(ctx, ids)
				if err != nil {
					return err
				}
				byID := make(map[int64]store.Recipient, len(rs))
				for _, r := range rs {
					byID[r.ID] = r
				}
				for _, p := range part {
					r, ok := byID[p.user]
					if !ok || r.Disabled {
						continue
					}
					for _, ch := range r.Channels {
						if j.opt.Sender == nil || !j.opt.Sender.Ready(remind.Channel(ch), r) {
							continue
						}
						a := p.args
						a.UserID, a.Channel = p.user, remind.Channel(ch)
						params = append(params, river.InsertManyParams{Args: a})
						perChannel[a.Channel]++
					}
				}
				if err := flush(); err != nil {
					return err
				}
			}
			return flush()
		})
		if err != nil {
			return perChannel, err
		}
		if n < 1000 || digests {
			return perChannel, nil
		}
	}
}

// deliveryKinds are the jobs that send something outside: notifications
// and set-password mails.
var deliveryKinds = []string{DeliverArgs{}.Kind(), PasswordLinkArgs{}.Kind()}

// Failed lists the deliveries that failed for good or are waiting to be
// retried, newest first, for the admins' jobs page. A retry due soon is
// kept available (River's own shortcut), so every state but completed
// counts once an attempt has failed.
func (j *Jobs) Failed(ctx context.Context, limit int) ([]*rivertype.JobRow, error) {
	res, err := j.client.JobList(ctx, river.NewJobListParams().Kinds(deliveryKinds...).
		States(rivertype.JobStateRetryable, rivertype.JobStateDiscarded, rivertype.JobStateCancelled,
			rivertype.JobStateAvailable, rivertype.JobStateScheduled).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit))
	if err != nil {
		return nil, err
	}
	out := res.Jobs[:0]
	for _, r := range res.Jobs {
		if len(r.Errors) > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

// Retry runs a failed delivery again now.
func (j *Jobs) Retry(ctx context.Context, id int64) error {
	_, err := j.client.JobRetry(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return errNotFound
	}
	return err
}

// Drain runs the workers until no delivery waits to run now (a retry
// scheduled later counts as left), or until ctx ends, and returns how many
// are left.
func (j *Jobs) Drain(ctx context.Context) (int, error) {
	if err := j.client.Start(context.WithoutCancel(ctx)); err != nil {
		return 0, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = j.client.Stop(sctx)
	}()
	for {
		res, err := j.client.JobList(ctx, river.NewJobListParams().Kinds(deliveryKinds...).
			States(rivertype.JobStateAvailable, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled).First(1000))
		if err != nil {
			return 0, err
		}
		now := 0
		for _, r := range res.Jobs {
			if r.State != rivertype.JobStateRetryable && r.ScheduledAt.Before(time.Now().Add(time.Second)) {
				now++
			}
		}
		if now == 0 {
			return len(res.Jobs), nil
		}
		select {
		case <-ctx.Done():
			return len(res.Jobs), nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// atLeast passes on the records of a handler from a level up.
type atLeast struct {
	slog.Handler
	min slog.Level
}

func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h atLeast) WithAttrs(as []slog.Attr) slog.Handler {
	return atLeast{h.Handler.WithAttrs(as), h.min}
}
func (h atLeast) WithGroup(name string) slog.Handler {
	return atLeast{h.Handler.WithGroup(name), h.min}
}
