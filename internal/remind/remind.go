// Package remind holds the rules of what pushes the loop: which reminders
// fall on a day (before a deadline, on it, after it), which are sent at
// once and which wait for the daily digest, and when an overdue item
// without progress gets an urge notice from the system. Pure functions:
// the sweep (internal/jobs) reads the candidates and applies them.
package remind

import (
	"time"

	"zeren/internal/rectification"
)

// Kind is what a notification is about.
type Kind string

// The kinds of notification. The three told at once are the ones that
// demand an answer from a unit: an urge notice, a returned report, a
// rejected item; the rest go out in the person's daily digest.
const (
	ReportDue      Kind = "report_due"      // a report to write or submit
	ReportReturned Kind = "report_returned" // a report sent back for rework
	ItemDue        Kind = "item_due"        // an open item near or past its deadline
	ItemRejected   Kind = "item_rejected"   // an item sent back at verification
	UrgeIssued     Kind = "urge_issued"     // a new urge notice to answer
	UrgeDue        Kind = "urge_due"        // an unanswered urge notice near or past its reply-by day
	BallotOpen     Kind = "ballot_open"     // a ballot waiting for this voter
	ItemStalled    Kind = "item_stalled"    // the system urged an overdue item without progress
)

// Kinds lists every kind, in the digest's order.
var Kinds = []Kind{UrgeIssued, ReportReturned, ItemRejected, UrgeDue, ItemStalled, ItemDue, ReportDue, BallotOpen}

// Urgent reports whether a kind is sent at once instead of in the digest.
func (k Kind) Urgent() bool {
	return k == UrgeIssued || k == ReportReturned || k == ItemRejected
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Phase is where a day stands against a deadline.
type Phase string

// The phases on which a reminder falls.
const (
	Soon    Phase = "soon"    // the warning days before the deadline
	Today   Phase = "today"   // the deadline is today
	Overdue Phase = "overdue" // the day after, then once a week
)

// OverdueWeeks bounds how long an overdue reminder repeats: a year of
// weekly reminders, after which the dashboards and urge notices carry it.
const OverdueWeeks = 53

// PhaseOf returns the phase a reminder for deadline falls on day, if any:
// warn days before, on the day, the day after and then every seventh day.
func PhaseOf(deadline, day time.Time, warn int) (Phase, bool) {
	d := days(deadline, day)
	switch {
	case d == -warn && warn > 0:
		return Soon, true
	case d == 0:
		return Today, true
	case d >= 1 && (d-1)%7 == 0 && (d-1)/7 < OverdueWeeks:
		return Overdue, true
	}
	return "", false
}

// Deadlines lists the deadlines (YYYY-MM-DD) whose reminders fall on day:
// the sweep looks up exactly these days in the deadline indexes instead of
// scanning the items.
func Deadlines(day time.Time, warn int) []string {
	day = rectification.Day(day)
	out := []string{}
	if warn > 0 {
		out = append(out, day.AddDate(0, 0, warn).Format(rectification.Date))
	}
	out = append(out, day.Format(rectification.Date))
	for w := 0; w < OverdueWeeks; w++ {
		out = append(out, day.AddDate(0, 0, -1-7*w).Format(rectification.Date))
	}
	return out
}

// days counts the days from deadline to day (negative before it).
func days(deadline, day time.Time) int {
	a, b := rectification.Day(deadline), rectification.Day(day)
	return int(b.Sub(a).Hours() / 24)
}

// Stall is what the escalation rule needs of an open item.
type Stall struct {
	Deadline     time.Time
	LastProgress time.Time // the last progress entry, or when the item was created
	LastUrge     time.Time // when the last urge notice was issued (zero if none)
	// Open is the level of the unanswered notice, "" if none is open.
	Open rectification.UrgeLevel
}

// Escalation returns the level of the urge notice the system issues on
// day for an item, if any. With stallDays 0 (the default) it never does.
// The item must be overdue, with no progress and no notice for stallDays
// days; then it gets a blue notice, or, if one is unanswered, one of the
// next level (blue → yellow → red). A red notice left unanswered stays.
// The rule is its own idempotency: a notice issued today makes the item
// quiet for another stallDays, so a second sweep issues nothing.
func Escalation(s Stall, day time.Time, stallDays int) (rectification.UrgeLevel, bool) {
	if stallDays <= 0 || days(s.Deadline, day) < 1 {
		return "", false
	}
	last := s.LastProgress
	if s.LastUrge.After(last) {
		last = s.LastUrge
	}
	if days(last, day) < stallDays {
		return "", false
	}
	switch s.Open {
	case "":
		return rectification.Blue, true
	case rectification.RedUrge:
		return "", false
	}
	return s.Open.Next(), true
}

// Notification is one message to one person: a row of their inbox and,
// through their channels, an outside message (at once if its kind is
// urgent, else in the daily digest).
type Notification struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"-"`
	Kind      Kind       `json:"kind"`
	Key       string     `json:"-"` // one per person, object and day
	Link      string     `json:"link"`
	Args      []string   `json:"args"` // the message's values, in the catalog's order
	Urgent    bool       `json:"urgent"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// Key is the idempotency key of a notification: kind, object and day, so
// that a person is told about an object once a day whatever reruns.
func Key(k Kind, object string, day time.Time) string {
	return string(k) + "/" + object + "/" + rectification.Day(day).Format(rectification.Date)
}

// MessageKey is the catalog key of a notification's text.
func (n Notification) MessageKey() string {
	key, _ := n.Message()
	return key
}

// Message is the catalog key of a notification's text and the values it
// takes: by kind, and for reminders by phase too (the phase is the first
// argument, named by the key rather than given to it).
func (n Notification) Message() (key string, args []string) {
	switch n.Kind {
	case ReportDue, ItemDue, UrgeDue:
		if len(n.Args) > 0 {
			return "remind." + string(n.Kind) + "." + n.Args[0], n.Args[1:]
		}
	}
	return "remind." + string(n.Kind), n.Args
}

// Channel is an outside way of telling a person; the inbox always is.
type Channel string

// The outside channels. The robots and the webhook are set per unit by
// its admin; a person's are looked up from the unit of their first grant.
const (
	Email    Channel = "email"
	DingTalk Channel = "dingtalk"
	WeCom    Channel = "wecom"
	Webhook  Channel = "webhook"
)

// Channels lists the outside channels in the profile's order.
var Channels = []Channel{Email, DingTalk, WeCom, Webhook}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, x := range Channels {
		if x == c {
			return true
		}
	}
	return false
}

// MaxStallDays bounds the days without progress a supervisor may set.
const MaxStallDays = 90

// ReplyDays is the time the system's urge notice gives to answer.
const ReplyDays = 3

// Excerpt shortens a text (a finding, a reason) for a message line.
func Excerpt(s string) string {
	const n = 60
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
