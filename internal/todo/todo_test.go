package todo

import (
	"slices"
	"testing"
)

func TestSort(t *testing.T) {
	today := "2021-03-10"
	es := []Entry{
		{Kind: CycleStep, ObjectID: 1},
		{Kind: ReportWrite, Deadline: "2021-03-20", ObjectID: 2},
		{Kind: ItemOverdue, Deadline: "2021-03-01", ObjectID: 3},
		{Kind: ItemDueSoon, Deadline: "2021-03-12", ObjectID: 4},
		{Kind: UrgeReply, Deadline: "2021-03-09", ObjectID: 5}, // reply-by passed: overdue too
		{Kind: Verify, Count: 12, ObjectID: 0},
		{Kind: ItemPlan, Deadline: "2021-03-12", ObjectID: 6},      // same day as 4, later kind
		{Kind: ReportRewrite, Deadline: "2021-03-10", ObjectID: 7}, // due today is not overdue
	}
	Sort(es, today)
	var got []int64
	for _, e := range es {
		got = append(got, e.ObjectID)
	}
	want := []int64{3, 5, 7, 4, 6, 2, 0, 1}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestDueSoon(t *testing.T) {
	for _, tc := range []struct {
		deadline string
		want     bool
	}{
		{"", false},
		{"2021-03-09", false}, // overdue, not due soon
		{"2021-03-10", true},
		{"2021-03-17", true},
		{"2021-03-18", false},
	} {
		if got := DueSoon(tc.deadline, "2021-03-10", 7); got != tc.want {
			t.Errorf("DueSoon(%q) = %v, want %v", tc.deadline, got, tc.want)
		}
	}
	if DueSoon("2021-03-10", "garbage", 7) {
		t.Error("a bad today counts nothing as due soon")
	}
}

func TestKindsDistinct(t *testing.T) {
	seen := map[Kind]bool{}
	for _, k := range Kinds {
		if seen[k] {
			t.Errorf("kind %s twice", k)
		}
		seen[k] = true
	}
	if Kind("nonsense").rank() != len(Kinds) {
		t.Error("an unknown kind sorts last")
	}
}
