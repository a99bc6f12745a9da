package rectification

import (
	"testing"
	"time"

	"zeren/internal/apperr"
)

func TestStatusMachine(t *testing.T) {
	allowed := map[[2]string]Status{
		{"planning", "start"}:               InProgress,
		{"in_progress", "submit"}:           AwaitingVerification,
		{"awaiting_verification", "verify"}: Closed,
		{"awaiting_verification", "reject"}: InProgress,
		{"closed", "reopen"}:                InProgress,
	}
	for _, s := range Statuses {
		for _, m := range Moves {
			to, err := Next(s, m)
			want, ok := allowed[[2]string{string(s), string(m)}]
			switch {
			case ok && (err != nil || to != want):
				t.Errorf("%s %s: %s %v, want %s", s, m, to, err, want)
			case !ok && !apperr.Is(err, apperr.Conflict):
				t.Errorf("%s %s allowed (%s), want 409", s, m, to)
			case !ok:
				if e, _ := apperr.As(err); e.Key != "err.move_refused."+string(s) {
					t.Errorf("%s %s: the refusal does not name the current state: %v", s, m, e.Args)
				}
			}
		}
	}
	if _, err := Next(Planning, "fly"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown move: %v", err)
	}
	if !Reject.NeedsReason() || !Reopen.NeedsReason() || Verify.NeedsReason() {
		t.Fatal("reasons")
	}
}

func TestWarning(t *testing.T) {
	today := time.Date(2021, 3, 10, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		status   Status
		deadline string
		want     Warning
		overdue  int
	}{
		{InProgress, "2021-03-31", Green, 0},
		{InProgress, "2021-03-18", Green, 0},
		{InProgress, "2021-03-17", Yellow, 0}, // 7 days left
		{InProgress, "2021-03-10", Yellow, 0}, // due today
		{InProgress, "2021-03-09", Red, 1},
		{AwaitingVerification, "2021-01-10", Red, 59},
		{Planning, "", Green, 0},
		{Closed, "2021-01-10", None, 59},
	} {
		if got := WarningOf(tc.status, tc.deadline, today, DefaultWarningDays); got != tc.want {
			t.Errorf("%s due %s: %q, want %q", tc.status, tc.deadline, got, tc.want)
		}
		if got := DaysOverdue(tc.deadline, "", today); got != tc.overdue {
			t.Errorf("due %s: %d days overdue, want %d", tc.deadline, got, tc.overdue)
		}
	}
	if got := DaysOverdue("2021-03-01", "2021-03-04", today); got != 3 {
		t.Errorf("closed 3 days late: %d", got)
	}
	if got := WarningOf(InProgress, "2021-03-12", today, 1); got != Green {
		t.Errorf("one warning day: %q", got)
	}
}

func TestPlan(t *testing.T) {
	today := time.Date(2021, 3, 10, 23, 0, 0, 0, time.UTC)
	ok := Plan{Measures: "整顿软弱涣散党组织", Owner: "组织部 李四", ResponsibleLeader: "区委副书记 王五", Deadline: "2021-06-30", Kind: LongTerm}
	if err := ok.Normalize(today, ""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		edit  func(*Plan)
		old   string
		field string
	}{
		{func(p *Plan) { p.Measures = " " }, "", "measures"},
		{func(p *Plan) { p.Owner = "" }, "", "owner"},
		{func(p *Plan) { p.ResponsibleLeader = "" }, "", "responsible_leader"},
		{func(p *Plan) { p.Kind = "someday" }, "", "kind"},
		{func(p *Plan) { p.Deadline = "2021-02-30" }, "", "deadline"},
		{func(p *Plan) { p.Deadline = "2021-03-09" }, "", "deadline"},
		{func(p *Plan) { p.Deadline = "2021-03-09" }, "2021-03-01", "deadline"},
		{func(p *Plan) { p.Deadline = "2021-03-09" }, "2021-03-09", ""}, // unchanged, though past
		{func(p *Plan) { p.Deadline = "2021-03-10" }, "", ""},           // today is fine
	} {
		p := ok
		tc.edit(&p)
		err := p.Normalize(today, tc.old)
		if got := fieldOf(err); got != tc.field {
			t.Errorf("%+v: error on %q (%v), want %q", p, got, err, tc.field)
		}
	}
}

func TestUrge(t *testing.T) {
	today := time.Date(2021, 3, 10, 0, 0, 0, 0, time.UTC)
	u := Urge{Level: Blue, Text: "请加快进度", ReplyBy: "2021-03-15"}
	if err := NormalizeUrge(&u, today); err != nil {
		t.Fatal(err)
	}
	bad := u
	bad.ReplyBy = "2021-03-01"
	if fieldOf(NormalizeUrge(&bad, today)) != "reply_by" {
		t.Fatal("reply-by in the past")
	}
	bad = u
	bad.Level = "purple"
	if fieldOf(NormalizeUrge(&bad, today)) != "level" {
		t.Fatal("unknown level")
	}
	if err := u.CheckEscalate(); err != nil || u.Level.Next() != YellowUrge || YellowUrge.Next() != RedUrge || RedUrge.Next() != "" {
		t.Fatalf("escalation: %v", err)
	}
	red := Urge{Level: RedUrge}
	if !apperr.Is(red.CheckEscalate(), apperr.Conflict) {
		t.Fatal("escalated past red")
	}
	now := today
	answered := Urge{Level: Blue, RepliedAt: &now}
	if !apperr.Is(answered.CheckEscalate(), apperr.Conflict) || !apperr.Is(answered.CheckReply("x"), apperr.Conflict) {
		t.Fatal("an answered notice escalated or answered again")
	}
	if fieldOf(u.CheckReply(" ")) != "reply" {
		t.Fatal("empty reply")
	}
}

func TestStats(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	for _, tc := range []struct {
		name string
		s    Stats
		rate *float64
		avg  *float64
	}{
		{"no items: no rate, not 0 or 100", Stats{}, nil, nil},
		{"open, none due: no rate", Stats{Total: 3, InProgress: 3}, nil, nil},
		{"overdue items stay counted", Stats{Total: 4, Closed: 2, ClosedOnTime: 2, Overdue: 2, DaysToClose: 30}, f(50), f(15)},
		{"all closed late", Stats{Total: 2, Closed: 2, DaysToClose: 7}, f(0), f(3.5)},
		{"all on time", Stats{Total: 3, Closed: 3, ClosedOnTime: 3, DaysToClose: 10}, f(100), f(3.3)},
	} {
		tc.s.Finish()
		if !same(tc.s.OnTimeRate, tc.rate) || !same(tc.s.AvgDaysToClose, tc.avg) {
			t.Errorf("%s: rate %v avg %v", tc.name, show(tc.s.OnTimeRate), show(tc.s.AvgDaysToClose))
		}
	}
	// A parent's rate comes from its items: a child with 1 of 1 on time and
	// one with 0 of 3 make 25 %, not the 50 % of averaging the children.
	parent := Stats{Closed: 4, ClosedOnTime: 1}
	parent.Finish()
	if *parent.OnTimeRate != 25 {
		t.Fatalf("parent rate %v", *parent.OnTimeRate)
	}
}

func same(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func show(p *float64) any {
	if p == nil {
		return "none"
	}
	return *p
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Field
	}
	return ""
}
