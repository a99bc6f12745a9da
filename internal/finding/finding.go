// Package finding holds the problems pointed out to units, which each unit
// must rectify and answer for in its next report.
package finding

import (
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// Source is where a finding came from (DESIGN.md section 4).
type Source string

// The sources.
const (
	ChairComment       Source = "chair_comment"
	Appraisal          Source = "appraisal"
	InspectionFeedback Source = "inspection_feedback"
	SelfExamination    Source = "self_examination"
	Supervision        Source = "supervision"
	CarriedOver        Source = "carried_over"
)

// Sources lists every source.
var Sources = []Source{ChairComment, Appraisal, InspectionFeedback, SelfExamination, Supervision, CarriedOver}

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	for _, x := range Sources {
		if s == x {
			return true
		}
	}
	return false
}

// Status of a finding: open until its rectification is verified and closed.
type Status string

// The statuses.
const (
	Open   Status = "open"
	Closed Status = "closed"
)

// Severity is how serious a finding is.
type Severity string

// The severities, most serious first.
const (
	Serious Severity = "serious"
	Major   Severity = "major"
	Minor   Severity = "minor"
)

// Severities lists every severity, most serious first.
var Severities = []Severity{Serious, Major, Minor}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s == Serious || s == Major || s == Minor }

// Finding is a problem pointed out to a unit in a cycle.
type Finding struct {
	ID        int64    `json:"id"`
	UnitID    int64    `json:"unit_id"`
	UnitName  string   `json:"unit_name,omitempty"`
	CycleID   int64    `json:"cycle_id"`
	CycleYear int      `json:"cycle_year"`
	ReportID  int64    `json:"report_id,omitempty"` // the report it was pointed out on
	Source    Source   `json:"source"`
	Area      string   `json:"area"`
	Severity  Severity `json:"severity,omitempty"`
	Text      string   `json:"text"`
	RootCause string   `json:"root_cause,omitempty"`
	Status    Status   `json:"status"`
}

// MaxTextLen bounds a finding's text.
const MaxTextLen = 4000

// Normalize checks a new finding.
func (f *Finding) Normalize() error {
	f.Text, f.Area = strings.TrimSpace(f.Text), strings.TrimSpace(f.Area)
	switch n := utf8.RuneCountInString(f.Text); {
	case n == 0:
		return apperr.Field("text", "err.required")
	case n > MaxTextLen:
		return apperr.Field("text", "err.too_long", MaxTextLen)
	}
	if !f.Source.Valid() {
		return apperr.Field("source", "err.unknown_source")
	}
	f.RootCause = strings.TrimSpace(f.RootCause)
	if utf8.RuneCountInString(f.RootCause) > MaxTextLen {
		return apperr.Field("root_cause", "err.too_long", MaxTextLen)
	}
	if f.Severity != "" && !f.Severity.Valid() {
		return apperr.Field("severity", "err.unknown_severity")
	}
	return nil
}

// Progress is how far a unit says a carried-over finding is rectified.
type Progress string

// The answers a report may give.
const (
	Rectified  Progress = "rectified"   // done
	InProgress Progress = "in_progress" // under way, with a plan
)

// Valid reports whether p is an answer ("" is no answer yet).
func (p Progress) Valid() bool { return p == Rectified || p == InProgress }

// CarryOver is a finding still open from an earlier cycle, as it stands in
// a unit's new report, with the unit's answer.
type CarryOver struct {
	Finding  Finding  `json:"finding"`
	Response string   `json:"response"` // what was done
	Progress Progress `json:"progress"` // the current state
}

// Answered reports whether the unit has said what it did and where it stands.
func (c CarryOver) Answered() bool {
	return strings.TrimSpace(c.Response) != "" && c.Progress.Valid()
}

// MaxResponseLen bounds an answer.
const MaxResponseLen = 4000
