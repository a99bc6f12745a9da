package action

import (
	"context"

	"zeren/internal/apperr"
	"zeren/internal/auth"
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
