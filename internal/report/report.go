// Package report holds the rules of a unit's duty report: its states, its
// sections per responsibility area, and how its Markdown is rendered safely.
package report

import (
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// Status is where a report stands.
type Status string

// The statuses (DESIGN.md section 4).
const (
	Draft     Status = "draft"
	Submitted Status = "submitted"
	Returned  Status = "returned"
	Accepted  Status = "accepted"
)

// Statuses lists every status.
var Statuses = []Status{Draft, Submitted, Returned, Accepted}

// Editable reports whether the unit may still change the report.
func (s Status) Editable() bool { return s == Draft || s == Returned }

// Done reports whether the report counts as handed in for the review.
func (s Status) Done() bool { return s == Submitted || s == Accepted }

// Transition is a move of the workflow.
type Transition string

// The transitions.
const (
	Submit Transition = "submit" // the unit leader hands it in
	Return Transition = "return" // the organizer sends it back with a reason
	Accept Transition = "accept" // the organizer accepts it
)

// Apply returns the status a transition leads to, or refuses it.
func Apply(from Status, t Transition) (Status, error) {
	switch {
	case t == Submit && from.Editable():
		return Submitted, nil
	case t == Return && from == Submitted:
		return Returned, nil
	case t == Accept && from == Submitted:
		return Accepted, nil
	}
	return from, apperr.New(apperr.Conflict, "err.report_transition", string(t), string(from))
}

// Section is what a report says about one area.
type Section struct {
	AreaID       int64  `json:"area_id"`
	AreaName     string `json:"area_name,omitempty"`
	Achievements string `json:"achievements"`
	Problems     string `json:"problems"` // found in self-examination
	NextSteps    string `json:"next_steps"`
}

// MaxSectionLen bounds each text of a section, in characters.
const MaxSectionLen = 20000

// Check validates a section's texts, naming the field at fault.
func (s Section) Check() error {
	for field, v := range map[string]string{"achievements": s.Achievements, "problems": s.Problems, "next_steps": s.NextSteps} {
		if utf8.RuneCountInString(v) > MaxSectionLen {
			return apperr.Field(field, "err.too_long", MaxSectionLen)
		}
	}
	return nil
}

// Report is a unit's duty report in a cycle.
type Report struct {
	ID           int64      `json:"id"`
	CycleID      int64      `json:"cycle_id"`
	UnitID       int64      `json:"unit_id"`
	UnitName     string     `json:"unit_name"`
	UnitPath     string     `json:"-"`
	CyclePath    string     `json:"-"` // of the unit that runs the cycle and reviews the report
	Status       Status     `json:"status"`
	ReturnReason string     `json:"return_reason,omitempty"`
	Submissions  int        `json:"submissions"`
	SubmittedAt  *time.Time `json:"submitted_at,omitempty"`
	Version      int64      `json:"version"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Sections     []Section  `json:"sections,omitempty"`
}

// MaxReasonLen bounds a return reason.
const MaxReasonLen = 2000

// SameText reports whether every posted section has the same texts in stored.
func SameText(stored, posted []Section) bool {
	byArea := make(map[int64]Section, len(stored))
	for _, s := range stored {
		byArea[s.AreaID] = s
	}
	for _, p := range posted {
		s, ok := byArea[p.AreaID]
		if !ok || s.Achievements != p.Achievements || s.Problems != p.Problems || s.NextSteps != p.NextSteps {
			return false
		}
	}
	return true
}
