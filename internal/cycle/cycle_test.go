package cycle

import (
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
