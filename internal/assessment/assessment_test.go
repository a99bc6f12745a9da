package assessment

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"zeren/internal/apperr"
	"zeren/internal/rectification"
	"zeren/internal/unit"
)

func f(x float64) *float64 { return &x }

// wantErr fails unless err is a bad-input error on field with key; an
// empty key wants no error.
func wantErr(t *testing.T, err error, field, key string) *apperr.Error {
	t.Helper()
	if key == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return nil
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || e.Field != field || e.Key != key {
		t.Fatalf("error %v, want %s: %s", err, field, key)
	}
	return e
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestDefaultScheme(t *testing.T) {
	s := DefaultScheme()
	if err := s.Normalize(); err != nil {
		t.Fatalf("default scheme refused: %v", err)
	}
	sum := 0.0
	for _, in := range s.Indicators {
		sum += in.Points
	}
	if sum != 100 {
		t.Fatalf("points add up to %v", sum)
	}
	g := s.GradeSet(unit.Committee)
	if g.Kind != "" || len(g.Bands) != 4 || g.Bands[0].Grade != "优秀" || g.Bands[3].Grade != "较差" {
		t.Fatalf("default grades %+v", g)
	}
}

func TestSchemeNormalize(t *testing.T) {
	bands := func(bs ...Band) func(*Scheme) {
		return func(s *Scheme) { s.Grades = []GradeSet{{Bands: bs}} }
	}
	tests := []struct {
		name   string
		edit   func(*Scheme)
		field  string
		key    string
		inArgs []any // some of the error's arguments
	}{
		{"default is fine", func(*Scheme) {}, "", "", nil},
		{"no indicators", func(s *Scheme) { s.Indicators = nil }, "indicators", "err.required", nil},
		{"too many indicators", func(s *Scheme) {
			s.Indicators = nil
			for i := range MaxIndicators + 1 {
				s.Indicators = append(s.Indicators, Indicator{Key: fmt.Sprintf("m%d", i), Name: "x", Points: 1, Source: FromManual})
			}
		}, "indicators", "err.too_many", nil},
		{"points not adding up to 100", func(s *Scheme) { s.Indicators[0].Points = 41 }, "indicators", "err.points_sum", []any{101.0}},
		{"points short of 100", func(s *Scheme) { s.Indicators = s.Indicators[:4] }, "indicators", "err.points_sum", []any{85.0}},
		{"decimals adding up to 100 within rounding", func(s *Scheme) {
			s.Indicators = []Indicator{
				{Key: "a", Name: "A", Points: 33.3, Source: FromManual},
				{Key: "b", Name: "B", Points: 33.3, Source: FromManual},
				{Key: "c", Name: "C", Points: 33.4, Source: FromManual},
			}
		}, "", "", nil},
		{"duplicate keys", func(s *Scheme) { s.Indicators[1].Key = "appraisal" }, "indicators", "err.indicator_key_twice", []any{"appraisal"}},
		{"malformed key", func(s *Scheme) { s.Indicators[1].Key = "On time" }, "indicators", "err.indicator_key", []any{2}},
		{"empty key", func(s *Scheme) { s.Indicators[0].Key = " " }, "indicators", "err.indicator_key", []any{1}},
		{"key too long", func(s *Scheme) { s.Indicators[0].Key = strings.Repeat("k", MaxKeyLen+1) }, "indicators", "err.indicator_key", nil},
		{"empty name", func(s *Scheme) { s.Indicators[2].Name = "  " }, "indicators", "err.indicator_name", []any{3}},
		{"name too long", func(s *Scheme) { s.Indicators[0].Name = strings.Repeat("党", MaxNameLen+1) }, "indicators", "err.indicator_name_long", nil},
		{"name at the limit", func(s *Scheme) { s.Indicators[0].Name = strings.Repeat("党", MaxNameLen) }, "", "", nil},
		{"rule too long", func(s *Scheme) { s.Indicators[0].Rule = strings.Repeat("则", MaxRuleLen+1) }, "indicators", "err.indicator_rule_long", nil},
		{"zero points", func(s *Scheme) { s.Indicators[4].Points = 0; s.Indicators[0].Points = 55 }, "indicators", "err.indicator_points", []any{5}},
		{"negative points", func(s *Scheme) { s.Indicators[4].Points = -15; s.Indicators[0].Points = 70 }, "indicators", "err.indicator_points", nil},
		{"NaN points", func(s *Scheme) { s.Indicators[0].Points = math.NaN() }, "indicators", "err.indicator_points", nil},
		{"unknown source", func(s *Scheme) { s.Indicators[0].Source = "gdp" }, "indicators", "err.indicator_source", []any{1, "gdp"}},
		{"deduction without per item", func(s *Scheme) { s.Indicators[3].PerItem = 0 }, "indicators", "err.indicator_per_item", []any{4}},
		{"deduction with negative per item", func(s *Scheme) { s.Indicators[3].PerItem = -2 }, "indicators", "err.indicator_per_item", nil},
		{"deduction per item above its points", func(s *Scheme) { s.Indicators[3].PerItem = 11 }, "indicators", "err.indicator_per_item", nil},
		{"deduction per item NaN", func(s *Scheme) { s.Indicators[3].PerItem = math.NaN() }, "indicators", "err.indicator_per_item", nil},
		{"overdue needs per item too", func(s *Scheme) { s.Indicators[3].Source = FromOverdue; s.Indicators[3].PerItem = 0 }, "indicators", "err.indicator_per_item", nil},
		{"per item on a non-deducting source", func(s *Scheme) { s.Indicators[0].PerItem = 1 }, "indicators", "err.indicator_no_per_item", []any{1}},

		{"bands overlapping", bands(Band{"优秀", 90, 100}, Band{"良好", 80, 91}, Band{"较差", 0, 80}),
			"grades", "err.bands_overlap", []any{"良好", 91.0, "优秀", 90.0}},
		{"bands with a gap", bands(Band{"优秀", 90, 100}, Band{"良好", 80, 89}, Band{"较差", 0, 80}),
			"grades", "err.bands_gap", []any{"良好", 89.0, "优秀", 90.0}},
		{"band inside another", bands(Band{"A", 0, 100}, Band{"B", 50, 60}),
			"grades", "err.bands_overlap", []any{"A", 100.0, "B", 50.0}},
		{"top band not reaching 100", bands(Band{"优秀", 90, 99}, Band{"较差", 0, 90}),
			"grades", "err.bands_top", []any{"优秀", 99.0}},
		{"top band above 100", bands(Band{"优秀", 90, 101}, Band{"较差", 0, 90}),
			"grades", "err.bands_top", nil},
		{"bottom band not reaching 0", bands(Band{"优秀", 90, 100}, Band{"较差", 10, 90}),
			"grades", "err.bands_bottom", []any{"较差", 10.0}},
		{"bottom band below 0", bands(Band{"优秀", 90, 100}, Band{"较差", -10, 90}),
			"grades", "err.bands_bottom", nil},
		{"bands in any order are sorted", bands(Band{"较差", 0, 60}, Band{"优秀", 60, 100}), "", "", nil},
		{"one band", bands(Band{"全部", 0, 100}), "grades", "err.bands_size", nil},
		{"seven bands", bands(Band{"1", 90, 100}, Band{"2", 80, 90}, Band{"3", 70, 80}, Band{"4", 60, 70},
			Band{"5", 50, 60}, Band{"6", 40, 50}, Band{"7", 0, 40}), "grades", "err.bands_size", nil},
		{"duplicate labels", bands(Band{"好", 50, 100}, Band{" 好 ", 0, 50}), "grades", "err.band_label_twice", []any{"好"}},
		{"empty label", bands(Band{"好", 50, 100}, Band{"", 0, 50}), "grades", "err.grade_label", []any{2}},
		{"empty band", bands(Band{"好", 50, 100}, Band{"差", 50, 50}), "grades", "err.band_range", []any{"差"}},
		{"NaN bound", bands(Band{"好", math.NaN(), 100}, Band{"差", 0, 50}), "grades", "err.band_range", nil},
		{"missing default grade set", func(s *Scheme) { s.Grades[0].Kind = unit.Committee }, "grades", "err.grades_default", nil},
		{"no grade sets", func(s *Scheme) { s.Grades = nil }, "grades", "err.grades_default", nil},
		{"unknown kind", func(s *Scheme) {
			s.Grades = append(s.Grades, GradeSet{Kind: "army", Bands: DefaultGradeSet().Bands})
		}, "grades", "err.grades_kind", []any{"army"}},
		{"two sets for one kind", func(s *Scheme) {
			s.Grades = append(s.Grades, GradeSet{Kind: unit.Park, Bands: DefaultGradeSet().Bands}, GradeSet{Kind: unit.Park, Bands: DefaultGradeSet().Bands})
		}, "grades", "err.grades_kind_twice", []any{"park"}},
		{"two default sets", func(s *Scheme) { s.Grades = append(s.Grades, DefaultGradeSet()) }, "grades", "err.grades_default_twice", nil},
		{"a set per kind beside the default", func(s *Scheme) {
			s.Grades = append(s.Grades, GradeSet{Kind: unit.Department, Bands: []Band{{"合格", 60, 100}, {"不合格", 0, 60}}})
		}, "", "", nil},

		{"peer groups", func(s *Scheme) {
			s.PeerGroups = []PeerGroup{{Name: "县区", Units: []int64{1, 2}}, {Name: "部门", Units: []int64{3}}}
		}, "", "", nil},
		{"unit in two peer groups", func(s *Scheme) {
			s.PeerGroups = []PeerGroup{{Name: "县区", Units: []int64{1, 2}}, {Name: "部门", Units: []int64{3, 2}}}
		}, "peer_groups", "err.peer_group_unit_twice", []any{int64(2), "县区", "部门"}},
		{"peer group names twice", func(s *Scheme) {
			s.PeerGroups = []PeerGroup{{Name: "县区", Units: []int64{1}}, {Name: " 县区", Units: []int64{3}}}
		}, "peer_groups", "err.peer_group_twice", []any{"县区"}},
		{"peer group without a name", func(s *Scheme) { s.PeerGroups = []PeerGroup{{Units: []int64{1}}} },
			"peer_groups", "err.peer_group_name", []any{1}},
		{"peer group with a bad unit id", func(s *Scheme) { s.PeerGroups = []PeerGroup{{Name: "x", Units: []int64{0}}} },
			"peer_groups", "err.no_such_unit", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := DefaultScheme()
			tt.edit(&s)
			e := wantErr(t, s.Normalize(), tt.field, tt.key)
			for _, a := range tt.inArgs {
				if e == nil || !slices.Contains(e.Args, a) {
					t.Fatalf("error %v lacks argument %v", e, a)
				}
			}
		})
	}
}

func TestNormalizeTidies(t *testing.T) {
	s := DefaultScheme()
	s.Indicators[0].Name = "  民主测评 "
	s.Grades[0].Bands = []Band{{"较差", 0, 60}, {" 优秀", 90, 100}, {"一般", 60, 80}, {"良好", 80, 90}}
	s.PeerGroups = []PeerGroup{{Name: "县区", Units: []int64{1, 2, 1}}}
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	if s.Indicators[0].Name != "民主测评" {
		t.Errorf("name not trimmed: %q", s.Indicators[0].Name)
	}
	var got []string
	for _, b := range s.Grades[0].Bands {
		got = append(got, b.Grade)
	}
	if !slices.Equal(got, []string{"优秀", "良好", "一般", "较差"}) {
		t.Errorf("bands not sorted from the top: %v", got)
	}
	if !slices.Equal(s.PeerGroups[0].Units, []int64{1, 2}) {
		t.Errorf("a unit listed twice in its own group should be kept once: %v", s.PeerGroups[0].Units)
	}
}

func TestGradeEdges(t *testing.T) {
	g := DefaultGradeSet()
	tests := []struct {
		score float64
		want  string
	}{
		{100, "优秀"},
		{90, "优秀"},
		{90 - 1e-12, "优秀"}, // floating-point error below an edge is the edge
		{89.999, "良好"},
		{80, "良好"},
		{79.99, "一般"},
		{60, "一般"},
		{59.999, "较差"},
		{0, "较差"},
		{-3, "较差"},
		{104, "优秀"},
	}
	for _, tt := range tests {
		if got := g.Grade(tt.score); got != tt.want {
			t.Errorf("Grade(%v) = %s, want %s", tt.score, got, tt.want)
		}
	}
	if (GradeSet{}).Grade(50) != "" {
		t.Error("an empty set has no grade")
	}
}

// testScheme has one indicator of every source, adding up to 100.
func testScheme() Scheme {
	return Scheme{
		Indicators: []Indicator{
			{Key: "appraisal", Name: "民主测评", Points: 40, Source: FromAppraisal},
			{Key: "on_time", Name: "按时完成率", Points: 20, Source: FromOnTimeRate},
			{Key: "closed", Name: "销号率", Points: 15, Source: FromClosedShare},
			{Key: "red", Name: "红色督办", Points: 10, Source: FromRedUrges, PerItem: 2},
			{Key: "overdue", Name: "逾期", Points: 5, Source: FromOverdue, PerItem: 1},
			{Key: "party", Name: "党建任务", Points: 10, Source: FromManual},
		},
		Grades: []GradeSet{DefaultGradeSet()},
	}
}

// full is a unit with every figure: 34 + 18 + 12 + 8 + 3 + 9 = 84.
func full() Input {
	return Input{UnitID: 1, Kind: unit.Committee, Appraisal: f(85), Findings: 10, FindingsClosed: 8,
		OnTimeRate: f(90), RedUrges: 1, Overdue: 2, Manual: map[string]*float64{"party": f(9)}}
}

func TestCompute(t *testing.T) {
	if s := testScheme(); s.Normalize() != nil {
		t.Fatalf("test scheme refused: %v", s.Normalize())
	}
	tests := []struct {
		name    string
		edit    func(*Input)
		earned  []*float64 // per line; nil: not applicable
		total   float64
		grade   string
		noData  bool
		missing []string
	}{
		{"everything", func(*Input) {},
			[]*float64{f(34), f(18), f(12), f(8), f(3), f(9)}, 84, "良好", false, nil},
		{"no findings: rates not applicable, deductions full", func(in *Input) {
			in.Findings, in.FindingsClosed, in.OnTimeRate, in.RedUrges, in.Overdue = 0, 0, nil, 0, 0
		}, []*float64{f(34), nil, nil, f(10), f(5), f(9)}, 100 * 58.0 / 65, "良好", false, nil},
		{"no ballots or below the minimum: appraisal not applicable", func(in *Input) { in.Appraisal = nil },
			[]*float64{nil, f(18), f(12), f(8), f(3), f(9)}, 100 * 50.0 / 60, "良好", false, nil},
		{"findings but nothing due yet: on-time rate not applicable", func(in *Input) { in.OnTimeRate = nil },
			[]*float64{f(34), nil, f(12), f(8), f(3), f(9)}, 100 * 66.0 / 80, "良好", false, nil},
		{"deductions floored at 0", func(in *Input) { in.RedUrges, in.Overdue = 7, 9 },
			[]*float64{f(34), f(18), f(12), f(0), f(0), f(9)}, 73, "一般", false, nil},
		{"deductions exactly to 0", func(in *Input) { in.RedUrges, in.Overdue = 5, 5 },
			[]*float64{f(34), f(18), f(12), f(0), f(0), f(9)}, 73, "一般", false, nil},
		{"manual score missing", func(in *Input) { in.Manual = nil },
			[]*float64{f(34), f(18), f(12), f(8), f(3), nil}, 100 * 75.0 / 90, "良好", false, []string{"party"}},
		{"manual score entered as nil is missing", func(in *Input) { in.Manual = map[string]*float64{"party": nil} },
			[]*float64{f(34), f(18), f(12), f(8), f(3), nil}, 100 * 75.0 / 90, "良好", false, []string{"party"}},
		{"manual score of 0 counts", func(in *Input) { in.Manual["party"] = f(0) },
			[]*float64{f(34), f(18), f(12), f(8), f(3), f(0)}, 75, "一般", false, nil},
		{"figures out of range are clamped", func(in *Input) {
			in.Appraisal, in.OnTimeRate, in.FindingsClosed, in.Manual["party"] = f(120), f(-5), 12, f(11)
		}, []*float64{f(40), f(0), f(15), f(8), f(3), f(10)}, 76, "一般", false, nil},
		{"not a number is no data", func(in *Input) { in.Appraisal, in.Manual["party"] = f(math.NaN()), f(math.Inf(1)) },
			[]*float64{nil, f(18), f(12), f(8), f(3), nil}, 100 * 41.0 / 50, "良好", false, []string{"party"}},
		{"all perfect", func(in *Input) {
			in.Appraisal, in.OnTimeRate, in.FindingsClosed, in.RedUrges, in.Overdue, in.Manual["party"] = f(100), f(100), 10, 0, 0, f(10)
		}, []*float64{f(40), f(20), f(15), f(10), f(5), f(10)}, 100, "优秀", false, nil},
		{"all zero", func(in *Input) {
			in.Appraisal, in.OnTimeRate, in.FindingsClosed, in.RedUrges, in.Overdue, in.Manual["party"] = f(0), f(0), 0, 5, 5, f(0)
		}, []*float64{f(0), f(0), f(0), f(0), f(0), f(0)}, 0, "较差", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := full()
			tt.edit(&in)
			r := Compute(testScheme(), []Input{in})[0]
			if r.UnitID != 1 || r.Kind != unit.Committee || len(r.Lines) != len(tt.earned) {
				t.Fatalf("result %+v", r)
			}
			for i, l := range r.Lines {
				switch w := tt.earned[i]; {
				case w == nil && l.Earned != nil:
					t.Errorf("%s earned %v, want not applicable", l.Key, *l.Earned)
				case w != nil && (l.Earned == nil || !near(*l.Earned, *w)):
					t.Errorf("%s earned %v, want %v", l.Key, l.Earned, *w)
				}
			}
			if !near(r.Total, tt.total) || r.Grade != tt.grade || r.NoData != tt.noData || !slices.Equal(r.Missing, tt.missing) {
				t.Fatalf("total %v grade %s noData %v missing %v, want %v %s %v %v",
					r.Total, r.Grade, r.NoData, r.Missing, tt.total, tt.grade, tt.noData, tt.missing)
			}
		})
	}
}

func TestComputeExplains(t *testing.T) {
	r := Compute(testScheme(), []Input{full()})[0]
	l := r.Lines[2] // closed share: 8 of 10
	if l.Count != 8 || l.Of != 10 || l.Value == nil || *l.Value != 80 || l.Points != 15 || l.Name != "销号率" {
		t.Errorf("closed share line %+v", l)
	}
	if l := r.Lines[3]; l.Count != 1 || l.Value != nil {
		t.Errorf("red urges line %+v", l)
	}
	if l := r.Lines[0]; l.Value == nil || *l.Value != 85 || l.Source != FromAppraisal {
		t.Errorf("appraisal line %+v", l)
	}
}

func TestComputeNoData(t *testing.T) {
	s := Scheme{
		Indicators: []Indicator{
			{Key: "appraisal", Name: "测评", Points: 50, Source: FromAppraisal},
			{Key: "on_time", Name: "按时", Points: 10, Source: FromOnTimeRate},
			{Key: "closed", Name: "销号", Points: 20, Source: FromClosedShare},
			{Key: "party", Name: "党建", Points: 20, Source: FromManual},
		},
		Grades:     []GradeSet{DefaultGradeSet()},
		PeerGroups: []PeerGroup{{Name: "县区", Units: []int64{1, 2}}},
	}
	rs := Compute(s, []Input{
		{UnitID: 1, Kind: unit.Committee, Adjustment: Adjustment{Points: 5, Reason: "x"}},
		{UnitID: 2, Kind: unit.Committee, Appraisal: f(70)},
	})
	r := rs[0]
	if !r.NoData || r.Total != 0 || r.Grade != "" || r.Rank != 0 || !slices.Equal(r.Missing, []string{"party"}) {
		t.Fatalf("all indicators missing: %+v", r)
	}
	for _, l := range r.Lines {
		if l.Earned != nil {
			t.Errorf("line %s earned %v", l.Key, *l.Earned)
		}
	}
	if rs[1].Rank != 1 || rs[1].Total != 70 {
		t.Errorf("the other unit of the group: %+v", rs[1])
	}
}

// manualScheme scores units by one manual indicator, so totals are set directly.
func manualScheme(groups ...PeerGroup) Scheme {
	return Scheme{
		Indicators: []Indicator{{Key: "m", Name: "M", Points: 100, Source: FromManual}},
		Grades:     []GradeSet{DefaultGradeSet()},
		PeerGroups: groups,
	}
}

func scored(id int64, score float64) Input {
	return Input{UnitID: id, Kind: unit.Committee, Manual: map[string]*float64{"m": f(score)}}
}

func TestRank(t *testing.T) {
	s := manualScheme(
		PeerGroup{Name: "县区", Units: []int64{1, 2, 3, 4, 8}},
		PeerGroup{Name: "部门", Units: []int64{5, 6, 9}},
	)
	adjusted := scored(9, 70)
	adjusted.Adjustment = Adjustment{Points: 10, Reason: "重大贡献"}
	ins := []Input{
		scored(1, 80), scored(2, 90), scored(3, 80), scored(4, 70),
		scored(5, 75), scored(6, 75),
		scored(7, 99),                     // in no group
		{UnitID: 8, Kind: unit.Committee}, // no data
		adjusted,                          // 80 once adjusted: ahead of the 75s
	}
	want := map[int64]struct {
		group string
		rank  int
	}{
		1: {"县区", 2}, 2: {"县区", 1}, 3: {"县区", 2}, 4: {"县区", 4}, 8: {"县区", 0},
		5: {"部门", 2}, 6: {"部门", 2}, 9: {"部门", 1},
		7: {"", 1}, // ranked with the units outside any group: itself
	}
	rs := Compute(s, ins)
	for i, r := range rs {
		if r.UnitID != ins[i].UnitID {
			t.Fatalf("results out of order: %d at %d", r.UnitID, i)
		}
		w := want[r.UnitID]
		if r.PeerGroup != w.group || r.Rank != w.rank {
			t.Errorf("unit %d: group %q rank %d, want %q %d", r.UnitID, r.PeerGroup, r.Rank, w.group, w.rank)
		}
	}
}

func TestRankTies(t *testing.T) {
	// 0.1 + 0.2 is 0.30000000000000004: equal scores through different
	// sums must still share a rank.
	s := Scheme{
		Indicators: []Indicator{
			{Key: "a", Name: "A", Points: 50, Source: FromManual},
			{Key: "b", Name: "B", Points: 50, Source: FromManual},
		},
		Grades:     []GradeSet{DefaultGradeSet()},
		PeerGroups: []PeerGroup{{Name: "g", Units: []int64{1, 2, 3}}},
	}
	in := func(id int64, a, b float64) Input {
		return Input{UnitID: id, Manual: map[string]*float64{"a": f(a), "b": f(b)}}
	}
	rs := Compute(s, []Input{in(1, 0.1, 0.2), in(2, 0.3, 0), in(3, 0, 0.1)})
	if rs[0].Total == rs[1].Total {
		t.Fatal("the test needs totals that differ by floating-point error")
	}
	if rs[0].Rank != 1 || rs[1].Rank != 1 || rs[2].Rank != 3 {
		t.Errorf("ranks %d %d %d, want 1 1 3", rs[0].Rank, rs[1].Rank, rs[2].Rank)
	}
}

func TestGradePerKind(t *testing.T) {
	s := manualScheme()
	s.Grades = append(s.Grades, GradeSet{Kind: unit.Committee, Bands: []Band{{"A", 95, 100}, {"B", 85, 95}, {"C", 0, 85}}})
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind  unit.Kind
		score float64
		want  string
	}{
		{unit.Committee, 90, "B"},
		{unit.Committee, 95, "A"},
		{unit.Committee, 84, "C"},
		{unit.Department, 90, "优秀"}, // no set of its own: the default
		{unit.Park, 84, "良好"},
		{"", 59, "较差"},
	}
	for _, tt := range tests {
		in := scored(1, tt.score)
		in.Kind = tt.kind
		if got := Compute(s, []Input{in})[0].Grade; got != tt.want {
			t.Errorf("%s at %v: %s, want %s", tt.kind, tt.score, got, tt.want)
		}
	}
}

func TestComputedEdges(t *testing.T) {
	// 36 + 54 = 90 from two shares: a computed 90 is Excellent.
	s := Scheme{
		Indicators: []Indicator{
			{Key: "appraisal", Name: "测评", Points: 40, Source: FromAppraisal},
			{Key: "closed", Name: "销号", Points: 60, Source: FromClosedShare},
		},
		Grades: []GradeSet{DefaultGradeSet()},
	}
	r := Compute(s, []Input{{UnitID: 1, Appraisal: f(90), Findings: 10, FindingsClosed: 9}})[0]
	if !near(r.Total, 90) || r.Grade != "优秀" {
		t.Errorf("computed 90: %v %s", r.Total, r.Grade)
	}
	for _, tt := range []struct {
		score float64
		want  string
	}{{100, "优秀"}, {90, "优秀"}, {89.999, "良好"}, {0, "较差"}} {
		if got := Compute(manualScheme(), []Input{scored(1, tt.score)})[0].Grade; got != tt.want {
			t.Errorf("%v: %s, want %s", tt.score, got, tt.want)
		}
	}
}

func TestAdjustmentNormalize(t *testing.T) {
	tests := []struct {
		name  string
		a     Adjustment
		field string
		key   string
	}{
		{"none", Adjustment{}, "", ""},
		{"with a reason", Adjustment{Points: 5, Reason: "抗洪救灾表现突出"}, "", ""},
		{"down with a reason", Adjustment{Points: -100, Reason: "发生重大责任事故"}, "", ""},
		{"without a reason", Adjustment{Points: 5}, "reason", "err.adjustment_reason"},
		{"with a blank reason", Adjustment{Points: -2, Reason: "  "}, "reason", "err.adjustment_reason"},
		{"reason too long", Adjustment{Points: 1, Reason: strings.Repeat("理", MaxReasonLen+1)}, "reason", "err.too_long"},
		{"reason at the limit", Adjustment{Points: 1, Reason: strings.Repeat("理", MaxReasonLen)}, "", ""},
		{"above 100", Adjustment{Points: 100.5, Reason: "x"}, "adjustment", "err.adjustment_range"},
		{"below -100", Adjustment{Points: -101, Reason: "x"}, "adjustment", "err.adjustment_range"},
		{"not a number", Adjustment{Points: math.NaN(), Reason: "x"}, "adjustment", "err.adjustment_range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			wantErr(t, a.Normalize(), tt.field, tt.key)
		})
	}
}

func TestAdjustedFinal(t *testing.T) {
	tests := []struct {
		name  string
		total float64
		adj   float64
		final float64
		grade string
	}{
		{"none", 84, 0, 84, "良好"},
		{"up into the next grade", 85, 5, 90, "优秀"},
		{"down out of a grade", 92, -3, 89, "良好"},
		{"clamped at 100", 95, 10, 100, "优秀"},
		{"clamped at 0", 5, -10, 0, "较差"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := scored(1, tt.total)
			in.Adjustment = Adjustment{Points: tt.adj, Reason: "理由"}
			r := Compute(manualScheme(), []Input{in})[0]
			if r.Total != tt.total || r.Final() != tt.final || r.Grade != tt.grade || r.Adjustment != tt.adj || r.Reason != "理由" {
				t.Errorf("total %v final %v grade %s, want %v %v %s", r.Total, r.Final(), r.Grade, tt.total, tt.final, tt.grade)
			}
		})
	}
}

func TestCheckManual(t *testing.T) {
	s := testScheme()
	tests := []struct {
		key   string
		score float64
		err   string
	}{
		{"party", 7.5, ""},
		{"party", 0, ""},
		{"party", 10, ""},
		{"party", 10.01, "err.manual_range"},
		{"party", -1, "err.manual_range"},
		{"party", math.NaN(), "err.manual_range"},
		{"appraisal", 5, "err.manual_unknown"}, // computed, not entered
		{"nope", 5, "err.manual_unknown"},
	}
	for _, tt := range tests {
		field := "manual"
		if tt.err == "" {
			field = ""
		}
		wantErr(t, s.CheckManual(tt.key, tt.score), field, tt.err)
	}
}

func TestUseStats(t *testing.T) {
	st := rectification.Stats{Total: 5, Closed: 3, ClosedOnTime: 2, Overdue: 1}
	st.Finish()
	var in Input
	in.UseStats(st)
	if in.OnTimeRate == nil || *in.OnTimeRate != 50 || in.Overdue != 1 {
		t.Fatalf("input %+v", in)
	}
	in.UseStats(rectification.Stats{})
	if in.OnTimeRate != nil || in.Overdue != 0 {
		t.Fatalf("no item due should leave no rate: %+v", in)
	}
}

func TestRound2(t *testing.T) {
	for _, tt := range []struct{ x, want float64 }{{83.33333, 83.33}, {89.996, 90}, {0, 0}, {100, 100}, {66.665001, 66.67}} {
		if got := Round2(tt.x); got != tt.want {
			t.Errorf("Round2(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
}
