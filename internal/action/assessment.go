package action

import (
	"context"

	"zeren/internal/assessment"
	"zeren/internal/auth"
)

// The assessment is decided on the cycle's reviewing unit.

// SaveScheme stores the cycle's assessment scheme.
func (a *Actions) SaveScheme(ctx context.Context, p *auth.Principal, cycleID, version int64, sc assessment.Scheme) (assessment.Assessment, error) {
	if _, err := a.CycleFor(ctx, p, cycleID, AssessmentManage); err != nil {
		return assessment.Assessment{}, err
	}
	return a.st.SaveScheme(ctx, p.Actor(), cycleID, version, sc)
}

// SetManual enters (or, with nil, clears) a score entered by hand.
func (a *Actions) SetManual(ctx context.Context, p *auth.Principal, cycleID, unitID int64, key string, score *float64) error {
	if _, err := a.CycleFor(ctx, p, cycleID, AssessmentManage); err != nil {
		return err
	}
	return a.st.SetManual(ctx, p.Actor(), cycleID, unitID, key, score)
}

// ComputeAssessment computes the scores from the live data.
func (a *Actions) ComputeAssessment(ctx context.Context, p *auth.Principal, cycleID int64) (assessment.Assessment, error) {
	if _, err := a.CycleFor(ctx, p, cycleID, AssessmentManage); err != nil {
		return assessment.Assessment{}, err
	}
	return a.st.ComputeAssessment(ctx, p.Actor(), cycleID)
}

// AdjustScore adjusts a unit's score with a reason.
func (a *Actions) AdjustScore(ctx context.Context, p *auth.Principal, cycleID, unitID int64, adj assessment.Adjustment) error {
	if _, err := a.CycleFor(ctx, p, cycleID, AssessmentManage); err != nil {
		return err
	}
	return a.st.AdjustScore(ctx, p.Actor(), cycleID, unitID, adj)
}

// PublishAssessment publishes the assessment.
func (a *Actions) PublishAssessment(ctx context.Context, p *auth.Principal, cycleID, version int64) error {
	if _, err := a.CycleFor(ctx, p, cycleID, AssessmentManage); err != nil {
		return err
	}
	return a.st.PublishAssessment(ctx, p.Actor(), cycleID, version)
}

// ReopenAssessment reopens a published assessment with a reason.
func (a *Actions) ReopenAssessment(ctx context.Context, p *auth.Principal, cycleID, version int64, reason string) error {
	if _, err := a.CycleFor(ctx, p, cycleID, AssessmentManage); err != nil {
		return err
	}
	return a.st.ReopenAssessment(ctx, p.Actor(), cycleID, version, reason)
}
