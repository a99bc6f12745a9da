package cycle

import (
	"fmt"
	"testing"

	"zeren/internal/apperr"
)

// TestCheckAdvance tries every pair of statuses: only one step forward passes.
func TestCheckAdvance(t *testing.T) {
	for i, from := range Statuses {
		for j, to := range Statuses {
			err := CheckAdvance(from, to)
			if ok := j == i+1; (err == nil) != ok {
				t.Errorf("%s → %s: err %v, want ok=%v", from, to, err, ok)
			}
		}
		if CheckAdvance(from, "done") == nil {
			t.Errorf("%s → unknown status accepted", from)
		}
	}
	if !apperr.Is(CheckAdvance(Closed, Planning), apperr.Conflict) {
		t.Error("a closed cycle should answer conflict")
	}
	if Closed.Next() != "" || Planning.Next() != Reporting {
		t.Error("Next")
	}
}

func TestDraft(t *testing.T) {
	for _, tc := range []struct {
		d     Draft
		field string
	}{
		{Draft{Year: 2020, Title: "2020年度述职评议"}, ""},
		{Draft{Year: 2020, Title: "x", Deadline: "2021-01-05"}, ""},
		{Draft{Year: 1999, Title: "x"}, "year"},
		{Draft{Year: 2020, Title: " "}, "title"},
		{Draft{Year: 2020, Title: "x", Deadline: "2021-13-05"}, "deadline"},
	} {
		err := tc.d.Normalize()
		if tc.field == "" && err != nil || tc.field != "" && (err == nil || err.(*apperr.Error).Field != tc.field) {
			t.Errorf("%+v: %v, want field %q", tc.d, err, tc.field)
		}
	}
	if _, err := CheckAreas([]string{" ", ""}); err == nil {
		t.Error("no areas accepted")
	}
	if got, _ := CheckAreas([]string{" a ", "", "b"}); len(got) != 2 || got[0] != "a" {
		t.Errorf("CheckAreas = %v", got)
	}
}

func TestEditParticipants(t *testing.T) {
	list := []Participant{{UnitID: 1, Mode: OnTheSpot}, {UnitID: 2, Mode: OnTheSpot}, {UnitID: 3, Mode: Written}}
	ids := func(ps []Participant) (out []int64) {
		for _, p := range ps {
			out = append(out, p.UnitID)
		}
		return out
	}
	for _, tc := range []struct {
		unit int64
		op   string
		want []int64
	}{
		{2, "up", []int64{2, 1, 3}},
		{1, "up", []int64{1, 2, 3}},
		{1, "down", []int64{2, 1, 3}},
		{2, "down", []int64{1, 2, 3}}, // the written ones are not part of the order
		{2, "remove", []int64{1, 3}},
	} {
		got, err := EditParticipants(list, tc.unit, tc.op, "")
		if err != nil || fmt.Sprint(ids(got)) != fmt.Sprint(tc.want) {
			t.Errorf("%s %d: %v %v, want %v", tc.op, tc.unit, ids(got), err, tc.want)
		}
	}
	if fmt.Sprint(ids(list)) != "[1 2 3]" {
		t.Fatal("the input list was changed")
	}
	if got, _ := EditParticipants(list, 3, "mode", OnTheSpot); got[2].Mode != OnTheSpot {
		t.Error("mode")
	}
	for _, bad := range []struct {
		unit int64
		op   string
		mode Mode
	}{{9, "up", ""}, {1, "fly", ""}, {1, "mode", "loud"}} {
		if _, err := EditParticipants(list, bad.unit, bad.op, bad.mode); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
