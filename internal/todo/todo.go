// Package todo is the to-do (待办): what waits on one person, most urgent
// first. It holds the kinds of entry and their order only; which entries a
// person gets is decided in internal/action (each entry by the row of the
// decision table its real action asks), and the candidates come from
// indexes and counters in internal/store.
package todo

import (
	"sort"
	"time"
)

// Kind is what an entry asks the person to do.
type Kind string

// The kinds, in the order they are listed when equally urgent.
const (
	UrgeReply        Kind = "urge_reply"        // answer an urge notice on the unit's item
	ItemOverdue      Kind = "item_overdue"      // an item of the unit past its deadline
	ItemRejected     Kind = "item_rejected"     // an item sent back by verification, to rework
	ItemDueSoon      Kind = "item_due_soon"     // an item whose deadline is within the warning days
	ItemPlan         Kind = "item_plan"         // an item still to plan
	ReportRewrite    Kind = "report_rewrite"    // a returned report to rewrite and submit again
	ReportWrite      Kind = "report_write"      // a draft report to write and submit
	Carryover        Kind = "carryover"         // carried-over findings the report has not answered
	Ballot           Kind = "ballot"            // an open appraisal the person is invited to
	Verify           Kind = "verify"            // items awaiting verification (a count)
	Extension        Kind = "extension"         // extension requests to decide (a count)
	ReportReview     Kind = "report_review"     // submitted reports to accept or return (a count)
	CommentPublish   Kind = "comment_publish"   // drafted comments to publish (a count)
	AssessmentScores Kind = "assessment_scores" // manual assessment scores to enter (a count)
	CycleStep        Kind = "cycle_step"        // a cycle whose next step is the person's
)

// Kinds lists every kind in display order.
var Kinds = []Kind{UrgeReply, ItemOverdue, ItemRejected, ItemDueSoon, ItemPlan, ReportRewrite, ReportWrite, Carryover,
	Ballot, Verify, Extension, ReportReview, CommentPublish, AssessmentScores, CycleStep}

func (k Kind) rank() int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// Counts reports whether an entry of the kind stands for a figure (its
// text names Count) rather than for one object.
func (k Kind) Counts() bool {
	switch k {
	case Carryover, Verify, ReportReview, CommentPublish, AssessmentScores:
		return true
	}
	return false
}

// Date is the layout of deadlines.
const Date = "2006-01-02"

// Entry is one thing waiting on the person.
type Entry struct {
	Kind     Kind   `json:"kind"`
	Deadline string `json:"deadline"` // YYYY-MM-DD; "" when there is none
	Count    int    `json:"count"`    // how many things it stands for: 1, or a counter's figure
	Link     string `json:"link"`     // the page where it is done
	Title    string `json:"title"`    // the object as its users wrote it: a cycle's title, a finding's text
	UnitID   int64  `json:"unit_id"`
	Unit     string `json:"unit"` // the unit's name
	CycleID  int64  `json:"cycle_id"`
	ObjectID int64  `json:"object_id"` // the report, item, notice, appraisal or cycle; 0 for a count
	Detail   string `json:"detail"`    // a word of state: a notice's level, a cycle's next status
}

// Overdue reports whether the entry's deadline has passed on today.
func (e Entry) Overdue(today string) bool { return e.Deadline != "" && e.Deadline < today }

// Today is the day of t, as deadlines are written.
func Today(t time.Time) string { return t.Format(Date) }

// Sort orders entries most urgent first: overdue ones, then by deadline
// (none last), then by kind and by object, so the order is stable.
func Sort(es []Entry, today string) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if oa, ob := a.Overdue(today), b.Overdue(today); oa != ob {
			return oa
		}
		if a.Deadline != b.Deadline {
			switch {
			case a.Deadline == "":
				return false
			case b.Deadline == "":
				return true
			}
			return a.Deadline < b.Deadline
		}
		if ra, rb := a.Kind.rank(), b.Kind.rank(); ra != rb {
			return ra < rb
		}
		if a.CycleID != b.CycleID {
			return a.CycleID < b.CycleID
		}
		return a.ObjectID < b.ObjectID
	})
}

// DueSoon reports whether deadline falls within warnDays from today
// (today included) and has not passed.
func DueSoon(deadline, today string, warnDays int) bool {
	if deadline == "" || deadline < today {
		return false
	}
	t, err := time.Parse(Date, today)
	if err != nil {
		return false
	}
	return deadline <= t.AddDate(0, 0, warnDays).Format(Date)
}
