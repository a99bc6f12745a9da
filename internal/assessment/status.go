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
