package appraisal

import (
	"testing"

	"zeren/internal/apperr"
)

func setup(min int, weights ...int) Appraisal {
	a := Default()
	a.MinBallots = min
	for i, w := range weights {
		a.Groups = append(a.Groups, RaterGroup{ID: int64(i + 1), Name: string(rune('A' + i)), Weight: w})
	}
	return a
}

// ballots builds tallies for report 1: per group, counts of grades 0…4.
func ballots(perGroup ...[]int) []Tally {
	var ts []Tally
	for g, counts := range perGroup {
		for grade, n := range counts {
			if n > 0 {
				ts = append(ts, Tally{ReportID: 1, GroupID: int64(g + 1), Grade: grade, Count: n})
			}
		}
	}
	return ts
}

func TestCompute(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	tests := []struct {
		name   string
		a      Appraisal
		ts     []Tally
		score  *float64
		hidden bool
		valid  int
		shares []float64
	}{
		// counts are [don't know, good, fairly good, average, poor]
		{"all poor scores 0, not 50", setup(3, 100), ballots([]int{0, 0, 0, 0, 5}), f(0), false, 5, []float64{0, 0, 0, 100}},
		{"all good scores 100", setup(3, 100), ballots([]int{0, 4}), f(100), false, 4, []float64{100, 0, 0, 0}},
		{"all don't know: no valid ballot, hidden", setup(1, 100), ballots([]int{6}), nil, true, 0, nil},
		{"don't know never counts", setup(2, 100), ballots([]int{9, 1, 0, 0, 1}), f(50), false, 2, []float64{50, 0, 0, 50}},
		{"below the minimum shows nothing", setup(8, 100), ballots([]int{0, 7}), nil, true, 7, nil},
		{"exactly the minimum is shown", setup(8, 100), ballots([]int{0, 8}), f(100), false, 8, []float64{100, 0, 0, 0}},
		{"weights apply to group means", setup(1, 60, 40),
			ballots([]int{0, 1}, []int{0, 0, 0, 0, 3}), f(60), false, 4, []float64{25, 0, 0, 75}},
		{"group sizes do not matter, only means", setup(1, 50, 50),
			ballots([]int{0, 10}, []int{0, 0, 0, 1}), f(80), false, 11, nil},
		{"a group without valid ballots: its weight goes to the others", setup(1, 50, 30, 20),
			ballots([]int{0, 2}, []int{4}, []int{0, 0, 0, 0, 1}), f(71.43), false, 3, nil},
		{"mixed grades", setup(1, 100), ballots([]int{1, 1, 1, 1, 1}), f(60), false, 4, []float64{25, 25, 25, 25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := Compute(tt.a, []int64{1}, nil, tt.ts, nil)
			r := rs[0]
			if r.Hidden != tt.hidden || r.Valid != tt.valid {
				t.Fatalf("hidden %v valid %d, want %v %d", r.Hidden, r.Valid, tt.hidden, tt.valid)
			}
			switch {
			case tt.score == nil && r.Score != nil:
				t.Fatalf("score %v, want none", *r.Score)
			case tt.score != nil && (r.Score == nil || *r.Score != *tt.score):
				t.Fatalf("score %v, want %v", r.Score, *tt.score)
			}
			if tt.shares != nil {
				for i := range tt.shares {
					if r.Shares[i] != tt.shares[i] {
						t.Fatalf("shares %v, want %v", r.Shares, tt.shares)
					}
				}
			}
			if r.Hidden && (r.Counts != nil || r.Comments != nil || r.Groups != nil) {
				t.Fatalf("hidden result shows details: %+v", r)
			}
		})
	}
}

func TestRank(t *testing.T) {
	a := setup(1, 100)
	ts := []Tally{
		{ReportID: 1, GroupID: 1, Grade: 2, Count: 2}, // 80
		{ReportID: 2, GroupID: 1, Grade: 1, Count: 2}, // 100
		{ReportID: 3, GroupID: 1, Grade: 2, Count: 1}, // 80
		{ReportID: 4, GroupID: 1, Grade: 4, Count: 1}, // 0
		{ReportID: 5, GroupID: 1, Grade: 0, Count: 1}, // none
	}
	rs := Compute(a, []int64{1, 2, 3, 4, 5}, nil, ts, nil)
	want := []int{2, 1, 2, 4, 0}
	for i, r := range rs {
		if r.Rank != want[i] {
			t.Fatalf("report %d rank %d, want %d", r.ReportID, r.Rank, want[i])
		}
	}
}

func TestAreaScores(t *testing.T) {
	a := setup(1, 100)
	a.AreaGrades = true
	ts := []Tally{
		{ReportID: 1, GroupID: 1, Grade: 1, Count: 2},
		{ReportID: 1, GroupID: 1, AreaID: 7, Grade: 3, Count: 2},
		{ReportID: 1, GroupID: 1, AreaID: 8, Grade: 0, Count: 2},
	}
	r := Compute(a, []int64{1}, []int64{7, 8}, ts, nil)[0]
	if *r.Score != 100 || *r.Areas[0].Score != 60 || r.Areas[1].Score != nil {
		t.Fatalf("areas %+v", r.Areas)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Appraisal)
		field string
	}{
		{"weights under 100", func(a *Appraisal) { a.Groups[0].Weight = 50 }, "groups"},
		{"weights over 100", func(a *Appraisal) { a.Groups = append(a.Groups, RaterGroup{Name: "x", Weight: 1}) }, "groups"},
		{"negative weight", func(a *Appraisal) {
			a.Groups[0].Weight = 110
			a.Groups = append(a.Groups, RaterGroup{Name: "x", Weight: -10})
		}, "groups"},
		{"no group", func(a *Appraisal) { a.Groups = nil }, "groups"},
		{"unnamed group", func(a *Appraisal) { a.Groups[0].Name = " " }, "groups"},
		{"same group twice", func(a *Appraisal) {
			a.Groups = []RaterGroup{{Name: "x", Weight: 50}, {Name: "x", Weight: 50}}
		}, "groups"},
		{"grade over 100", func(a *Appraisal) { a.Scale[0].Value = 101 }, "scale"},
		{"grade without label", func(a *Appraisal) { a.Scale = append(a.Scale, Grade{Value: 10}) }, "scale"},
		{"one grade", func(a *Appraisal) { a.Scale = a.Scale[:1] }, "scale"},
		{"minimum 0", func(a *Appraisal) { a.MinBallots = 0 }, "min_ballots"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := setup(8, 100)
			tt.edit(&a)
			err := a.Normalize()
			if fieldOf(err) != tt.field {
				t.Fatalf("error %v, want one on %s", err, tt.field)
			}
		})
	}
	a := setup(8, 70, 30)
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckBallots(t *testing.T) {
	a := setup(8, 100)
	offered := map[int64]bool{1: true, 2: true}
	tests := []struct {
		name string
		bs   []Ballot
		ok   bool
	}{
		{"every report once", []Ballot{{ReportID: 1, Grade: 1}, {ReportID: 2, Grade: DontKnow}}, true},
		{"grade outside the scale", []Ballot{{ReportID: 1, Grade: 5}, {ReportID: 2, Grade: 1}}, false},
		{"negative grade", []Ballot{{ReportID: 1, Grade: -1}, {ReportID: 2, Grade: 1}}, false},
		{"report not offered", []Ballot{{ReportID: 1, Grade: 1}, {ReportID: 3, Grade: 1}}, false},
		{"report twice", []Ballot{{ReportID: 1, Grade: 1}, {ReportID: 1, Grade: 1}}, false},
		{"report missing", []Ballot{{ReportID: 1, Grade: 1}}, false},
		{"area grades when off", []Ballot{{ReportID: 1, Grade: 1, AreaGrades: map[int64]int{5: 1}}, {ReportID: 2, Grade: 1}}, false},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.CheckBallots(tt.bs, offered, []int64{5})
			if (err == nil) != tt.ok || (err != nil && fieldOf(err) != "ballots") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestCodes(t *testing.T) {
	c := NewCode()
	if NormalizeCode(c) != c || NormalizeCode(" "+lower(c[:4])+c[5:]+" ") != c {
		t.Fatalf("code %q does not survive typing", c)
	}
	for _, bad := range []string{"", "ABCD", "ABCD-EFGH-JK1O", "ABCD-EFGH-JKLMN", "<script>"} {
		if NormalizeCode(bad) != "" {
			t.Fatalf("%q taken for a code", bad)
		}
	}
	if NewCode() == c || HashCode(c) == c || len(HashCode(c)) != 64 {
		t.Fatal("codes are not random or not hashed")
	}
}

func lower(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] >= 'A' && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

func fieldOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Field
	}
	return ""
}
