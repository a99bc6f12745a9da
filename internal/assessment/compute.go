package assessment

import (
	"math"
	"sort"

	"zeren/internal/rectification"
	"zeren/internal/unit"
)

// Input is what the system knows of one unit at the end of a cycle: facts
// entered once elsewhere and reused here, plus the organizer's manual
// scores and adjustment.
type Input struct {
	UnitID int64     `json:"unit_id"`
	Kind   unit.Kind `json:"kind"`
	// Appraisal is the weighted appraisal score, 0–100; nil when none is
	// shown (no valid ballots, or fewer than the minimum).
	Appraisal      *float64 `json:"appraisal"`
	Findings       int      `json:"findings"`        // findings the unit owns in the cycle
	FindingsClosed int      `json:"findings_closed"` // of them, those whose every item is closed
	// OnTimeRate is the on-time closure rate in percent, as
	// rectification.Stats computes it; nil when no item was due.
	OnTimeRate *float64            `json:"on_time_rate"`
	RedUrges   int                 `json:"red_urges"` // red urge notices received
	Overdue    int                 `json:"overdue"`   // items open past their deadline
	Manual     map[string]*float64 `json:"manual"`    // indicator key → score entered; nil: not yet
	Adjustment Adjustment          `json:"adjustment"`
}

// UseStats takes the on-time closure rate and the overdue count from a
// unit's rectification figures (Finish must have been called on them).
func (in *Input) UseStats(st rectification.Stats) {
	in.OnTimeRate = nil
	if st.OnTimeRate != nil {
		r := *st.OnTimeRate
		in.OnTimeRate = &r
	}
	in.Overdue = st.Overdue
}

// Line is a unit's result on one indicator, with the figure it came from
// so that a page can explain it.
type Line struct {
	Key    string   `json:"key"`
	Name   string   `json:"name"`
	Source Source   `json:"source"`
	Points float64  `json:"points"` // the most it can earn
	Earned *float64 `json:"earned"` // nil: not applicable
	// Value is the appraisal score, the on-time rate or closed share in
	// percent, or the manual score; nil for deductions or without data.
	Value *float64 `json:"value,omitempty"`
	Count int      `json:"count,omitempty"` // red urge notices, overdue items, or findings closed
	Of    int      `json:"of,omitempty"`    // findings, for the closed share
}

// Result is a unit's assessment.
type Result struct {
	UnitID     int64     `json:"unit_id"`
	Kind       unit.Kind `json:"kind"`
	Lines      []Line    `json:"lines"`
	Total      float64   `json:"total"`             // 0–100, rescaled over the applicable indicators
	NoData     bool      `json:"no_data"`           // no indicator applicable: no grade, no rank
	Missing    []string  `json:"missing,omitempty"` // keys of manual indicators not entered yet
	Adjustment float64   `json:"adjustment"`
	Reason     string    `json:"reason,omitempty"`
	Grade      string    `json:"grade"` // of the final score; "" with NoData
	PeerGroup  string    `json:"peer_group,omitempty"`
	Rank       int       `json:"rank"` // within the peer group (units outside any are ranked together), from 1; 0 without data
}

// Final is the total plus the adjustment, kept within 0–100.
func (r Result) Final() float64 { return clamp(r.Total+r.Adjustment, 0, FullScore) }

// Compute assesses the units, in the order given, against a checked
// scheme: the lines, the total, the grade for each unit's kind and the rank
// within its peer group. Inputs are trusted to be checked (manual scores
// and adjustments); figures out of range are clamped rather than refused.
func Compute(s Scheme, ins []Input) []Result {
	group := map[int64]string{}
	for _, g := range s.PeerGroups {
		for _, id := range g.Units {
			if _, ok := group[id]; !ok {
				group[id] = g.Name
			}
		}
	}
	out := make([]Result, len(ins))
	for i, x := range ins {
		r := score(s, x)
		r.PeerGroup = group[x.UnitID]
		out[i] = r
	}
	rank(out)
	return out
}

func score(s Scheme, x Input) Result {
	r := Result{UnitID: x.UnitID, Kind: x.Kind, Adjustment: x.Adjustment.Points, Reason: x.Adjustment.Reason}
	var earned, most float64
	for _, in := range s.Indicators {
		l := line(in, x)
		if l.Earned != nil {
			earned += *l.Earned
			most += l.Points
		} else if in.Source == FromManual {
			r.Missing = append(r.Missing, in.Key)
		}
		r.Lines = append(r.Lines, l)
	}
	if most <= 0 {
		r.NoData = true
		return r
	}
	r.Total = clamp(FullScore*earned/most, 0, FullScore)
	r.Grade = s.Grade(x.Kind, r.Final())
	return r
}

// line scores one indicator; see the package comment for the rules.
func line(in Indicator, x Input) Line {
	l := Line{Key: in.Key, Name: in.Name, Source: in.Source, Points: in.Points}
	switch in.Source {
	case FromAppraisal:
		l.share(x.Appraisal)
	case FromOnTimeRate:
		l.share(x.OnTimeRate)
	case FromClosedShare:
		if x.Findings > 0 {
			l.Count, l.Of = min(max(x.FindingsClosed, 0), x.Findings), x.Findings
			pct := FullScore * float64(l.Count) / float64(l.Of)
			l.share(&pct)
		}
	case FromRedUrges:
		l.deduct(in.PerItem, x.RedUrges)
	case FromOverdue:
		l.deduct(in.PerItem, x.Overdue)
	case FromManual:
		if v := x.Manual[in.Key]; finite(v) {
			e := clamp(*v, 0, in.Points)
			l.Value, l.Earned = &e, &e
		}
	}
	return l
}

// share earns the line's points times a percentage, if there is one.
func (l *Line) share(pct *float64) {
	if !finite(pct) {
		return
	}
	v := clamp(*pct, 0, FullScore)
	e := l.Points * v / FullScore
	l.Value, l.Earned = &v, &e
}

// deduct takes perItem off the line's points per item, down to 0.
func (l *Line) deduct(perItem float64, items int) {
	l.Count = max(items, 0)
	e := max(l.Points-perItem*float64(l.Count), 0)
	l.Earned = &e
}

// rank numbers the graded results of each peer group from the best final
// score; equal scores share a rank and the next rank skips (1, 1, 3).
// Units outside any group are ranked together, so that a scheme without
// peer groups ranks every unit; units without data have no rank.
func rank(rs []Result) {
	groups := map[string][]int{}
	for i, r := range rs {
		if !r.NoData {
			groups[r.PeerGroup] = append(groups[r.PeerGroup], i)
		}
	}
	for _, idx := range groups {
		sort.SliceStable(idx, func(x, y int) bool { return rs[idx[x]].Final() > rs[idx[y]].Final() })
		for n, i := range idx {
			if n > 0 && math.Abs(rs[i].Final()-rs[idx[n-1]].Final()) <= epsilon {
				rs[i].Rank = rs[idx[n-1]].Rank
			} else {
				rs[i].Rank = n + 1
			}
		}
	}
}

// Round2 rounds a score to 2 decimals, for display and export only: sums
// and grades use full precision.
func Round2(x float64) float64 { return math.Round(x*100) / 100 }

func clamp(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }

func finite(p *float64) bool { return p != nil && !math.IsNaN(*p) && !math.IsInf(*p, 0) }
