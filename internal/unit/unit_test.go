package unit

import (
	"strings"
	"testing"

	"zeren/internal/apperr"
)

func TestSubtreeRange(t *testing.T) {
	lo, hi := SubtreeRange("/1/12/")
	for _, tc := range []struct {
		path string
		in   bool
	}{
		{"/1/12/", true},
		{"/1/12/305/", true},
		{"/1/12/9/9/", true},
		{"/1/120/", false},
		{"/1/13/", false},
		{"/1/1/", false},
		{"/1/", false},
		{"/2/12/", false},
	} {
		got := tc.path >= lo && tc.path < hi
		if got != tc.in || Contains("/1/12/", tc.path) != tc.in {
			t.Errorf("%s in subtree of /1/12/: got %v, want %v", tc.path, got, tc.in)
		}
	}
}

func TestDraftNormalize(t *testing.T) {
	long := strings.Repeat("党", MaxNameLen+1)
	for _, tc := range []struct {
		name  string
		d     Draft
		field string
	}{
		{"ok", Draft{Name: " 涪城区委 ", Kind: Committee}, ""},
		{"empty name", Draft{Name: "  ", Kind: Committee}, "name"},
		{"long name", Draft{Name: long, Kind: Committee}, "name"},
		{"exact length", Draft{Name: long[:len(long)-3], Kind: Park}, ""},
		{"bad kind", Draft{Name: "x", Kind: "club"}, "kind"},
		{"long leader", Draft{Name: "x", Kind: Other, Leader: long}, "leader"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Normalize()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if tc.d.Name != strings.TrimSpace(tc.d.Name) {
					t.Fatalf("name not trimmed: %q", tc.d.Name)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Field != tc.field || e.Kind != apperr.Invalid {
				t.Fatalf("got %v, want invalid field %s", err, tc.field)
			}
		})
	}
}

func TestCheckMove(t *testing.T) {
	u := Unit{ID: 12, Path: "/1/12/"}
	for _, tc := range []struct {
		parent *Unit
		ok     bool
	}{
		{nil, true},
		{&Unit{Path: "/1/"}, true},
		{&Unit{Path: "/1/13/"}, true},
		{&Unit{Path: "/1/12/"}, false},
		{&Unit{Path: "/1/12/305/"}, false},
		{&Unit{Path: "/1/13/", Archived: true}, false},
	} {
		if err := CheckMove(u, tc.parent); (err == nil) != tc.ok {
			t.Errorf("move under %+v: err %v, want ok=%v", tc.parent, err, tc.ok)
		}
	}
}

func TestAncestors(t *testing.T) {
	got := Ancestors("/1/12/305/")
	if len(got) != 3 || got[0] != 1 || got[1] != 12 || got[2] != 305 {
		t.Fatalf("Ancestors = %v", got)
	}
	if ChildPath("", 7) != "/7/" || ChildPath("/1/", 7) != "/1/7/" {
		t.Fatal("ChildPath")
	}
}

// FuzzSubtreeRange checks that the range bound and the prefix test agree for
// any pair of well-formed paths.
func FuzzSubtreeRange(f *testing.F) {
	f.Add(int64(1), int64(12), int64(120), int64(3))
	f.Fuzz(func(t *testing.T, a, b, c, d int64) {
		if a <= 0 || b <= 0 || c <= 0 || d <= 0 {
			return
		}
		anc := ChildPath(ChildPath("", a), b)
		for _, p := range []string{ChildPath(anc, c), ChildPath(ChildPath("", a), c), ChildPath(ChildPath(ChildPath("", a), c), d), anc} {
			lo, hi := SubtreeRange(anc)
			if (p >= lo && p < hi) != Contains(anc, p) {
				t.Fatalf("range and prefix disagree for %s under %s", p, anc)
			}
			ids := Ancestors(p)
			if ids[len(ids)-1] <= 0 {
				t.Fatalf("Ancestors(%s) = %v", p, ids)
			}
		}
	})
}
