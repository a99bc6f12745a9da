package assessment

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/unit"
)

// Band is one grade: the scores from Min up to, but not including, Max.
// The top band of a set also holds Max itself (100).
type Band struct {
	Grade string  `json:"grade"` // label shown, e.g. 优秀
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
}

// GradeSet is the grade bands for units of one kind. Kind "" is the default
// set, used for every kind without a set of its own.
type GradeSet struct {
	Kind  unit.Kind `json:"kind"`
	Bands []Band    `json:"bands"`
}

// DefaultGradeSet is Excellent ≥ 90, Good 80–90, Fair 60–80, Poor < 60,
// labelled in Chinese as stored text the organizer may edit.
func DefaultGradeSet() GradeSet {
	return GradeSet{Bands: []Band{
		{Grade: "优秀", Min: 90, Max: 100},
		{Grade: "良好", Min: 80, Max: 90},
		{Grade: "一般", Min: 60, Max: 80},
		{Grade: "较差", Min: 0, Max: 60},
	}}
}

func normalizeGrades(sets []GradeSet) error {
	seen := map[unit.Kind]bool{}
	for i := range sets {
		k := sets[i].Kind
		switch {
		case k != "" && !k.Valid():
			return apperr.Field("grades", "err.grades_kind", string(k))
		case seen[k] && k == "":
			return apperr.Field("grades", "err.grades_default_twice")
		case seen[k]:
			return apperr.Field("grades", "err.grades_kind_twice", string(k))
		}
		seen[k] = true
		if err := sets[i].normalize(); err != nil {
			return err
		}
	}
	if !seen[""] {
		return apperr.Field("grades", "err.grades_default")
	}
	return nil
}

// normalize checks that the bands tile [0, 100] exactly, so that every
// score has one grade, and sorts them from the top down.
func (g *GradeSet) normalize() error {
	bs := g.Bands
	if len(bs) < MinBands || len(bs) > MaxBands {
		return apperr.Field("grades", "err.bands_size", MinBands, MaxBands)
	}
	labels := map[string]bool{}
	for i := range bs {
		b := &bs[i]
		b.Grade = strings.TrimSpace(b.Grade)
		switch n := utf8.RuneCountInString(b.Grade); {
		case n == 0:
			return apperr.Field("grades", "err.grade_label", i+1)
		case n > MaxLabelLen:
			return apperr.Field("grades", "err.too_long", MaxLabelLen)
		case labels[b.Grade]:
			return apperr.Field("grades", "err.band_label_twice", b.Grade)
		}
		labels[b.Grade] = true
		if math.IsNaN(b.Min) || math.IsInf(b.Min, 0) || math.IsInf(b.Max, 0) || !(b.Min < b.Max) {
			return apperr.Field("grades", "err.band_range", b.Grade)
		}
	}
	sort.SliceStable(bs, func(x, y int) bool { return bs[x].Min > bs[y].Min })
	// Neighbours first: a band sorted to the wrong place is an overlap, which
	// says more than "the top band does not reach 100".
	for i := 0; i+1 < len(bs); i++ {
		hi, lo := bs[i], bs[i+1]
		switch {
		case lo.Max < hi.Min:
			return apperr.Field("grades", "err.bands_gap", lo.Grade, lo.Max, hi.Grade, hi.Min)
		case lo.Max > hi.Min:
			return apperr.Field("grades", "err.bands_overlap", lo.Grade, lo.Max, hi.Grade, hi.Min)
		}
	}
	if top := bs[0]; top.Max != FullScore {
		return apperr.Field("grades", "err.bands_top", top.Grade, top.Max)
	}
	if bottom := bs[len(bs)-1]; bottom.Min != 0 {
		return apperr.Field("grades", "err.bands_bottom", bottom.Grade, bottom.Min)
	}
	return nil
}

// Grade returns the label of the band holding score: the band with the
// highest Min at or below it. A score a hair below an edge through
// floating-point error (within 1e-9) counts as on the edge; a score below
// every band gets the bottom one. It does not rely on the bands' order.
func (g GradeSet) Grade(score float64) string {
	best, bottom := -1, -1
	for i, b := range g.Bands {
		if score >= b.Min-epsilon && (best < 0 || b.Min > g.Bands[best].Min) {
			best = i
		}
		if bottom < 0 || b.Min < g.Bands[bottom].Min {
			bottom = i
		}
	}
	if best < 0 {
		best = bottom
	}
	if best < 0 {
		return ""
	}
	return g.Bands[best].Grade
}

// GradeSet returns the grade set for a unit kind: its own, or the default.
func (s Scheme) GradeSet(kind unit.Kind) GradeSet {
	var def GradeSet
	for _, g := range s.Grades {
		if g.Kind == kind && kind != "" {
			return g
		}
		if g.Kind == "" {
			def = g
		}
	}
	return def
}

// Grade returns the grade of a score for a unit of the given kind.
func (s Scheme) Grade(kind unit.Kind, score float64) string {
	return s.GradeSet(kind).Grade(score)
}
