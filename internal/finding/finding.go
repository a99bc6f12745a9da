// Package finding holds the problems pointed out to units, which each unit
// must rectify and answer for in its next report.
package finding

import (
	"slices"
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

// Severities is the scale of a cycle that sets none, most serious first;
// these three are translated, a cycle's own labels are shown as written.
var Severities = []Severity{Serious, Major, Minor}

// Scale is a cycle's severity scale: its own labels, or the default.
func Scale(labels []string) []Severity {
	if len(labels) == 0 {
		return Severities
	}
	out := make([]Severity, len(labels))
	for i, l := range labels {
		out[i] = Severity(l)
	}
	return out
}

// In reports whether s is a level of the scale.
func (s Severity) In(scale []Severity) bool { return slices.Contains(scale, s) }

// Bounds of a cycle's own severity scale.
const (
	MinScale         = 2
	MaxScale         = 6
	MaxSeverityLabel = 20
)

// CheckScale checks an organizer's severity scale, most serious first: 2
// to 6 distinct labels, blank lines dropped. No labels at all means the
// default scale.
func CheckScale(labels []string) ([]string, error) {
	var out []string
	for _, l := range labels {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			continue
		case utf8.RuneCountInString(l) > MaxSeverityLabel:
			return nil, apperr.Field("severities", "err.too_long", MaxSeverityLabel)
		case slices.Contains(out, l):
			return nil, apperr.Field("severities", "err.severity_twice", l)
		}
		out = append(out, l)
	}
	if len(out) > 0 && (len(out) < MinScale || len(out) > MaxScale) {
		return nil, apperr.Field("severities", "err.scale_size", MinScale, MaxScale)
	}
	return out, nil
}

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
	// RaisedBy is the unit of the level that raised the finding, where its
	// edits, extensions and verifications are decided (RaisingLevel).
	RaisedBy     int64  `json:"raised_by"`
	RaisedByPath string `json:"-"`
}

// RaisingLevel is the unit a finding belongs to (DESIGN.md section 3): the
// unit itself for self-examination, the recording level for supervision
// and inspection feedback (recorder; the cycle's unit when none is named),
// and the cycle's reviewing unit for the chair's comments, the appraisal
// and findings carried over.
func RaisingLevel(src Source, unitID, cycleUnitID, recorder int64) int64 {
	switch {
	case src == SelfExamination:
		return unitID
	case (src == Supervision || src == InspectionFeedback) && recorder != 0:
		return recorder
	}
	return cycleUnitID
}

// MaxTextLen bounds a finding's text.
const MaxTextLen = 4000

// Normalize checks a new finding; its severity is checked against its
// cycle's scale, which the store knows.
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
	Finding  Finding   `json:"finding"`
	Response string    `json:"response"`        // what was done
	Progress Progress  `json:"progress"`        // the current state
	Items    []ItemRef `json:"items,omitempty"` // its open items, carried into the report's cycle
}

// ItemRef is a rectification item as a report shows it: its number and
// status (a rectification.Status; this package cannot name that type).
type ItemRef struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

// Answered reports whether the unit has said what it did and where it stands.
func (c CarryOver) Answered() bool {
	return strings.TrimSpace(c.Response) != "" && c.Progress.Valid()
}

// MaxResponseLen bounds an answer.
const MaxResponseLen = 4000
