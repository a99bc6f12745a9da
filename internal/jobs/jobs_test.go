package jobs_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/finding"
	"zeren/internal/i18n"
	"zeren/internal/jobs"
	"zeren/internal/rectification"
	"zeren/internal/remind"
	"zeren/internal/store"
	"zeren/internal/store/storetest"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// world is a city, a county under it and a township under that; a leader
// and a staff member of the county, a leader of the city (who must not be
// told about the county's items), a disabled county leader, a city
// supervisor; one item of the county due in warn days, one due today and
// one overdue by a day, one of the township overdue by a week.
type world struct {
	st                                   *store.Store
	db, data                             string
	clock                                *storetest.Clock
	cat                                  *i18n.Catalog
	city, county, town                   unit.Unit
	cycle                                cycle.Cycle
	leader, staff, cityLeader, off, sup  int64
	soon, today, overdue, townWeek, done int64
}

var hash = auth.HashPassword("a long enough password")

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	clock := &storetest.Clock{T: time.Date(2021, 1, 12, 1, 0, 0, 0, time.UTC)}
	db, data := storetest.DSN(t)
	st := open(t, db, data, clock)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	w := &world{st: st, clock: clock, cat: cat, db: db, data: data}
	mk := func(parent int64, name string) unit.Unit {
		u, err := st.CreateUnit(ctx, audit.System, parent, unit.Draft{Name: name, Kind: unit.Committee})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.city = mk(0, "市委")
	w.county = mk(w.city.ID, "区委")
	w.town = mk(w.county.ID, "镇党委")
	person := func(login string, role auth.Role, u unit.Unit, c user.Contact) int64 {
		x, err := st.CreateUser(ctx, audit.System, user.Draft{Login: login, Name: login}, hash, []auth.Grant{{Role: role, UnitID: u.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetContact(ctx, audit.System, x.ID, c); err != nil {
			t.Fatal(err)
		}
		return x.ID
	}
	mail := func(a string) user.Contact { return user.Contact{Email: a, Channels: []remind.Channel{remind.Email}} }
	w.leader = person("leader", auth.UnitLeader, w.county, mail("leader@example.org"))
	w.staff = person("staff", auth.UnitStaff, w.county, user.Contact{})
	w.cityLeader = person("cityleader", auth.UnitLeader, w.city, mail("city@example.org"))
	w.off = person("off", auth.UnitLeader, w.county, mail("off@example.org"))
	w.sup = person("sup", auth.Supervisor, w.city, mail("sup@example.org"))
	townLeader := person("townleader", auth.UnitLeader, w.town, user.Contact{})
	_ = townLeader
	u, _ := st.User(ctx, w.off)
	if _, err := st.UpdateUser(ctx, audit.System, w.off, u.Version, user.Draft{Login: u.Login, Name: u.Name, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	if w.cycle, err = st.CreateCycle(ctx, audit.System, w.city.ID, cycle.Draft{Year: 2020, Title: "2020年度述职评议"}); err != nil {
		t.Fatal(err)
	}
	item := func(u unit.Unit, text string, deadline time.Time) int64 {
		f, err := st.CreateFinding(ctx, audit.System, finding.Finding{UnitID: u.ID, CycleID: w.cycle.ID, Source: finding.Supervision,
			Text: text, Severity: finding.Major, RaisedBy: w.city.ID})
		if err != nil {
			t.Fatal(err)
		}
		xs, _ := st.FindingRectifications(ctx, f.ID)
		x, err := st.SavePlan(ctx, audit.System, xs[0].ID, xs[0].Version, rectification.Plan{Measures: "整顿", Owner: "李四",
			ResponsibleLeader: "王五", Deadline: deadline.Format(rectification.Date), Kind: rectification.Immediate})
		if err != nil {
			t.Fatal(err)
		}
		return x.ID
	}
	// Deadlines are set while the clock is early, then the clock moves to
	// the sweep's day.
	day := clock.Now().AddDate(0, 0, 30)
	warn := st.WarningDays()
	w.soon = item(w.county, "软弱涣散", day.AddDate(0, 0, warn))
	w.today = item(w.county, "学习不够", day)
	w.overdue = item(w.county, "台账不全", day.AddDate(0, 0, -1))
	w.townWeek = item(w.town, "制度缺失", day.AddDate(0, 0, -8))
	w.done = item(w.county, "二日逾期", day.AddDate(0, 0, -2)) // no reminder: not a reminder day
	clock.T = day.Add(time.Hour)
	return w
}

func open(t *testing.T, db, data string, clock *storetest.Clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), db, data, store.Options{Now: clock.Now, SQLiteSync: store.SyncNormal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func (w *world) day() time.Time { return w.clock.Now() }

func (w *world) jobs(t *testing.T, st *store.Store, s jobs.Sender) *jobs.Jobs {
	t.Helper()
	j, err := jobs.New(context.Background(), st, w.cat, jobs.Options{Sender: s, BaseURL: "https://zeren.example.org", Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func inbox(t *testing.T, st *store.Store, user int64) []remind.Notification {
	t.Helper()
	ns, err := st.Inbox(context.Background(), user, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func links(ns []remind.Notification) map[string]int {
	out := map[string]int{}
	for _, n := range ns {
		out[string(n.Kind)+" "+n.Link]++
	}
	return out
}

func TestSweepTellsEachPersonOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	j := w.jobs(t, w.st, &recorder{})

	dry, err := j.Sweep(ctx, w.day(), true)
	if err != nil {
		t.Fatal(err)
	}
	// The county's three items due on a reminder day, each to its leader
	// and staff (the disabled leader gets nothing); the township's item
	// a week overdue to its leader.
	if got := dry.Kinds[remind.ItemDue]; got != 3*2+1 {
		t.Fatalf("dry run counted %d item reminders, want 7: %v", got, dry.Kinds)
	}
	if dry.Channels[remind.Email] != 1 { // one digest, to the county leader, the only one with e-mail
		t.Fatalf("dry run channels: %v", dry.Channels)
	}
	if n := len(inbox(t, w.st, w.leader)); n != 0 {
		t.Fatalf("a dry run left %d notifications", n)
	}

	c, err := j.Sweep(ctx, w.day(), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kinds[remind.ItemDue] != 7 {
		t.Fatalf("sweep: %v", c.Kinds)
	}
	got := links(inbox(t, w.st, w.leader))
	for _, id := range []int64{w.soon, w.today, w.overdue} {
		if got["item_due /rectifications/"+itoa(id)] != 1 {
			t.Errorf("leader not told once about item %d: %v", id, got)
		}
	}
	if got["item_due /rectifications/"+itoa(w.done)] != 0 || got["item_due /rectifications/"+itoa(w.townWeek)] != 0 {
		t.Errorf("leader told about an item not due or not theirs: %v", got)
	}
	for _, who := range []int64{w.cityLeader, w.off, w.sup} {
		if ns := inbox(t, w.st, who); len(ns) != 0 {
			t.Errorf("user %d was told %v", who, links(ns))
		}
	}
	phases := map[string]bool{}
	for _, n := range inbox(t, w.st, w.leader) {
		phases[n.Args[0]] = true
		if line := jobs.Line(w.cat, "en", n); line == "" || line == n.MessageKey() {
			t.Errorf("no English text for %+v", n)
		}
	}
	if !phases["soon"] || !phases["today"] || !phases["overdue"] {
		t.Errorf("phases: %v", phases)
	}

	again, err := j.Sweep(ctx, w.day(), false)
	if err != nil || again.Total() != 0 || len(again.Channels) != 0 {
		t.Fatalf("a second sweep of the same day told %v %v (%v)", again.Kinds, again.Channels, err)
	}
}

// Two processes sweep the same day at once: each reminder once.
func TestTwoProcessesSweepOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	other := open(t, w.db, w.data, w.clock)
	j1, j2 := w.jobs(t, w.st, &recorder{}), w.jobs(t, other, &recorder{})
	var wg sync.WaitGroup
	var c1, c2 jobs.Counts
	var e1, e2 error
	wg.Add(2)
	go func() { defer wg.Done(); c1, e1 = j1.Sweep(ctx, w.day(), false) }()
	go func() { defer wg.Done(); c2, e2 = j2.Sweep(ctx, w.day(), false) }()
	wg.Wait()
	if e1 != nil || e2 != nil {
		t.Fatal(e1, e2)
	}
	if n := c1.Kinds[remind.ItemDue] + c2.Kinds[remind.ItemDue]; n != 7 {
		t.Fatalf("two sweeps told %d + %d, want 7 in all", c1.Kinds[remind.ItemDue], c2.Kinds[remind.ItemDue])
	}
	if n := c1.Channels[remind.Email] + c2.Channels[remind.Email]; n != 1 {
		t.Fatalf("two sweeps queued %d digests, want 1", n)
	}
	for _, n := range links(inbox(t, w.st, w.leader)) {
		if n != 1 {
			t.Fatalf("told twice: %v", links(inbox(t, w.st, w.leader)))
		}
	}
}

// recorder is an outside channel that keeps what it was asked to send and
// fails the first n times.
type recorder struct {
	mu    sync.Mutex
	fail  int
	sent  []string
	tries int
}

func (r *recorder) Send(_ context.Context, ch remind.Channel, to store.Recipient, m jobs.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries++
	if r.fail > 0 {
		r.fail--
		return errTemporary
	}
	r.sent = append(r.sent, string(ch)+" "+to.Email+" "+m.Subject)
	return nil
}

type tempErr struct{}

func (tempErr) Error() string { return "421 try again later" }

var errTemporary = tempErr{}

func (r *recorder) Ready(ch remind.Channel, to store.Recipient) bool {
	return ch != remind.Email || to.Email != ""
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

// The digest goes out once, after a failure, through the queue's retry.
func TestDigestDeliveredOnceAfterFailure(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rec := &recorder{fail: 1}
	j := w.jobs(t, w.st, rec)
	if _, err := j.Sweep(ctx, w.day(), false); err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := j.Start(dctx); err != nil {
		t.Fatal(err)
	}
	defer j.Stop(context.Background())
	failed := false
	for dctx.Err() == nil && len(rec.got()) == 0 {
		if !failed {
			rows, err := j.Failed(ctx, 10)
			if err == nil && len(rows) == 1 {
				failed = true
				if err := j.Retry(ctx, rows[0].ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !failed {
		t.Error("the failed delivery was not listed for the admins")
	}
	sent := rec.got()
	if len(sent) != 1 || sent[0] != "email leader@example.org "+w.cat.T(i18n.Default, "remind.digest_subject", 3) {
		t.Fatalf("sent %q", sent)
	}
	if _, err := j.Sweep(ctx, w.day(), false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if len(rec.got()) != 1 {
		t.Fatalf("sent again: %q", rec.got())
	}
}

// The system urges a stalled overdue item: blue, then yellow when it
// stays unanswered, never twice a day, never with the setting off.
func TestEscalation(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	j := w.jobs(t, w.st, &recorder{})
	c, err := j.Sweep(ctx, w.day(), false)
	if err != nil || len(c.Urges) != 0 {
		t.Fatalf("urged with the setting off: %v %v", c.Urges, err)
	}
	if err := w.st.SetStallDays(ctx, audit.System, w.cycle.ID, 5); err != nil {
		t.Fatal(err)
	}
	// Items were planned 30 days ago; the overdue ones are quiet.
	c, err = j.Sweep(ctx, w.day(), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Urges[rectification.Blue] != 3 { // the county's two overdue items and the township's
		t.Fatalf("first escalation: %v", c.Urges)
	}
	if c, _ = j.Sweep(ctx, w.day(), false); len(c.Urges) != 0 {
		t.Fatalf("urged twice the same day: %v", c.Urges)
	}
	us, _ := w.st.Urges(ctx, w.overdue)
	if len(us) != 1 || us[0].Level != rectification.Blue {
		t.Fatalf("urges: %+v", us)
	}
	got := links(inbox(t, w.st, w.leader))
	if got["urge_issued /rectifications/"+itoa(w.overdue)] != 1 {
		t.Fatalf("the leader was not told of the notice: %v", got)
	}
	if got := links(inbox(t, w.st, w.sup)); got["item_stalled /rectifications/"+itoa(w.overdue)] != 1 {
		t.Fatalf("the raising level's supervisor was not told: %v", got)
	}
	w.clock.Advance(5 * 24 * time.Hour)
	if c, _ = j.Sweep(ctx, w.day(), false); c.Urges[rectification.YellowUrge] != 3 {
		t.Fatalf("second escalation: %v", c.Urges)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A sweep cut after writing some notifications and before handing them
// over: the next run adds only what is missing and hands everything over,
// one digest per person.
func TestSweepAfterCrash(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	j := w.jobs(t, w.st, &recorder{})
	half := remind.Notification{UserID: w.leader, Kind: remind.ItemDue, Link: "/rectifications/" + itoa(w.soon),
		Key: remind.Key(remind.ItemDue, "rect/"+itoa(w.soon), w.day()), Args: []string{"soon", "区委", "软弱涣散", "x"}}
	if _, err := w.st.Notify(ctx, []remind.Notification{half}); err != nil {
		t.Fatal(err)
	}
	c, err := j.Sweep(ctx, w.day(), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kinds[remind.ItemDue] != 6 || c.Channels[remind.Email] != 1 {
		t.Fatalf("after the crash: %v %v", c.Kinds, c.Channels)
	}
	ns := inbox(t, w.st, w.leader)
	if len(ns) != 3 {
		t.Fatalf("leader's inbox: %v", links(ns))
	}
	out, err := w.st.TakeOutbox(ctx, true, 10)
	if err != nil || len(out.Digests) != 0 || len(out.Urgent) != 0 {
		t.Fatalf("left in the outbox: %+v %v", out, err)
	}
}

// A sweep urges at most MaxUrges items, the longest overdue first; the
// next day's sweep urges the ones left.
func TestEscalationBounded(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	j, err := jobs.New(ctx, w.st, w.cat, jobs.Options{Sender: &recorder{}, MaxUrges: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetStallDays(ctx, audit.System, w.cycle.ID, 5); err != nil {
		t.Fatal(err)
	}
	c, err := j.Sweep(ctx, w.day(), false)
	if err != nil || c.Urges[rectification.Blue] != 2 || c.Deferred != 1 {
		t.Fatalf("first sweep: %v deferred %d, %v", c.Urges, c.Deferred, err)
	}
	if us, _ := w.st.Urges(ctx, w.overdue); len(us) != 0 {
		t.Fatalf("the least overdue was urged first: %+v", us)
	}
	w.clock.Advance(24 * time.Hour)
	c, err = j.Sweep(ctx, w.day(), false)
	if err != nil || c.Urges[rectification.Blue] != 2 || c.Deferred != 0 {
		t.Fatalf("next day: %v deferred %d, %v", c.Urges, c.Deferred, err)
	}
	if us, _ := w.st.Urges(ctx, w.overdue); len(us) != 1 {
		t.Fatalf("left for the next day: %+v", us)
	}
}
