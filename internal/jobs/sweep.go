package jobs

import (
	"cmp"
	"context"
	"errors"
	"sort"
	"strconv"
	"time"

	"zeren/internal/action"
	"zeren/internal/audit"
	"zeren/internal/i18n"
	"zeren/internal/rectification"
	"zeren/internal/remind"
	"zeren/internal/store"
)

// Counts is what a sweep did: new notifications per kind, delivery jobs
// per outside channel, and the system's urge notices per level.
type Counts struct {
	Kinds    map[remind.Kind]int
	Channels map[remind.Channel]int
	Urges    map[rectification.UrgeLevel]int
	Deferred int // stalled items left for the next sweeps (MaxSystemUrges)
	Took     time.Duration
}

// MaxSystemUrges bounds the urge notices the system issues in one sweep.
const MaxSystemUrges = 5000

// Total is the number of new notifications.
func (c Counts) Total() int {
	n := 0
	for _, v := range c.Kinds {
		n += v
	}
	return n
}

var errDryRun = errors.New("dry run")

// SystemActor is who the audit trail names for the sweep's changes.
var SystemActor = audit.Actor{Login: "system"}

// batch is how many notifications a sweep writes per transaction: large
// enough to be quick, small enough that pages never wait long for SQLite's
// one writer.
const batch = 500

// Sweep runs one day's reminders: reports, items and urge notices whose
// deadline falls before, on or after the day (remind.PhaseOf), ballots
// still open to their voters, and the system's urge notices on stalled
// items; then it hands the new notifications to delivery jobs, one
// digest per person. Every step is idempotent (a notification per person,
// object and day; an urge only on an item still quiet), so a sweep run
// again after a crash, or by two processes, tells each person once. A dry
// run does all of it in a transaction it rolls back.
func (j *Jobs) Sweep(ctx context.Context, day time.Time, dryRun bool) (Counts, error) {
	start := time.Now()
	c := Counts{Kinds: map[remind.Kind]int{}, Channels: map[remind.Channel]int{}, Urges: map[rectification.UrgeLevel]int{}}
	run := func(ctx context.Context) error {
		if err := j.sweep(ctx, day, &c); err != nil {
			return err
		}
		per, err := j.handOver(ctx, true)
		for k, v := range per {
			c.Channels[k] += v
		}
		return err
	}
	var err error
	if dryRun {
		err = j.st.InTx(ctx, func(ctx context.Context) error {
			if err := run(ctx); err != nil {
				return err
			}
			return errDryRun
		})
		if errors.Is(err, errDryRun) {
			err = nil
		}
	} else {
		err = run(ctx)
	}
	c.Took = time.Since(start)
	return c, err
}

func (j *Jobs) sweep(ctx context.Context, day time.Time, c *Counts) error {
	warn := j.st.WarningDays()
	deadlines := remind.Deadlines(day, warn)
	w := &writer{j: j, c: c}
	workers := []string{"leader", "staff"}

	if err := j.st.DueReports(ctx, deadlines, func(r store.DueReport) error {
		phase, ok := remind.PhaseOf(parseDay(r.Deadline), day, warn)
		if !ok {
			return nil
		}
		link := "/cycles/" + id(r.CycleID)
		if r.ReportID != 0 {
			link = "/reports/" + id(r.ReportID)
		}
		return w.toUnit(ctx, r.UnitID, workers, remind.Notification{Kind: remind.ReportDue,
			Key: remind.Key(remind.ReportDue, "report/"+id(r.CycleID)+"/"+id(r.UnitID), day), Link: link,
			Args: []string{string(phase), r.CycleTitle, r.UnitName, r.Deadline}})
	}); err != nil {
		return err
	}
	if err := j.st.DueItems(ctx, deadlines, func(it store.DueItem) error {
		phase, ok := remind.PhaseOf(parseDay(it.Deadline), day, warn)
		if !ok {
			return nil
		}
		return w.toUnit(ctx, it.UnitID, workers, remind.Notification{Kind: remind.ItemDue,
			Key: remind.Key(remind.ItemDue, "rect/"+id(it.ID), day), Link: "/rectifications/" + id(it.ID),
			Args: []string{string(phase), it.UnitName, remind.Excerpt(it.Finding), it.Deadline}})
	}); err != nil {
		return err
	}
	if err := j.st.DueUrges(ctx, deadlines, func(u store.DueUrge) error {
		phase, ok := remind.PhaseOf(parseDay(u.ReplyBy), day, warn)
		if !ok {
			return nil
		}
		return w.toUnit(ctx, u.UnitID, workers, remind.Notification{Kind: remind.UrgeDue,
			Key: remind.Key(remind.UrgeDue, "urge/"+id(u.ID), day), Link: "/rectifications/" + id(u.RectificationID),
			Args: []string{string(phase), string(u.Level), u.ReplyBy}})
	}); err != nil {
		return err
	}
	if err := j.st.OpenBallots(ctx, func(b store.OpenBallot) error {
		return w.add(ctx, remind.Notification{UserID: b.UserID, Kind: remind.BallotOpen,
			Key: remind.Key(remind.BallotOpen, "appraisal/"+id(b.AppraisalID), day), Link: "/appraisals/" + id(b.AppraisalID) + "/ballot",
			Args: []string{b.CycleTitle}})
	}); err != nil {
		return err
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	return j.escalate(ctx, day, c)
}

// escalate issues the system's urge notices on stalled items through the
// action that decides and tells.
func (j *Jobs) escalate(ctx context.Context, day time.Time, c *Counts) error {
	var stalled []store.StalledItem
	if err := j.st.StalledItems(ctx, day, func(it store.StalledItem) error {
		if _, ok := remind.Escalation(it.Stall, day, it.StallDays); ok {
			stalled = append(stalled, it)
		}
		return nil
	}); err != nil {
		return err
	}
	// The first sweep after a supervisor turns escalation on may find a
	// province's whole backlog quiet (about 100,000 items in the generated
	// province, some 5 ms each). A sweep urges the longest overdue up to
	// MaxSystemUrges; the rest stay quiet and are urged by the next sweeps,
	// so that a sweep stays within its minute and pages never wait long.
	sort.Slice(stalled, func(a, b int) bool { return stalled[a].Stall.Deadline.Before(stalled[b].Stall.Deadline) })
	if limit := cmp.Or(j.opt.MaxUrges, MaxSystemUrges); len(stalled) > limit {
		c.Deferred = len(stalled) - limit
		stalled = stalled[:limit]
	}
	p := action.System(SystemActor)
	// Fifty items per transaction, so that SQLite's one writer is never
	// held for long.
	const perTx = 50
	for start := 0; start < len(stalled); start += perTx {
		part := stalled[start:min(start+perTx, len(stalled))]
		issued := map[rectification.UrgeLevel]int{}
		err := j.st.InTx(ctx, func(ctx context.Context) error {
			clear(issued)
			for _, it := range part {
				level, err := j.act.Escalate(ctx, p, it, day, func(l rectification.UrgeLevel) string {
					return j.cat.T(i18n.Default, "remind.system_urge", j.cat.T(i18n.Default, "urge."+string(l)), it.StallDays)
				})
				if err != nil {
					return err
				}
				if level != "" {
					issued[level]++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for l, n := range issued {
			c.Urges[l] += n
			c.Kinds[remind.UrgeIssued] += n
		}
	}
	return nil
}

// writer gathers a sweep's notifications and writes them a batch at a time.
type writer struct {
	j       *Jobs
	c       *Counts
	pending []remind.Notification
	units   []int64
	byUnit  map[int64][]remind.Notification
	roles   []string
}

// toUnit adds n for the people holding roles on the unit itself; the
// people are looked up for a batch of units at once.
func (w *writer) toUnit(ctx context.Context, unitID int64, roles []string, n remind.Notification) error {
	if w.byUnit == nil {
		w.byUnit = map[int64][]remind.Notification{}
	}
	w.roles = roles
	if _, ok := w.byUnit[unitID]; !ok {
		w.units = append(w.units, unitID)
	}
	w.byUnit[unitID] = append(w.byUnit[unitID], n)
	if len(w.units) >= batch {
		return w.resolve(ctx)
	}
	return nil
}

func (w *writer) resolve(ctx context.Context) error {
	if len(w.units) == 0 {
		return nil
	}
	people, err := w.j.st.UnitPeople(ctx, w.units, w.roles)
	if err != nil {
		return err
	}
	for _, u := range w.units {
		for _, n := range w.byUnit[u] {
			for _, p := range people[u] {
				n.UserID = p
				if err := w.add(ctx, n); err != nil {
					return err
				}
			}
		}
	}
	w.units, w.byUnit = w.units[:0], map[int64][]remind.Notification{}
	return nil
}

func (w *writer) add(ctx context.Context, n remind.Notification) error {
	w.pending = append(w.pending, n)
	if len(w.pending) < batch {
		return nil
	}
	return w.write(ctx)
}

func (w *writer) write(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	added, err := w.j.st.Notify(ctx, w.pending)
	if err != nil {
		return err
	}
	for k, v := range added {
		w.c.Kinds[k] += v
	}
	w.pending = w.pending[:0]
	return nil
}

func (w *writer) flush(ctx context.Context) error {
	if err := w.resolve(ctx); err != nil {
		return err
	}
	return w.write(ctx)
}

func parseDay(s string) time.Time {
	t, _ := time.Parse(rectification.Date, s)
	return t
}

func id(n int64) string { return strconv.FormatInt(n, 10) }
