package rectification

import (
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// UrgeLevel is how pressing an urge notice (督办) is.
type UrgeLevel string

// The levels, each issued when the one before went unanswered.
const (
	Blue       UrgeLevel = "blue"   // the deadline is near
	YellowUrge UrgeLevel = "yellow" // behind, or poor quality
	RedUrge    UrgeLevel = "red"    // overdue
)

// UrgeLevels lists the levels in order.
var UrgeLevels = []UrgeLevel{Blue, YellowUrge, RedUrge}

// Valid reports whether l is a known level.
func (l UrgeLevel) Valid() bool { return l == Blue || l == YellowUrge || l == RedUrge }

// Next is the level an unanswered notice escalates to, "" after red.
func (l UrgeLevel) Next() UrgeLevel {
	switch l {
	case Blue:
		return YellowUrge
	case YellowUrge:
		return RedUrge
	}
	return ""
}

// Urge is a supervisor's notice demanding action on an item by a date.
type Urge struct {
	ID              int64      `json:"id"`
	RectificationID int64      `json:"rectification_id"`
	Level           UrgeLevel  `json:"level"`
	Text            string     `json:"text"`
	ReplyBy         string     `json:"reply_by"` // YYYY-MM-DD
	IssuedBy        string     `json:"issued_by"`
	IssuedAt        time.Time  `json:"issued_at"`
	Reply           string     `json:"reply,omitempty"`
	RepliedBy       string     `json:"replied_by,omitempty"`
	RepliedAt       *time.Time `json:"replied_at,omitempty"`
	EscalatedTo     int64      `json:"escalated_to,omitempty"` // the notice that replaced it
}

// Answered reports whether the unit has replied.
func (u Urge) Answered() bool { return u.RepliedAt != nil }

// NormalizeUrge checks a new notice.
func NormalizeUrge(u *Urge, today time.Time) error {
	u.Text = strings.TrimSpace(u.Text)
	if !u.Level.Valid() {
		return apperr.Field("level", "err.unknown_level")
	}
	switch n := utf8.RuneCountInString(u.Text); {
	case n == 0:
		return apperr.Field("text", "err.required")
	case n > MaxTextLen:
		return apperr.Field("text", "err.too_long", MaxTextLen)
	}
	d, err := time.Parse(Date, strings.TrimSpace(u.ReplyBy))
	if err != nil {
		return apperr.Field("reply_by", "err.bad_date")
	}
	if d.Before(Day(today)) {
		return apperr.Field("reply_by", "err.deadline_past")
	}
	return nil
}

// CheckEscalate allows escalating an unanswered notice below red, once.
func (u Urge) CheckEscalate() error {
	switch {
	case u.Answered():
		return apperr.New(apperr.Conflict, "err.urge_answered")
	case u.EscalatedTo != 0:
		return apperr.New(apperr.Conflict, "err.urge_escalated")
	case u.Level.Next() == "":
		return apperr.New(apperr.Conflict, "err.urge_top_level")
	}
	return nil
}

// CheckReply allows one reply, before escalation.
func (u Urge) CheckReply(reply string) error {
	switch {
	case u.Answered():
		return apperr.New(apperr.Conflict, "err.urge_answered")
	case u.EscalatedTo != 0:
		return apperr.New(apperr.Conflict, "err.urge_escalated")
	case strings.TrimSpace(reply) == "":
		return apperr.Field("reply", "err.required")
	case utf8.RuneCountInString(reply) > MaxTextLen:
		return apperr.Field("reply", "err.too_long", MaxTextLen)
	}
	return nil
}
