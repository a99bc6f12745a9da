// Package assessment holds the rules of the assessment (考核) that ends a
// cycle with a score, a grade and a rank per unit (DESIGN.md section 1
// step 7 and section 4): the scheme of indicators, grade bands and peer
// groups an organizer sets per cycle, and how a unit's score is computed
// from facts the system already holds. It does no I/O.
//
// Each indicator has a maximum number of points; the points of a scheme add
// up to 100. An indicator earns points from its source:
//
//   - appraisal: Points × the unit's weighted appraisal score / 100;
//   - on_time_rate: Points × the on-time closure rate (percent) / 100;
//   - closed_share: Points × findings closed / findings;
//   - red_urges, overdue: Points − PerItem × the number of red urge notices
//     or overdue items, never below 0;
//   - manual: the score the organizer enters, 0 to Points.
//
// An indicator without data is not applicable, and the total is rescaled
// over the applicable ones: Total = 100 × Σ earned / Σ points of the
// applicable indicators. This is the rule the appraisal applies to a rater
// group without ballots: a missing figure neither rewards nor punishes a
// unit. An indicator is not applicable when
//
//   - appraisal: the unit has no appraisal score (no valid ballots, or fewer
//     than the minimum, so the score is hidden);
//   - on_time_rate: no rectification item was due yet (the rate is nil; a
//     unit without findings has none);
//   - closed_share: the unit has no findings: nothing to rectify;
//   - manual: the organizer has not entered the score yet; its key is listed
//     in Result.Missing so the organizer sees what is left to enter.
//
// Deductions are always applicable: no red urge notice, or no overdue item,
// earns full points, whether or not the unit had findings, because a clean
// record is exactly what such an indicator rewards.
//
// A unit with no applicable indicator has NoData set, a total of 0, no grade
// and no rank: a score made of nothing would only mislead.
//
// An organizer may adjust a unit's score, with a reason; the final score is
// the total plus the adjustment, kept within 0–100, and the grade and the
// rank are those of the final score. Scores keep full precision; Round2 is
// for display and export only.
package assessment

import (
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// Source is where an indicator's points come from.
type Source string

// The sources.
const (
	FromAppraisal   Source = "appraisal"    // the appraisal's weighted score
	FromOnTimeRate  Source = "on_time_rate" // rectification items closed on time
	FromClosedShare Source = "closed_share" // findings closed over findings
	FromRedUrges    Source = "red_urges"    // points off per red urge notice
	FromOverdue     Source = "overdue"      // points off per overdue item
	FromManual      Source = "manual"       // entered by the organizer
)

// Sources lists every source in display order.
var Sources = []Source{FromAppraisal, FromOnTimeRate, FromClosedShare, FromRedUrges, FromOverdue, FromManual}

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	for _, x := range Sources {
		if s == x {
			return true
		}
	}
	return false
}

// Deducts reports whether the source takes points off per item instead of
// earning a share of them.
func (s Source) Deducts() bool { return s == FromRedUrges || s == FromOverdue }

// Limits of a scheme.
const (
	MaxIndicators = 20
	MaxKeyLen     = 40
	MaxNameLen    = 100
	MaxRuleLen    = 1000
	MaxLabelLen   = 40
	MaxPeerGroups = 50
	MinBands      = 2
	MaxBands      = 6
	MaxReasonLen  = 500
)

// FullScore is what the points of a scheme add up to and the top of every
// grade set.
const FullScore = 100

// epsilon absorbs floating-point error: points typed as 33.3 + 33.3 + 33.4
// add up to 99.99999999999999, and a true 90 may be computed a hair below.
const epsilon = 1e-9

// keyPattern keeps keys short and stable enough to name an indicator in
// stored manual scores and in exports.
var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Indicator is one line of the scheme.
type Indicator struct {
	Key     string  `json:"key"` // stable short id, e.g. "party_building"
	Name    string  `json:"name"`
	Points  float64 `json:"points"` // the most it can earn
	Source  Source  `json:"source"`
	PerItem float64 `json:"per_item"` // points off per item, for deducting sources only
	Rule    string  `json:"rule"`     // the scoring rule in words, shown next to it
}

// Scheme is how a cycle's units are assessed.
type Scheme struct {
	Indicators []Indicator `json:"indicators"`
	Grades     []GradeSet  `json:"grades"`
	PeerGroups []PeerGroup `json:"peer_groups"`
}

// Normalize trims the scheme and checks it, naming the first bad field.
// It also sorts every grade set's bands from the top down.
func (s *Scheme) Normalize() error {
	if err := normalizeIndicators(s.Indicators); err != nil {
		return err
	}
	if err := normalizeGrades(s.Grades); err != nil {
		return err
	}
	return normalizePeerGroups(s.PeerGroups)
}

func normalizeIndicators(ins []Indicator) error {
	switch {
	case len(ins) == 0:
		return apperr.Field("indicators", "err.required")
	case len(ins) > MaxIndicators:
		return apperr.Field("indicators", "err.too_many", MaxIndicators)
	}
	seen := map[string]bool{}
	sum := 0.0
	for i := range ins {
		in := &ins[i]
		if err := in.normalize(i + 1); err != nil {
			return err
		}
		if seen[in.Key] {
			return apperr.Field("indicators", "err.indicator_key_twice", in.Key)
		}
		seen[in.Key] = true
		sum += in.Points
	}
	if math.Abs(sum-FullScore) > epsilon {
		return apperr.Field("indicators", "err.points_sum", sum)
	}
	return nil
}

// normalize checks one indicator; n is its position from 1, for messages.
func (in *Indicator) normalize(n int) error {
	in.Key = strings.TrimSpace(in.Key)
	in.Name = strings.TrimSpace(in.Name)
	in.Rule = strings.TrimSpace(in.Rule)
	if len(in.Key) > MaxKeyLen || !keyPattern.MatchString(in.Key) {
		return apperr.Field("indicators", "err.indicator_key", n, MaxKeyLen)
	}
	switch l := utf8.RuneCountInString(in.Name); {
	case l == 0:
		return apperr.Field("indicators", "err.indicator_name", n)
	case l > MaxNameLen:
		return apperr.Field("indicators", "err.indicator_name_long", n, MaxNameLen)
	}
	if utf8.RuneCountInString(in.Rule) > MaxRuleLen {
		return apperr.Field("indicators", "err.indicator_rule_long", n, MaxRuleLen)
	}
	if !in.Source.Valid() {
		return apperr.Field("indicators", "err.indicator_source", n, string(in.Source))
	}
	if !(in.Points > 0) || math.IsInf(in.Points, 0) {
		return apperr.Field("indicators", "err.indicator_points", n)
	}
	if !in.Source.Deducts() {
		if in.PerItem != 0 {
			return apperr.Field("indicators", "err.indicator_no_per_item", n)
		}
		return nil
	}
	// More than the indicator's points per item would be the same as its
	// points, so it is refused as a likely typing mistake.
	if !(in.PerItem > 0) || in.PerItem > in.Points {
		return apperr.Field("indicators", "err.indicator_per_item", n, in.Points)
	}
	return nil
}

// Indicator returns the indicator with the key, if the scheme has it.
func (s Scheme) Indicator(key string) (Indicator, bool) {
	for _, in := range s.Indicators {
		if in.Key == key {
			return in, true
		}
	}
	return Indicator{}, false
}

// CheckManual checks a score the organizer enters for a manual indicator.
func (s Scheme) CheckManual(key string, score float64) error {
	in, ok := s.Indicator(key)
	if !ok || in.Source != FromManual {
		return apperr.Field("manual", "err.manual_unknown", key)
	}
	if !(score >= 0 && score <= in.Points) {
		return apperr.Field("manual", "err.manual_range", in.Name, in.Points)
	}
	return nil
}

// DefaultScheme is the seed of a new cycle's assessment. Names, rules and
// grade labels are stored text the organizer edits, so they are written in
// Chinese, the default language, rather than as catalog keys.
func DefaultScheme() Scheme {
	return Scheme{
		Indicators: []Indicator{
			{Key: "appraisal", Name: "民主测评", Points: 40, Source: FromAppraisal,
				Rule: "按民主测评加权得分折算：本项分值 × 测评得分 ÷ 100。有效票数不足最低票数的，本项不计。"},
			{Key: "on_time_rate", Name: "整改按时完成率", Points: 20, Source: FromOnTimeRate,
				Rule: "本项分值 × 按时销号率。尚无到期整改事项的，本项不计。"},
			{Key: "closed_share", Name: "问题整改销号率", Points: 15, Source: FromClosedShare,
				Rule: "本项分值 × 已销号问题数 ÷ 问题总数。无问题的，本项不计。"},
			{Key: "red_urges", Name: "红色督办", Points: 10, Source: FromRedUrges, PerItem: 2,
				Rule: "每收到一次红色督办扣 2 分，扣完为止。"},
			{Key: "party_building", Name: "党建重点任务", Points: 15, Source: FromManual,
				Rule: "由组织部门按党建重点任务完成情况评定，0 分至本项分值。"},
		},
		Grades: []GradeSet{DefaultGradeSet()},
	}
}

// PeerGroup is a set of comparable units ranked against one another, e.g.
// the counties and districts, or the municipal departments.
type PeerGroup struct {
	Name  string  `json:"name"`
	Units []int64 `json:"units"`
}

func normalizePeerGroups(gs []PeerGroup) error {
	if len(gs) > MaxPeerGroups {
		return apperr.Field("peer_groups", "err.too_many", MaxPeerGroups)
	}
	names := map[string]bool{}
	owner := map[int64]string{}
	for i := range gs {
		g := &gs[i]
		g.Name = strings.TrimSpace(g.Name)
		switch n := utf8.RuneCountInString(g.Name); {
		case n == 0:
			return apperr.Field("peer_groups", "err.peer_group_name", i+1)
		case n > MaxLabelLen:
			return apperr.Field("peer_groups", "err.too_long", MaxLabelLen)
		case names[g.Name]:
			return apperr.Field("peer_groups", "err.peer_group_twice", g.Name)
		}
		names[g.Name] = true
		units := g.Units[:0]
		for _, id := range g.Units {
			if id <= 0 {
				return apperr.Field("peer_groups", "err.no_such_unit", id)
			}
			if other, ok := owner[id]; ok {
				if other == g.Name {
					continue // listed twice in the same group: harmless, dropped
				}
				return apperr.Field("peer_groups", "err.peer_group_unit_twice", id, other, g.Name)
			}
			owner[id] = g.Name
			units = append(units, id)
		}
		g.Units = units
	}
	return nil
}
