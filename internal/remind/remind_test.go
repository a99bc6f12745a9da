package remind

import (
	"testing"
	"time"

	"zeren/internal/rectification"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPhaseOf(t *testing.T) {
	for _, tc := range []struct {
		deadline, day string
		warn          int
		want          Phase
		ok            bool
	}{
		{"2026-12-10", "2026-12-03", 7, Soon, true},
		{"2026-12-10", "2026-12-04", 7, "", false},
		{"2026-12-10", "2026-12-02", 7, "", false},
		{"2026-12-10", "2026-12-10", 7, Today, true},
		{"2026-12-10", "2026-12-11", 7, Overdue, true},
		{"2026-12-10", "2026-12-12", 7, "", false},
		{"2026-12-10", "2026-12-18", 7, Overdue, true},
		{"2026-12-10", "2026-12-25", 7, Overdue, true},
		{"2026-12-10", "2026-12-26", 7, "", false},
		{"2026-12-10", "2027-12-15", 7, "", false}, // past a year of weekly reminders
		{"2026-12-10", "2026-12-10", 0, Today, true},
		{"2026-12-31", "2026-12-24", 7, Soon, true}, // across a month
		{"2027-01-02", "2026-12-26", 7, Soon, true}, // and a year
	} {
		got, ok := PhaseOf(day(tc.deadline), day(tc.day), tc.warn)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PhaseOf(%s, %s, %d) = %q %v, want %q %v", tc.deadline, tc.day, tc.warn, got, ok, tc.want, tc.ok)
		}
	}
}

// Deadlines lists exactly the deadlines whose reminders fall on the day.
func TestDeadlinesMatchPhaseOf(t *testing.T) {
	d := day("2026-12-02")
	for _, warn := range []int{0, 1, 7, 30} {
		listed := map[string]bool{}
		for _, s := range Deadlines(d, warn) {
			listed[s] = true
		}
		for off := -400; off <= 400; off++ {
			dl := d.AddDate(0, 0, off)
			_, ok := PhaseOf(dl, d, warn)
			if ok != listed[dl.Format(time.DateOnly)] {
				t.Errorf("warn %d, deadline %s: phase %v, listed %v", warn, dl.Format(time.DateOnly), ok, listed[dl.Format(time.DateOnly)])
			}
		}
	}
}

func TestEscalation(t *testing.T) {
	today := day("2026-12-20")
	old := day("2026-12-01")
	for _, tc := range []struct {
		name  string
		s     Stall
		days  int
		want  rectification.UrgeLevel
		issue bool
	}{
		{"off by default", Stall{Deadline: day("2026-12-10"), LastProgress: old}, 0, "", false},
		{"not overdue", Stall{Deadline: today, LastProgress: old}, 5, "", false},
		{"overdue and quiet: blue", Stall{Deadline: day("2026-12-10"), LastProgress: old}, 5, rectification.Blue, true},
		{"recent progress", Stall{Deadline: day("2026-12-10"), LastProgress: day("2026-12-17")}, 5, "", false},
		{"exactly the stall days", Stall{Deadline: day("2026-12-10"), LastProgress: day("2026-12-15")}, 5, rectification.Blue, true},
		{"blue unanswered: yellow", Stall{Deadline: day("2026-12-10"), LastProgress: old, LastUrge: day("2026-12-14"), Open: rectification.Blue}, 5, rectification.YellowUrge, true},
		{"yellow unanswered: red", Stall{Deadline: day("2026-12-10"), LastProgress: old, LastUrge: day("2026-12-14"), Open: rectification.YellowUrge}, 5, rectification.RedUrge, true},
		{"red stays", Stall{Deadline: day("2026-12-10"), LastProgress: old, LastUrge: day("2026-12-01"), Open: rectification.RedUrge}, 5, "", false},
		{"urged today: quiet", Stall{Deadline: day("2026-12-10"), LastProgress: old, LastUrge: today, Open: rectification.Blue}, 5, "", false},
		{"answered long ago: blue again", Stall{Deadline: day("2026-12-10"), LastProgress: old, LastUrge: day("2026-12-02")}, 5, rectification.Blue, true},
	} {
		got, ok := Escalation(tc.s, today, tc.days)
		if got != tc.want || ok != tc.issue {
			t.Errorf("%s: %q %v, want %q %v", tc.name, got, ok, tc.want, tc.issue)
		}
	}
}

func TestKinds(t *testing.T) {
	urgent := 0
	for _, k := range Kinds {
		if !k.Valid() {
			t.Errorf("%s not valid", k)
		}
		if k.Urgent() {
			urgent++
		}
	}
	if urgent != 3 || Kind("x").Valid() || Channel("sms").Valid() {
		t.Errorf("urgent kinds %d", urgent)
	}
	n := Notification{Kind: ItemDue, Args: []string{"soon"}}
	if n.MessageKey() != "remind.item_due.soon" || (Notification{Kind: UrgeIssued}).MessageKey() != "remind.urge_issued" {
		t.Error(n.MessageKey())
	}
}
