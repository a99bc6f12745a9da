package appraisal

import (
	"math"
	"sort"
)

// Tally counts the ballots of one report from one rater group with one
// grade; AreaID is non-zero for the grades of an area.
type Tally struct {
	ReportID int64
	GroupID  int64
	AreaID   int64
	Grade    int
	Count    int
}

// GroupResult is one rater group's part of a report's result.
type GroupResult struct {
	Group RaterGroup `json:"group"`
	Valid int        `json:"valid"`
	Mean  *float64   `json:"mean"` // nil without valid ballots
}

// AreaResult is a report's weighted score in one area.
type AreaResult struct {
	AreaID int64    `json:"area_id"`
	Score  *float64 `json:"score"`
}

// Result is a report's appraisal result. When fewer valid ballots than the
// minimum were cast, only the counts of ballots are given: the rest could
// point at the few who voted.
type Result struct {
	ReportID int64         `json:"report_id"`
	Ballots  int           `json:"ballots"` // every ballot, "don't know" included
	Valid    int           `json:"valid"`
	Hidden   bool          `json:"hidden"`           // below the minimum of valid ballots
	Counts   []int         `json:"counts,omitempty"` // per grade: [0] "don't know", then the scale in order
	Shares   []float64     `json:"shares,omitempty"` // per grade of the scale, of the valid ballots
	Score    *float64      `json:"score"`            // weighted; nil when hidden or without valid ballots
	Rank     int           `json:"rank,omitempty"`   // among the reports with a score, 1 the best
	Groups   []GroupResult `json:"groups,omitempty"`
	Areas    []AreaResult  `json:"areas,omitempty"`
	Comments []string      `json:"comments,omitempty"`
	// CommentRefs name the ballot of each comment, in the order of
	// Comments, and the finding it became, if any.
	CommentRefs []CommentRef `json:"comment_refs,omitempty"`
}

// CommentRef ties a comment shown in the results to its ballot, so that an
// organizer may promote it to a finding once. A ballot's id is random and
// ballots carry no voter: the id names a comment, never who wrote it.
type CommentRef struct {
	BallotID        string `json:"ballot_id"`
	FindingID       int64  `json:"finding_id,omitempty"`       // the finding it became, if any
	RectificationID int64  `json:"rectification_id,omitempty"` // that finding's first item
}

// Score is the weighted score of a report from its tallies (those of one
// area, or the overall ones): the sum over rater groups of the group's
// weight times the mean value of its valid ballots. A group without valid
// ballots has no mean; its weight is shared out among the groups that have
// one (the weights are rescaled to sum to 100 over them), so the score stays
// on the scale's 0–100 range instead of being dragged toward 0 by voters
// who did not vote. Without any valid ballot there is no score.
func Score(a Appraisal, tallies []Tally) (*float64, []GroupResult) {
	groups := make([]GroupResult, len(a.Groups))
	sums := make([]float64, len(a.Groups))
	index := map[int64]int{}
	for i, g := range a.Groups {
		groups[i].Group = g
		index[g.ID] = i
	}
	for _, t := range tallies {
		i, ok := index[t.GroupID]
		if !ok || t.Grade == DontKnow || t.Grade > len(a.Scale) {
			continue
		}
		groups[i].Valid += t.Count
		sums[i] += float64(t.Count * a.Scale[t.Grade-1].Value)
	}
	var weighted, weights float64
	for i := range groups {
		if groups[i].Valid == 0 {
			continue
		}
		mean := sums[i] / float64(groups[i].Valid)
		groups[i].Mean = &mean
		weighted += float64(groups[i].Group.Weight) * mean
		weights += float64(groups[i].Group.Weight)
	}
	if weights == 0 {
		return nil, groups
	}
	score := round2(weighted / weights)
	return &score, groups
}

// Compute returns the results of the reports, in the order given, ranked by
// score. comments are the ballots' comments per report.
func Compute(a Appraisal, reports []int64, areas []int64, tallies []Tally, comments map[int64][]string) []Result {
	byReport := map[int64][]Tally{}
	byArea := map[[2]int64][]Tally{}
	for _, t := range tallies {
		if t.AreaID == 0 {
			byReport[t.ReportID] = append(byReport[t.ReportID], t)
		} else {
			k := [2]int64{t.ReportID, t.AreaID}
			byArea[k] = append(byArea[k], t)
		}
	}
	out := make([]Result, len(reports))
	for i, id := range reports {
		r := Result{ReportID: id, Counts: make([]int, len(a.Scale)+1)}
		for _, t := range byReport[id] {
			if t.Grade >= 0 && t.Grade <= len(a.Scale) {
				r.Counts[t.Grade] += t.Count
				r.Ballots += t.Count
			}
		}
		r.Valid = r.Ballots - r.Counts[DontKnow]
		if r.Valid < a.MinBallots {
			out[i] = Result{ReportID: id, Ballots: r.Ballots, Valid: r.Valid, Hidden: true}
			continue
		}
		r.Shares = make([]float64, len(a.Scale))
		for g := 1; g <= len(a.Scale); g++ {
			r.Shares[g-1] = round2(100 * float64(r.Counts[g]) / float64(r.Valid))
		}
		r.Score, r.Groups = Score(a, byReport[id])
		if a.AreaGrades {
			for _, area := range areas {
				s, _ := Score(a, byArea[[2]int64{id, area}])
				r.Areas = append(r.Areas, AreaResult{AreaID: area, Score: s})
			}
		}
		r.Comments = comments[id]
		out[i] = r
	}
	rank(out)
	return out
}

// rank numbers the scored results from the best; equal scores share a rank
// and the next rank skips (1, 2, 2, 4).
func rank(rs []Result) {
	var scored []int
	for i, r := range rs {
		if r.Score != nil {
			scored = append(scored, i)
		}
	}
	sort.SliceStable(scored, func(x, y int) bool { return *rs[scored[x]].Score > *rs[scored[y]].Score })
	for n, i := range scored {
		if n > 0 && *rs[i].Score == *rs[scored[n-1]].Score {
			rs[i].Rank = rs[scored[n-1]].Rank
		} else {
			rs[i].Rank = n + 1
		}
	}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
