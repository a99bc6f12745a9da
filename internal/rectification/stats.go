package rectification

import "math"

// Stats are the roll-up figures of a unit's whole subtree in a cycle. The
// counts are kept as counters; the rates are computed from them here, so a
// parent's rate comes from the items of its subtree, never from its
// children's rates (DESIGN.md section 7).
type Stats struct {
	Total          int      `json:"total"`
	Planning       int      `json:"planning"`
	InProgress     int      `json:"in_progress"`
	Awaiting       int      `json:"awaiting_verification"`
	Closed         int      `json:"closed"`
	Overdue        int      `json:"overdue"`  // open and past the deadline
	DueSoon        int      `json:"due_soon"` // open, deadline within the warning days
	ClosedOnTime   int      `json:"closed_on_time"`
	DaysToClose    int      `json:"-"`                 // summed over closed items
	OnTimeRate     *float64 `json:"on_time_rate"`      // percent; nil without an item due or closed
	AvgDaysToClose *float64 `json:"avg_days_to_close"` // nil without a closed item
}

// Add counts another subtree's figures in, for a sum over disjoint
// subtrees; Finish computes the rates of the sum.
func (s *Stats) Add(o Stats) {
	s.Total += o.Total
	s.Planning += o.Planning
	s.InProgress += o.InProgress
	s.Awaiting += o.Awaiting
	s.Closed += o.Closed
	s.Overdue += o.Overdue
	s.DueSoon += o.DueSoon
	s.ClosedOnTime += o.ClosedOnTime
	s.DaysToClose += o.DaysToClose
}

// Finish computes the rates. The on-time closure rate is the items closed
// on time over the items that were due: those closed, and those still open
// past their deadline (an overdue item stays counted as late). Open items
// not yet due count for neither, and a subtree without such items has no
// rate rather than 0 % or 100 %.
func (s *Stats) Finish() {
	s.OnTimeRate, s.AvgDaysToClose = nil, nil
	if due := s.Closed + s.Overdue; due > 0 {
		r := math.Round(1000*float64(s.ClosedOnTime)/float64(due)) / 10
		s.OnTimeRate = &r
	}
	if s.Closed > 0 {
		a := math.Round(10*float64(s.DaysToClose)/float64(s.Closed)) / 10
		s.AvgDaysToClose = &a
	}
}
