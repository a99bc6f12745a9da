// Package bench generates a province-scale dataset and measures the hot
// paths on it against the targets of DESIGN.md section 6 (zeren bench
// gen|run). Timings are taken here, never in tests.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"zeren/internal/action"
	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// The generated accounts. They get random passwords: to look at the data in
// the browser, add a user with 'zeren user add'.
const (
	OrganizerLogin  = "bench.organizer"
	SupervisorLogin = "bench.supervisor"
	StaffLogin      = "bench.staff"
)

// GenOptions say what to generate.
type GenOptions struct {
	Units, Items int
	Seed         uint64
	Progress     io.Writer // a progress bar goes here; nil for none
}

// GenResult tells what was generated.
type GenResult struct {
	Units, Items        int
	Events, AuditEvents int64
	CycleID             int64
	Elapsed             time.Duration
}

// chunk is how many items go in one transaction.
const chunk = 10000

func newRand(seed uint64) *mrand.Rand { return mrand.New(mrand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// Gen generates a province into an empty database: a 5-level tree of
// o.Units units, one cycle at its root in the rectifying stage, and
// o.Items findings each with its rectification item in every state,
// timelines, extensions, audit events in the hash chain and the roll-up
// counters. The same seed gives the same data, dated from the store's
// today.
func Gen(ctx context.Context, st *store.Store, o GenOptions) (GenResult, error) {
	start := time.Now()
	res := GenResult{Units: o.Units, Items: o.Items}
	if o.Units < Levels {
		return res, fmt.Errorf("--units: a %d-level tree needs at least %d units", Levels, Levels)
	}
	if o.Items < 1 {
		return res, errors.New("--items: at least one item")
	}
	r := newRand(o.Seed)
	p, err := newProvince(o.Units, r)
	if err != nil {
		return res, err
	}
	l, err := st.NewBenchLoader(ctx)
	if err != nil {
		return res, err
	}
	b := newBar(o.Progress, int64(o.Units)+int64(o.Items)+int64(o.Items)/8+1)
	defer b.finish()

	now := st.Now()
	today := rectification.Day(now)
	system := audit.Actor{Login: "bench"}
	for i := 0; i < len(p.units); i += 5 * chunk {
		part := p.units[i:min(len(p.units), i+5*chunk)]
		if err := l.Units(ctx, system, today.AddDate(-1, -2, 0), part); err != nil {
			return res, err
		}
		b.add(int64(len(part)), fmt.Sprintf("units %d/%d", i+len(part), len(p.units)))
	}
	root := p.units[0]

	var ppl people
	for _, a := range []struct {
		who   *actorName
		login string
		name  string
		role  auth.Role
	}{{&ppl.organizer, OrganizerLogin, "组织部 张明", auth.Organizer}, {&ppl.supervisor, SupervisorLogin, "纪委监委 李强", auth.Supervisor},
		{&ppl.staff, StaffLogin, "责任单位 王芳", auth.UnitStaff}} {
		pw := make([]byte, 16)
		_, _ = rand.Read(pw)
		u, err := st.CreateUser(ctx, system, user.Draft{Login: a.login, Name: a.name}, auth.HashPassword(hex.EncodeToString(pw)),
			[]auth.Grant{{Role: a.role, UnitID: root.ID}})
		if err != nil {
			return res, fmt.Errorf("user %s: %w", a.login, err)
		}
		*a.who = actorName{Actor: audit.Actor{UserID: u.ID, Login: u.Login}, name: u.Name}
	}
	year := today.Year() - 1
	res.CycleID, err = l.Cycle(ctx, ppl.organizer.Actor, root.ID,
		cycle.Draft{Year: year, Title: fmt.Sprintf("%d年度落实全面从严治党主体责任述职评议", year)}, cycle.Rectifying)
	if err != nil {
		return res, err
	}

	// The items' audit events are dated in the order of the chain, spread
	// over the year up to now.
	from := today.AddDate(0, 0, -335)
	step := now.Sub(from) / time.Duration(o.Items+1)
	k := 0
	clock := func() time.Time {
		k++
		if t := from.Add(time.Duration(k) * step); t.Before(now) {
			return t
		}
		return now
	}
	items := make([]store.BenchItem, 0, chunk)
	for done := 0; done < o.Items; {
		items = items[:0]
		for range min(chunk, o.Items-done) {
			done++
			x := genItem(r, int64(done), p.pick(r), res.CycleID, ppl, today, now)
			itemAudit(&x, clock, ppl)
			items = append(items, x)
		}
		if err := l.Items(ctx, items); err != nil {
			return res, err
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		b.add(int64(len(items)), fmt.Sprintf("items %d/%d", done, o.Items))
	}
	b.add(0, "counters, statistics")
	if err := l.Finish(ctx); err != nil {
		return res, err
	}
	b.add(int64(o.Items)/8+1, "done")
	res.Events, res.AuditEvents, res.Elapsed = l.Events, l.AuditEvents, time.Since(start)
	return res, nil
}

// bar draws a progress bar on one line: "\r[#####     ] 45% items …".
type bar struct {
	w           io.Writer
	total, done int64
	pct         int
	label       string
}

func newBar(w io.Writer, total int64) *bar { return &bar{w: w, total: max(1, total), pct: -1} }

func (b *bar) add(n int64, label string) {
	b.done += n
	pct := int(min(100, 100*b.done/b.total))
	if b.w == nil || pct == b.pct && label == b.label {
		return
	}
	b.pct, b.label = pct, label
	const width = 30
	fmt.Fprintf(b.w, "\r[%-*s] %3d%% %-32s", width, strings.Repeat("#", pct*width/100), pct, label)
}

func (b *bar) finish() {
	if b.w != nil && b.pct >= 0 {
		fmt.Fprintln(b.w)
	}
}

// LedgerPage reads a page of the ledger, as store.Ledger does.
type LedgerPage func(context.Context, store.LedgerFilter) ([]rectification.Rectification, string, error)

// RunOptions say how to measure.
type RunOptions struct {
	N    int    // samples per operation
	Seed uint64 // picks the sample units and items
	Out  io.Writer
	// Export, when set, writes the ledger of the cycle, read with page and
	// cut after rows items, as an Excel file to w. Nil: the row says "not
	// yet measured".
	Export     func(ctx context.Context, page LedgerPage, cycleID int64, rows int, w io.Writer) error
	ExportRows int // default 100,000
	// Sweep, when set, runs the reminder sweep of a day as a dry run (all
	// its reads and writes, rolled back) and returns what it told.
	Sweep func(ctx context.Context, day time.Time) (string, error)
}

// Result is one row of the table.
type Result struct {
	Op       string
	N        int
	P50, P95 time.Duration
	Target   time.Duration // 0: no target (a comparison)
	Note     string
	Skipped  bool
}

// Verdict is "pass", "FAIL", or "—" without a target.
func (r Result) Verdict() string {
	switch {
	case r.Skipped || r.Target == 0:
		return "—"
	case r.P95 < r.Target:
		return "pass"
	}
	return "FAIL"
}

// Targets (DESIGN.md section 6).
const (
	StatsTarget  = 10 * time.Millisecond
	LedgerTarget = 20 * time.Millisecond
	MoveTarget   = 20 * time.Millisecond
	// SweepTarget is for one day's reminder sweep of the whole province.
	SweepTarget = 60 * time.Second
	TodoTarget  = 20 * time.Millisecond // a person's to-do (待办), all of it
	// DashboardTarget is for all the data of a dashboard page.
	DashboardTarget = 100 * time.Millisecond
	pageSize        = 50
)

// Run measures the operations on a generated database and prints the table.
// It submits n in-progress items and sends each back (reject), so the
// statuses end as they began, with two more events each.
func Run(ctx context.Context, st *store.Store, o RunOptions) ([]Result, error) {
	if o.N < 1 {
		o.N = 1
	}
	if o.ExportRows <= 0 {
		o.ExportRows = 100000
	}
	info, err := st.BenchInfo(ctx)
	if err != nil {
		return nil, err
	}
	sup, _, err := st.UserByLogin(ctx, SupervisorLogin)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w (was the database made by 'zeren bench gen'?)", SupervisorLogin, err)
	}
	supervisor := audit.Actor{UserID: sup.ID, Login: sup.Login}
	r := newRand(o.Seed)
	counties, err := st.BenchUnitsAt(ctx, 3)
	if err != nil {
		return nil, err
	}
	leaves, err := st.BenchUnitsAt(ctx, Levels)
	if err != nil {
		return nil, err
	}
	if len(counties) == 0 || len(leaves) == 0 {
		return nil, store.ErrBenchNoData
	}
	if o.Out != nil {
		fmt.Fprintf(o.Out, "zeren bench run: %s, %d units, %d items in cycle %d; n = %d, seed %d\n\n",
			st.Engine(), info.Units, info.Items, info.CycleID, o.N, o.Seed)
		printHeader(o.Out)
	}
	var out []Result
	add := func(res Result, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", res.Op, err)
		}
		out = append(out, res)
		if o.Out != nil {
			printRow(o.Out, res)
		}
		return nil
	}

	// Subtree figures from the counters.
	for _, c := range []struct {
		op    string
		units func() int64
	}{
		{"subtree stats, counters: root", func() int64 { return info.RootID }},
		{"subtree stats, counters: a county", func() int64 { return counties[r.IntN(len(counties))].ID }},
		{"subtree stats, counters: a village", func() int64 { return leaves[r.IntN(len(leaves))].ID }},
	} {
		res, err := measure(c.op, o.N, StatsTarget, func() (time.Duration, error) {
			id := c.units()
			t := time.Now()
			_, err := st.UnitStats(ctx, id, info.CycleID)
			return time.Since(t), err
		})
		if err := add(res, err); err != nil {
			return out, err
		}
	}
	// The same figures by a GROUP BY over every item: the comparison.
	res, err := measure("subtree stats, GROUP BY over items: root", min(o.N, 10), 0, func() (time.Duration, error) {
		t := time.Now()
		_, err := st.BenchScanStats(ctx, info.RootPath, info.CycleID)
		return time.Since(t), err
	})
	if err := add(res, err); err != nil {
		return out, err
	}

	// Ledger pages of a county's items in progress.
	filter := func() store.LedgerFilter {
		return store.LedgerFilter{Scopes: []string{info.RootPath}, CycleID: info.CycleID, Status: rectification.InProgress,
			UnitPath: counties[r.IntN(len(counties))].Path, Limit: pageSize}
	}
	res, err = measure("ledger page 1: a county, in progress", o.N, LedgerTarget, func() (time.Duration, error) {
		f := filter()
		t := time.Now()
		_, _, err := st.Ledger(ctx, f)
		return time.Since(t), err
	})
	if err := add(res, err); err != nil {
		return out, err
	}
	reached := 0
	res, err = measure("ledger page 10 by cursor: county, in progress", o.N, LedgerTarget, func() (time.Duration, error) {
		f := filter()
		page := 1
		for ; page < 10; page++ {
			_, next, err := st.Ledger(ctx, f)
			if err != nil {
				return 0, err
			}
			if next == "" {
				break
			}
			f.After = next
		}
		if page == 10 {
			reached++
		}
		t := time.Now()
		_, _, err := st.Ledger(ctx, f)
		return time.Since(t), err
	})
	if reached < res.N+1 {
		res.Note = fmt.Sprintf("page 10 reached in %d of %d samples; the others time their last page", reached, res.N+1)
	}
	if err := add(res, err); err != nil {
		return out, err
	}
	// Not a target of the brief, but an organizer's first view: the
	// whole province.
	res, err = measure("ledger page 1: whole province, in progress", min(o.N, 10), LedgerTarget, func() (time.Duration, error) {
		f := filter()
		f.UnitPath = ""
		t := time.Now()
		_, _, err := st.Ledger(ctx, f)
		return time.Since(t), err
	})
	if err := add(res, err); err != nil {
		return out, err
	}

	// The dashboards' data: what the cycle overview of the whole province
	// and a county's unit page read, all from counters.
	res, err = measure("dashboard data: cycle overview, province", o.N, DashboardTarget, func() (time.Duration, error) {
		t := time.Now()
		err := dashboardOverview(ctx, st, info.RootID, info.RootPath, info.CycleID)
		return time.Since(t), err
	})
	if err := add(res, err); err != nil {
		return out, err
	}
	res, err = measure("dashboard data: a county's unit page", o.N, DashboardTarget, func() (time.Duration, error) {
		u := counties[r.IntN(len(counties))]
		t := time.Now()
		err := dashboardUnit(ctx, st, u.ID, info.CycleID)
		return time.Since(t), err
	})
	if err := add(res, err); err != nil {
		return out, err
	}

	// The to-do of a county's leader (the county's own reports, items and
	// notices) and of the province's supervisor (what awaits verification,
	// from the raised counters), as the page and the API read it.
	if err := todoFigures(ctx, st, o.N, counties, r, sup.ID, add); err != nil {
		return out, err
	}

	// Status changes with their event, audit event and counters.
	ids, err := st.BenchItemIDs(ctx, info.CycleID, rectification.InProgress)
	if err != nil {
		return out, err
	}
	if len(ids) > 0 {
		m := min(len(ids), o.N+1)
		for i := range m { // a partial shuffle: the first m are the sample
			j := i + r.IntN(len(ids)-i)
			ids[i], ids[j] = ids[j], ids[i]
		}
		ids = ids[:m]
		i := 0
		res, err = measure("move: submit (in progress → awaiting)", m-1, MoveTarget, func() (time.Duration, error) {
			t := time.Now()
			_, err := st.MoveRectification(ctx, supervisor, ids[i], 0, rectification.Submit, "")
			i++
			return time.Since(t), err
		})
		if err := add(res, err); err != nil {
			return out, err
		}
		i = 0
		res, err = measure("move: reject (awaiting → in progress)", m-1, MoveTarget, func() (time.Duration, error) {
			t := time.Now()
			_, err := st.MoveRectification(ctx, supervisor, ids[i], 0, rectification.Reject, "bench run: restore the status")
			i++
			return time.Since(t), err
		})
		if err := add(res, err); err != nil {
			return out, err
		}
	}

	exp := Result{Op: fmt.Sprintf("Excel export: %d rows", min(o.ExportRows, info.Items)), Skipped: true, Note: "not yet measured"}
	if o.Export != nil {
		var cw countWriter
		peak := heapPeak()
		t := time.Now()
		err := o.Export(ctx, st.Ledger, info.CycleID, o.ExportRows, &cw)
		d := time.Since(t)
		if err != nil {
			return out, fmt.Errorf("%s: %w", exp.Op, err)
		}
		exp = Result{Op: exp.Op, N: 1, P50: d, P95: d,
			Note: fmt.Sprintf("one run, %.2f MB written, Go heap peaked at %.0f MB", float64(cw)/1e6, float64(peak())/1e6)}
	}
	_ = add(exp, nil)
	if o.Sweep != nil {
		if err := st.BenchPeople(ctx); err != nil {
			return out, err
		}
		peak := heapPeak()
		t := time.Now()
		note, err := o.Sweep(ctx, time.Now())
		d := time.Since(t)
		if err != nil {
			return out, fmt.Errorf("reminder sweep: %w", err)
		}
		_ = add(Result{Op: "reminder sweep of a day (dry run)", N: 1, P50: d, P95: d, Target: SweepTarget,
			Note: fmt.Sprintf("%s; Go heap peaked at %.0f MB", note, float64(peak())/1e6)}, nil)
	}
	if o.Out != nil {
		printNotes(o.Out, out)
	}
	return out, nil
}

// measure times n calls of f after one untimed warm-up call; f returns
// the time of the part it measures.
func measure(op string, n int, target time.Duration, f func() (time.Duration, error)) (Result, error) {
	res := Result{Op: op, N: n, Target: target}
	if _, err := f(); err != nil {
		return res, err
	}
	ds := make([]time.Duration, 0, n)
	for range n {
		d, err := f()
		if err != nil {
			return res, err
		}
		ds = append(ds, d)
	}
	res.P50, res.P95 = Percentile(ds, 50), Percentile(ds, 95)
	return res, nil
}

// Percentile is the nearest-rank percentile p of the durations.
func Percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 · n)
	return s[max(0, rank-1)]
}

// Print writes the table.
func Print(w io.Writer, rows []Result) {
	printHeader(w)
	for _, r := range rows {
		printRow(w, r)
	}
	printNotes(w, rows)
}

const opWidth = 58

func line(w io.Writer, op, n, p50, p95, target, result string) {
	if pad := opWidth - utf8.RuneCountInString(op); pad > 0 {
		op += strings.Repeat(" ", pad)
	}
	fmt.Fprintf(w, "%s %5s %10s %10s %10s  %s\n", op, n, p50, p95, target, result)
}

func printHeader(w io.Writer) { line(w, "operation", "n", "p50", "p95", "target", "result") }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func printRow(w io.Writer, r Result) {
	target := "—"
	if r.Target > 0 {
		target = "< " + ms(r.Target)
	}
	if r.Skipped {
		line(w, r.Op, "—", "—", "—", target, r.Note)
		return
	}
	line(w, r.Op, fmt.Sprint(r.N), ms(r.P50), ms(r.P95), target, r.Verdict())
}

func printNotes(w io.Writer, rows []Result) {
	for _, r := range rows {
		if r.Note != "" && !r.Skipped {
			fmt.Fprintln(w, "  note:", r.Op+": "+r.Note)
		}
	}
}

// heapPeak samples the Go heap in use until the returned function is
// called, which returns the largest sample.
func heapPeak() func() uint64 {
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	sample()
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() uint64 {
		close(done)
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// LedgerExport is the ledger's Excel export as 'zeren export ledger' makes
// it — internal/ledger's streaming writer fed by store.Ledger's keyset
// pages over the whole cycle (or a query proposed for it) — cut after
// rows items, for RunOptions.Export.
func LedgerExport(cat ledger.Catalog, locale string) func(context.Context, LedgerPage, int64, int, io.Writer) error {
	return func(ctx context.Context, ledgerPage LedgerPage, cycleID int64, rows int, w io.Writer) error {
		xw, err := ledger.NewWriter(cat, locale)
		if err != nil {
			return err
		}
		defer xw.Close()
		f := store.LedgerFilter{Scopes: []string{"/"}, CycleID: cycleID, Limit: ledger.PageSize}
		n := 0
		err = xw.AddAll(func(after string) ([]rectification.Rectification, string, error) {
			f.After = after
			page, next, err := ledgerPage(ctx, f)
			if n+len(page) >= rows {
				page, next = page[:rows-n], ""
			}
			n += len(page)
			return page, next, err
		})
		if err != nil {
			return err
		}
		_, err = xw.WriteTo(w)
		return err
	}
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// dashboardOverview reads what the cycle overview shows of a unit's subtree.
func dashboardOverview(ctx context.Context, st *store.Store, unitID int64, path string, cycleID int64) error {
	if _, err := st.UnitStats(ctx, unitID, cycleID); err != nil {
		return err
	}
	if _, err := st.FindingTallies(ctx, unitID, cycleID); err != nil {
		return err
	}
	if _, err := st.ReportCounts(ctx, cycleID, path); err != nil {
		return err
	}
	if _, err := st.ChildStats(ctx, unitID, cycleID); err != nil {
		return err
	}
	_, err := st.GradeCounts(ctx, cycleID, path)
	return err
}

// dashboardUnit reads what a unit's dashboard shows: its history over the
// cycles and its children's figures in one.
func dashboardUnit(ctx context.Context, st *store.Store, unitID, cycleID int64) error {
	if _, err := st.UnitHistory(ctx, unitID); err != nil {
		return err
	}
	if _, err := st.FindingTallies(ctx, unitID, cycleID); err != nil {
		return err
	}
	_, err := st.ChildStats(ctx, unitID, cycleID)
	return err
}

// todoFigures measures the to-do of a county leader and of the province
// supervisor.
func todoFigures(ctx context.Context, st *store.Store, n int, counties []unit.Unit, r *mrand.Rand, supervisorID int64,
	add func(Result, error) error) error {
	act := action.New(st)
	supervisor, err := st.Principal(ctx, supervisorID)
	if err != nil {
		return err
	}
	entries := 0
	res, err := measure("to-do: a county leader", n, TodoTarget, func() (time.Duration, error) {
		u := counties[r.IntN(len(counties))]
		p := &auth.Principal{UserID: -1, Login: "bench.leader", Grants: []auth.Grant{{Role: auth.UnitLeader, UnitID: u.ID, UnitPath: u.Path}}}
		t := time.Now()
		es, err := act.Todo(ctx, p)
		entries += len(es)
		return time.Since(t), err
	})
	res.Note = fmt.Sprintf("%.1f entries a sample", float64(entries)/float64(max(1, res.N+1)))
	if err := add(res, err); err != nil {
		return err
	}
	entries = 0
	res, err = measure("to-do: the province supervisor", n, TodoTarget, func() (time.Duration, error) {
		t := time.Now()
		es, err := act.Todo(ctx, supervisor)
		entries = len(es)
		return time.Since(t), err
	})
	res.Note = fmt.Sprintf("%d entries", entries)
	return add(res, err)
}
