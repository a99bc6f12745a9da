package action

import (
	"context"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/store"
)

// Voter resolves p as a voter of the appraisal (BallotCast): the
// invitation alone lets them vote, whatever their grants; one who is not
// invited is refused (403) if they may see the cycle, else not found.
func (a *Actions) Voter(ctx context.Context, p *auth.Principal, appraisalID int64) (store.BallotVoter, error) {
	if RuleOf(BallotCast).On != OnVoter {
		panic("action: ballots are decided by the voter list")
	}
	v, err := a.st.UserVoter(ctx, appraisalID, p.UserID)
	if apperr.Is(err, apperr.Forbidden) {
		if _, cerr := a.Cycle(ctx, p, v.Appraisal.CycleID); cerr != nil {
			return v, cerr
		}
	}
	return v, err
}

// Appraisal loads an appraisal whose cycle p may see, with the cycle.
func (a *Actions) Appraisal(ctx context.Context, p *auth.Principal, id int64) (appraisal.Appraisal, cycle.Cycle, error) {
	ap, err := a.st.Appraisal(ctx, id)
	if err != nil {
		return ap, cycle.Cycle{}, err
	}
	c, err := a.Cycle(ctx, p, ap.CycleID)
	return ap, c, err
}

// managedAppraisal loads an appraisal for its cycle's organizer.
func (a *Actions) managedAppraisal(ctx context.Context, p *auth.Principal, id int64) (appraisal.Appraisal, error) {
	ap, c, err := a.Appraisal(ctx, p, id)
	if err != nil {
		return ap, err
	}
	return ap, decide(p, AppraisalManage, CycleTarget(c))
}

// CreateAppraisal sets up the appraisal of a cycle.
func (a *Actions) CreateAppraisal(ctx context.Context, p *auth.Principal, cycleID int64, setup appraisal.Appraisal) (appraisal.Appraisal, error) {
	if _, err := a.CycleFor(ctx, p, cycleID, AppraisalManage); err != nil {
		return appraisal.Appraisal{}, err
	}
	return a.st.CreateAppraisal(ctx, p.Actor(), cycleID, setup)
}

// UpdateAppraisal changes an appraisal's setup.
func (a *Actions) UpdateAppraisal(ctx context.Context, p *auth.Principal, id, version int64, setup appraisal.Appraisal) (appraisal.Appraisal, error) {
	if _, err := a.managedAppraisal(ctx, p, id); err != nil {
		return appraisal.Appraisal{}, err
	}
	return a.st.UpdateAppraisal(ctx, p.Actor(), id, version, setup)
}

// MoveAppraisal opens or closes the vote.
func (a *Actions) MoveAppraisal(ctx context.Context, p *auth.Principal, id, version int64, to appraisal.Status) (appraisal.Appraisal, error) {
	if _, err := a.managedAppraisal(ctx, p, id); err != nil {
		return appraisal.Appraisal{}, err
	}
	return a.st.MoveAppraisal(ctx, p.Actor(), id, version, to)
}

// AddVoters invites users by login, or every holder of a role in the
// subtree at path, which must lie in the cycle's subtree.
func (a *Actions) AddVoters(ctx context.Context, p *auth.Principal, id, groupID int64, logins []string, role, path string) (int, error) {
	if _, err := a.managedAppraisal(ctx, p, id); err != nil {
		return 0, err
	}
	return a.st.AddVoters(ctx, p.Actor(), id, groupID, logins, role, path)
}

// RemoveVoter withdraws an invitation.
func (a *Actions) RemoveVoter(ctx context.Context, p *auth.Principal, id, userID int64) error {
	if _, err := a.managedAppraisal(ctx, p, id); err != nil {
		return err
	}
	return a.st.RemoveVoter(ctx, p.Actor(), id, userID)
}

// CreateCodes prints one-time voting codes.
func (a *Actions) CreateCodes(ctx context.Context, p *auth.Principal, id, groupID, unitID int64, n int) ([]appraisal.Code, error) {
	if _, err := a.managedAppraisal(ctx, p, id); err != nil {
		return nil, err
	}
	return a.st.CreateCodes(ctx, p.Actor(), id, groupID, unitID, n)
}
