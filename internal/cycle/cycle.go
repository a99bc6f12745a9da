// Package cycle holds the rules of a year's review: its status machine, its
// responsibility areas and how units take part.
package cycle

import (
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// Status is where a cycle stands. It only moves forward, one step at a time.
type Status string

// The statuses, in order (DESIGN.md section 4).
const (
	Planning   Status = "planning"
	Reporting  Status = "reporting"
	Reviewing  Status = "reviewing"
	Rectifying Status = "rectifying"
	Assessing  Status = "assessing"
	Closed     Status = "closed"
)

// Statuses lists every status in order.
var Statuses = []Status{Planning, Reporting, Reviewing, Rectifying, Assessing, Closed}

func (s Status) index() int {
	for i, x := range Statuses {
		if s == x {
			return i
		}
	}
	return -1
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s.index() >= 0 }

// Next is the status after s, or "" for a closed cycle.
func (s Status) Next() Status {
	i := s.index()
	if i < 0 || i == len(Statuses)-1 {
		return ""
	}
	return Statuses[i+1]
}

// CheckAdvance refuses any move but one step forward.
func CheckAdvance(from, to Status) error {
	switch {
	case !to.Valid():
		return apperr.Field("to", "err.unknown_status")
	case from == Closed:
		return apperr.New(apperr.Conflict, "err.cycle_closed")
	case to != from.Next():
		return apperr.Field("to", "err.advance_one_step", string(from.Next()))
	}
	return nil
}

// Mode is how a unit presents its report.
type Mode string

// The modes.
const (
	OnTheSpot Mode = "on_the_spot"
	Written   Mode = "written"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == OnTheSpot || m == Written }

// SeedAreas are the six default responsibility areas of a new cycle
// (DESIGN.md section 1); they are data and may be edited while planning.
var SeedAreas = []string{
	"政治建设：党的全面领导、政治纪律和政治规矩",
	"干部队伍建设：选育管用、人才工作",
	"基层组织建设：软弱涣散整顿、基层治理、乡村振兴",
	"作风建设和党风廉政建设：中央八项规定精神、反腐败、监督和巡察反馈",
	"意识形态工作：宣传思想、舆论引导",
	"经济社会发展：与党建工作同谋划同部署同推进同考核",
}

// Cycle is one year's review under a unit (the reviewing committee).
type Cycle struct {
	ID       int64  `json:"id"`
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	UnitPath string `json:"-"`
	Year     int    `json:"year"`
	Title    string `json:"title"`
	Status   Status `json:"status"`
	Deadline string `json:"deadline"` // YYYY-MM-DD: reports are due by the end of this day; "" if not set
	// Severities is the cycle's own severity scale, most serious first;
	// empty for the default one (finding.Scale).
	Severities []string `json:"severities,omitempty"`
	// StallDays is how many days an overdue item may go without progress
	// before the system issues an urge notice on it; 0: never.
	StallDays int       `json:"stall_days"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Draft is what an organizer supplies to create or edit a cycle.
type Draft struct {
	Year     int
	Title    string
	Deadline string
}

// MaxTitleLen bounds a cycle's title.
const MaxTitleLen = 200

// Normalize checks the draft, naming the first bad field.
func (d *Draft) Normalize() error {
	d.Title = strings.TrimSpace(d.Title)
	d.Deadline = strings.TrimSpace(d.Deadline)
	switch n := utf8.RuneCountInString(d.Title); {
	case d.Year < 2000 || d.Year > 2100:
		return apperr.Field("year", "err.year_range")
	case n == 0:
		return apperr.Field("title", "err.required")
	case n > MaxTitleLen:
		return apperr.Field("title", "err.too_long", MaxTitleLen)
	}
	if d.Deadline != "" {
		if _, err := time.Parse("2006-01-02", d.Deadline); err != nil {
			return apperr.Field("deadline", "err.bad_date")
		}
	}
	return nil
}

// Area is a responsibility area of a cycle.
type Area struct {
	ID       int64  `json:"id"`
	Position int    `json:"position"`
	Name     string `json:"name"`
}

// MaxAreaLen bounds an area's name.
const MaxAreaLen = 200

// CheckAreas validates a cycle's list of area names.
func CheckAreas(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if utf8.RuneCountInString(n) > MaxAreaLen {
			return nil, apperr.Field("areas", "err.too_long", MaxAreaLen)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, apperr.Field("areas", "err.required")
	}
	if len(out) > 20 {
		return nil, apperr.Field("areas", "err.too_many", 20)
	}
	return out, nil
}

// Participant is a unit taking part in a cycle.
type Participant struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	UnitPath string `json:"-"`
	Mode     Mode   `json:"mode"`
	Position int    `json:"position"` // order of the on-the-spot reports
	Excused  string `json:"excused,omitempty"`
}

// EditParticipants applies one change to the list in agenda order: move a
// unit up or down among the on-the-spot reports, change its mode, or remove it.
func EditParticipants(list []Participant, unitID int64, op string, mode Mode) ([]Participant, error) {
	i := -1
	for j, p := range list {
		if p.UnitID == unitID {
			i = j
		}
	}
	if i < 0 {
		return nil, apperr.Field("unit_id", "err.not_participant_unit", unitID)
	}
	out := append([]Participant(nil), list...)
	switch op {
	case "up":
		if i > 0 && out[i-1].Mode == out[i].Mode {
			out[i-1], out[i] = out[i], out[i-1]
		}
	case "down":
		if i < len(out)-1 && out[i+1].Mode == out[i].Mode {
			out[i+1], out[i] = out[i], out[i+1]
		}
	case "remove":
		out = append(out[:i], out[i+1:]...)
	case "mode":
		if !mode.Valid() {
			return nil, apperr.Field("mode", "err.unknown_mode")
		}
		out[i].Mode = mode
	default:
		return nil, apperr.Field("op", "err.unknown_op")
	}
	return out, nil
}

// Meeting is the review meeting of a cycle.
type Meeting struct {
	HeldOn    string `json:"held_on"` // YYYY-MM-DD
	Place     string `json:"place"`
	Chair     string `json:"chair"`
	Voting    string `json:"voting"`     // voting attendees, one per line
	NonVoting string `json:"non_voting"` // non-voting attendees (列席), one per line
	Observers string `json:"observers"`  // e.g. a provincial guidance group, one per line
	Version   int64  `json:"version"`    // 0 until first saved
}

// Normalize trims the meeting and checks its fields.
func (m *Meeting) Normalize() error {
	m.HeldOn, m.Place, m.Chair = strings.TrimSpace(m.HeldOn), strings.TrimSpace(m.Place), strings.TrimSpace(m.Chair)
	if m.HeldOn != "" {
		if _, err := time.Parse("2006-01-02", m.HeldOn); err != nil {
			return apperr.Field("held_on", "err.bad_date")
		}
	}
	for field, v := range map[string]string{"place": m.Place, "chair": m.Chair} {
		if utf8.RuneCountInString(v) > 200 {
			return apperr.Field(field, "err.too_long", 200)
		}
	}
	for field, v := range map[string]string{"voting": m.Voting, "non_voting": m.NonVoting, "observers": m.Observers} {
		if utf8.RuneCountInString(v) > 10000 {
			return apperr.Field(field, "err.too_long", 10000)
		}
	}
	return nil
}

// Names splits an attendee list into names, one per line.
func Names(list string) []string {
	var out []string
	for _, n := range strings.Split(list, "\n") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}
