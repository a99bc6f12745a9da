// Package comment holds the chair's comment on a report: what it affirms,
// the problems it points out (each becomes a finding of the unit when the
// comment is published), the requirements and the direction.
package comment

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/finding"
)

// Problem is one problem the chair points out.
type Problem struct {
	Area      string           `json:"area"`
	Severity  finding.Severity `json:"severity"`
	Text      string           `json:"text"`
	FindingID int64            `json:"finding_id,omitempty"` // once published
}

// Comment is the chair's comment on one report; a draft until published.
type Comment struct {
	ReportID     int64      `json:"report_id"`
	Affirmations string     `json:"affirmations"`
	Problems     []Problem  `json:"problems"`
	Requirements string     `json:"requirements"`
	Direction    string     `json:"direction"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
	Version      int64      `json:"version"` // 0 before the first save
}

// Limits.
const (
	MaxTextLen  = 20000
	MaxProblems = 50
)

// Published reports whether the unit may see the comment.
func (c Comment) Published() bool { return c.PublishedAt != nil }

// Normalize checks a draft; areas are the cycle's area names, one of which
// (or none) each problem must name, and scale is its severity scale.
func (c *Comment) Normalize(areas []string, scale []finding.Severity) error {
	for _, f := range []struct {
		name string
		s    *string
	}{{"affirmations", &c.Affirmations}, {"requirements", &c.Requirements}, {"direction", &c.Direction}} {
		*f.s = strings.TrimSpace(*f.s)
		if utf8.RuneCountInString(*f.s) > MaxTextLen {
			return apperr.Field(f.name, "err.too_long", MaxTextLen)
		}
	}
	if len(c.Problems) > MaxProblems {
		return apperr.Field("problems", "err.too_many", MaxProblems)
	}
	for i := range c.Problems {
		p := &c.Problems[i]
		p.Text, p.Area = strings.TrimSpace(p.Text), strings.TrimSpace(p.Area)
		switch n := utf8.RuneCountInString(p.Text); {
		case n == 0:
			return apperr.Field("problems", "err.problem_text", i+1)
		case n > finding.MaxTextLen:
			return apperr.Field("problems", "err.too_long", finding.MaxTextLen)
		}
		if !p.Severity.In(scale) {
			return apperr.Field("problems", "err.problem_severity", i+1)
		}
		if p.Area != "" && !slices.Contains(areas, p.Area) {
			return apperr.Field("problems", "err.problem_area", i+1)
		}
	}
	return nil
}

// CheckPublish refuses to publish an empty comment.
func (c Comment) CheckPublish() error {
	if c.Published() {
		return apperr.New(apperr.Conflict, "err.comment_published")
	}
	if c.Affirmations == "" && c.Requirements == "" && c.Direction == "" && len(c.Problems) == 0 {
		return apperr.Field("affirmations", "err.comment_empty")
	}
	return nil
}
