package assessment

import (
	"math"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// Adjustment is points the organizer adds to or takes from a unit's total,
// e.g. for a major achievement or an incident the indicators do not see.
// It must say why: an unexplained change of score is what an assessment
// must never contain.
type Adjustment struct {
	Points float64 `json:"adjustment"` // −100 to 100; the final score is still kept within 0–100
	Reason string  `json:"reason"`
}

// Normalize trims the reason and checks the adjustment.
func (a *Adjustment) Normalize() error {
	a.Reason = strings.TrimSpace(a.Reason)
	if math.IsNaN(a.Points) || a.Points < -FullScore || a.Points > FullScore {
		return apperr.Field("adjustment", "err.adjustment_range", FullScore, FullScore)
	}
	if a.Points != 0 && a.Reason == "" {
		return apperr.Field("reason", "err.adjustment_reason")
	}
	if utf8.RuneCountInString(a.Reason) > MaxReasonLen {
		return apperr.Field("reason", "err.too_long", MaxReasonLen)
	}
	return nil
}
