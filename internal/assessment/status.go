package assessment

import "time"

// Status is where a cycle's assessment stands.
type Status string

// The statuses: a scheme without results; results the organizer may still
// adjust and recompute; results published to the units, fixed until the
// organizer reopens them.
const (
	Draft     Status = "draft"
	Computed  Status = "computed"
	Published Status = "published"
)

// Assessment is a cycle's scheme and where its results stand.
type Assessment struct {
	ID          int64      `json:"id"` // 0 until the organizer first saves the scheme
	CycleID     int64      `json:"cycle_id"`
	Scheme      Scheme     `json:"scheme"`
	Status      Status     `json:"status"`
	ComputedAt  *time.Time `json:"computed_at,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Version     int64      `json:"version"`
}

// Score is a unit's stored result, with its name for the pages.
type Score struct {
	Result
	UnitName string  `json:"unit_name"`
	UnitPath string  `json:"-"`
	Final    float64 `json:"final"` // Result.Final, stored for ordering
}

// Visible is what a reader sees of a cycle's scores: every unit's, at any
// time, for those who read the cycle's results (all); for anyone else only
// the units they may read, and only once published — a unit sees its own
// breakdown and rank, never another's.
func Visible(status Status, scores []Score, all bool, readable func(unitPath string) bool) []Score {
	if all {
		return scores
	}
	if status != Published {
		return nil
	}
	var out []Score
	for _, x := range scores {
		if readable(x.UnitPath) {
			out = append(out, x)
		}
	}
	return out
}
