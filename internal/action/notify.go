package action

import (
	"context"
	"strconv"
	"time"

	"zeren/internal/auth"
	"zeren/internal/rectification"
	"zeren/internal/remind"
	"zeren/internal/report"
	"zeren/internal/store"
)

// The people a change tells, in the change's own transaction: the ones
// holding these roles on the unit that must answer (the unit itself, not
// its ancestors: a county leader is not told about each township's item).
var (
	workers     = []string{string(auth.UnitLeader), string(auth.UnitStaff)}
	supervisors = []string{string(auth.Supervisor), string(auth.Organizer)}
)

// tell adds a notification for the workers of a unit.
func (a *Actions) tell(ctx context.Context, unitID int64, roles []string, k remind.Kind, object, link string, args ...string) error {
	_, err := a.st.NotifyUnit(ctx, unitID, roles, remind.Notification{
		Kind: k, Key: remind.Key(k, object, a.st.Now()), Link: link, Args: args})
	return err
}

func rectLink(id int64) string { return "/rectifications/" + strconv.FormatInt(id, 10) }

// urged tells the item's unit about a new urge notice.
func (a *Actions) urged(ctx context.Context, x rectification.Rectification, urgeID int64, level rectification.UrgeLevel, replyBy string) error {
	return a.tell(ctx, x.UnitID, workers, remind.UrgeIssued, "urge/"+strconv.FormatInt(urgeID, 10), rectLink(x.ID),
		string(level), x.UnitName, replyBy, remind.Excerpt(x.Finding.Text))
}

// moved tells a unit that its report came back or its item was rejected.
func (a *Actions) reportMoved(ctx context.Context, rp report.Report) error {
	if rp.Status != report.Returned {
		return nil
	}
	return a.tell(ctx, rp.UnitID, workers, remind.ReportReturned, "report/"+strconv.FormatInt(rp.ID, 10)+"/"+strconv.FormatInt(rp.Version, 10),
		"/reports/"+strconv.FormatInt(rp.ID, 10), rp.UnitName, remind.Excerpt(rp.ReturnReason))
}

func (a *Actions) rectMoved(ctx context.Context, x rectification.Rectification, m rectification.Move, reason string) error {
	if m != rectification.Reject {
		return nil
	}
	return a.tell(ctx, x.UnitID, workers, remind.ItemRejected, "rect/"+strconv.FormatInt(x.ID, 10)+"/"+strconv.FormatInt(x.Version, 10),
		rectLink(x.ID), x.UnitName, remind.Excerpt(x.Finding.Text), remind.Excerpt(reason))
}

// SetStallDays sets the days without progress after which the cycle's
// overdue items get urge notices from the system.
func (a *Actions) SetStallDays(ctx context.Context, p *auth.Principal, cycleID int64, days int) error {
	if _, err := a.CycleFor(ctx, p, cycleID, CycleEscalation); err != nil {
		return err
	}
	return a.st.SetStallDays(ctx, p.Actor(), cycleID, days)
}

// Escalate issues the system's urge notice on a stalled item (the sweep
// calls it with the System principal) and tells the unit, its leader and
// the supervisors of the level that raised the finding, in one
// transaction; it rereads the item there, so a sweep run twice issues once.
func (a *Actions) Escalate(ctx context.Context, p *auth.Principal, it store.StalledItem, day time.Time, text func(rectification.UrgeLevel) string) (rectification.UrgeLevel, error) {
	var issued rectification.UrgeLevel
	err := a.st.InTx(ctx, func(ctx context.Context) error {
		x, err := a.rect(ctx, p, it.ID, UrgeIssue)
		if err != nil {
			return err
		}
		if it, err = a.st.Stalled(ctx, it); err != nil {
			return err
		}
		level, ok := remind.Escalation(it.Stall, day, it.StallDays)
		if !ok || x.Status == rectification.Closed || x.Status == rectification.AwaitingVerification {
			return nil
		}
		replyBy := rectification.Day(day).AddDate(0, 0, remind.ReplyDays).Format(rectification.Date)
		var id int64
		if it.OpenUrge != 0 {
			id, err = a.st.EscalateUrge(ctx, p.Actor(), it.OpenUrge, text(level), replyBy)
		} else {
			id, err = a.st.IssueUrge(ctx, p.Actor(), it.ID, rectification.Urge{Level: level, Text: text(level), ReplyBy: replyBy})
		}
		if err != nil {
			return err
		}
		if err := a.urged(ctx, x, id, level, replyBy); err != nil {
			return err
		}
		issued = level
		if it.RaisedByID == 0 {
			return nil
		}
		return a.tell(ctx, it.RaisedByID, supervisors, remind.ItemStalled, "rect/"+strconv.FormatInt(x.ID, 10), rectLink(x.ID),
			string(level), x.UnitName, remind.Excerpt(x.Finding.Text), day.Format(rectification.Date))
	})
	return issued, err
}

// CanManageJobs reports whether p may see the failed delivery jobs and
// retry them: they name people and their addresses across the whole tree.
func CanManageJobs(p *auth.Principal) bool {
	return RuleOf(JobsManage).On == OnTop && p.IsTopAdmin()
}
