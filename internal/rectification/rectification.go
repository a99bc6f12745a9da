// Package rectification holds the rules of the work that answers a finding:
// its plan, its status machine, the warning level computed from its
// deadline, urge notices and the roll-up figures of a subtree (DESIGN.md
// sections 1 steps 4–6, 4 and 7).
package rectification

import (
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/finding"
)

// Status is where an item stands.
type Status string

// The statuses, in order.
const (
	Planning             Status = "planning"
	InProgress           Status = "in_progress"
	AwaitingVerification Status = "awaiting_verification"
	Closed               Status = "closed"
)

// Statuses lists every status in order.
var Statuses = []Status{Planning, InProgress, AwaitingVerification, Closed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Kind is how a problem is rectified.
type Kind string

// The kinds (DESIGN.md section 1, step 4).
const (
	Immediate Kind = "immediate" // 立行立改
	LongTerm  Kind = "long_term" // 建章立制, 长期坚持
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Immediate || k == LongTerm }

// Move is a step of the status machine.
type Move string

// The moves.
const (
	Start  Move = "start"  // the plan is made: planning → in progress
	Submit Move = "submit" // the unit says it is done: in progress → awaiting verification
	Verify Move = "verify" // a supervisor checks and closes it (销号)
	Reject Move = "reject" // a supervisor sends it back, with a reason
	Reopen Move = "reopen" // a closed item starts a new round, with a reason
)

// moves maps each move to the status it leaves and the one it reaches.
var moves = map[Move][2]Status{
	Start:  {Planning, InProgress},
	Submit: {InProgress, AwaitingVerification},
	Verify: {AwaitingVerification, Closed},
	Reject: {AwaitingVerification, InProgress},
	Reopen: {Closed, InProgress},
}

// Moves lists every move.
var Moves = []Move{Start, Submit, Verify, Reject, Reopen}

// Next returns the status a move reaches from s, or a Conflict naming the
// current status when the machine does not allow it.
func Next(s Status, m Move) (Status, error) {
	ft, ok := moves[m]
	if !ok {
		return s, apperr.Field("move", "err.unknown_move")
	}
	if ft[0] != s {
		// The message names the current status; keys are per status so that
		// it reads naturally in every language.
		return s, apperr.New(apperr.Conflict, "err.move_refused."+string(s), string(s))
	}
	return ft[1], nil
}

// NeedsReason reports whether a move must say why.
func (m Move) NeedsReason() bool { return m == Reject || m == Reopen }

// Date is a calendar day, as stored: "2006-01-02".
const Date = "2006-01-02"

// Plan is what the unit commits to for one item.
type Plan struct {
	Measures          string `json:"measures"`
	Owner             string `json:"owner"`              // who does it
	ResponsibleLeader string `json:"responsible_leader"` // who answers for it
	Deadline          string `json:"deadline"`           // YYYY-MM-DD
	Kind              Kind   `json:"kind"`
}

// Limits.
const (
	MaxTextLen = 4000
	MaxNameLen = 100
)

// Normalize checks a plan. A new deadline (one that changes) may not lie
// before today.
func (p *Plan) Normalize(today time.Time, oldDeadline string) error {
	p.Measures, p.Owner, p.ResponsibleLeader = strings.TrimSpace(p.Measures), strings.TrimSpace(p.Owner), strings.TrimSpace(p.ResponsibleLeader)
	p.Deadline = strings.TrimSpace(p.Deadline)
	switch n := utf8.RuneCountInString(p.Measures); {
	case n == 0:
		return apperr.Field("measures", "err.required")
	case n > MaxTextLen:
		return apperr.Field("measures", "err.too_long", MaxTextLen)
	}
	for _, f := range []struct {
		name string
		v    string
	}{{"owner", p.Owner}, {"responsible_leader", p.ResponsibleLeader}} {
		switch n := utf8.RuneCountInString(f.v); {
		case n == 0:
			return apperr.Field(f.name, "err.required")
		case n > MaxNameLen:
			return apperr.Field(f.name, "err.too_long", MaxNameLen)
		}
	}
	if !p.Kind.Valid() {
		return apperr.Field("kind", "err.unknown_rect_kind")
	}
	d, err := time.Parse(Date, p.Deadline)
	if err != nil {
		return apperr.Field("deadline", "err.bad_date")
	}
	if p.Deadline != oldDeadline && d.Before(Day(today)) {
		return apperr.Field("deadline", "err.deadline_past")
	}
	return nil
}

// Day is the calendar day of t, at midnight UTC, in the zone given by t.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Warning is an item's warning level (预警), computed from its deadline and
// the day, never stored.
type Warning string

// The levels.
const (
	None   Warning = ""       // closed
	Green  Warning = "green"  // on track
	Yellow Warning = "yellow" // the deadline is within the warning days
	Red    Warning = "red"    // overdue
)

// DefaultWarningDays is how close a deadline turns an item yellow.
const DefaultWarningDays = 7

// WarningOf computes the level of an item with the deadline and status on
// the given day; an item without a deadline yet is green.
func WarningOf(status Status, deadline string, today time.Time, warnDays int) Warning {
	if status == Closed {
		return None
	}
	d, err := time.Parse(Date, deadline)
	if err != nil {
		return Green
	}
	switch left := int(d.Sub(Day(today)).Hours() / 24); {
	case left < 0:
		return Red
	case left <= warnDays:
		return Yellow
	}
	return Green
}

// DaysOverdue is how many days past its deadline an open item is, 0 if
// none; for a closed item, how late it was closed.
func DaysOverdue(deadline string, closedOn string, today time.Time) int {
	d, err := time.Parse(Date, deadline)
	if err != nil {
		return 0
	}
	end := Day(today)
	if c, err := time.Parse(Date, closedOn); err == nil {
		end = c
	}
	return max(0, int(end.Sub(d).Hours()/24))
}

// Rectification is one item of work answering a finding: its plan, where
// it stands, and, computed for the day it is read, its warning level.
type Rectification struct {
	ID               int64           `json:"id"`
	Finding          finding.Finding `json:"finding"`
	UnitID           int64           `json:"unit_id"`
	UnitName         string          `json:"unit_name"`
	UnitPath         string          `json:"-"`
	CycleID          int64           `json:"cycle_id"`
	Status           Status          `json:"status"`
	Plan                             // the deadline is the current one
	OriginalDeadline string          `json:"original_deadline,omitempty"` // the first one planned, kept through extensions
	Progress         string          `json:"progress"`                    // the latest update, for the ledger
	Round            int             `json:"round"`                       // 1, and one more for each reopening
	SubmittedBy      int64           `json:"submitted_by,omitempty"`
	ClosedOn         string          `json:"closed_on,omitempty"`
	Version          int64           `json:"version"`
	CreatedAt        time.Time       `json:"created_at"`
	Warning          Warning         `json:"warning"`
	DaysOverdue      int             `json:"days_overdue"`
	CarriedInto      []int           `json:"carried_into,omitempty"` // years of the later cycles it was carried over into; read for one item only
}

// Planned reports whether the plan is complete enough to start.
func (r Rectification) Planned() bool {
	return r.Measures != "" && r.Owner != "" && r.ResponsibleLeader != "" && r.Deadline != "" && r.Kind.Valid()
}

// Extended reports whether the deadline has moved from the one planned.
func (r Rectification) Extended() bool {
	return r.OriginalDeadline != "" && r.OriginalDeadline != r.Deadline
}

// Event is one entry of an item's timeline.
type Event struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	UserName string    `json:"user_name"`
	Kind     string    `json:"kind"` // created, plan, update, start, submit, verify, reject, reopen, extension_request, extension_approve, extension_refuse, urge, urge_reply, urge_escalate
	Text     string    `json:"text,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	Files    []File    `json:"files,omitempty"`
}

// File is an evidence file of an update, without its bytes.
type File struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	Size int64  `json:"size"`
}

// Extension is a request to move an item's deadline, decided by an organizer.
type Extension struct {
	ID       int64  `json:"id"`
	Deadline string `json:"deadline"`
	Reason   string `json:"reason"`
	Status   string `json:"status"` // pending, approved, refused
}
