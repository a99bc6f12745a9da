package rectification

import "testing"

// Adding two subtrees' figures gives the figures of their union: counts
// add, rates are those of the sum, not an average of the rates.
func TestStatsAdd(t *testing.T) {
	a := Stats{Total: 4, Closed: 3, ClosedOnTime: 3, DaysToClose: 30}
	b := Stats{Total: 2, InProgress: 1, Closed: 1, Overdue: 1, DaysToClose: 10}
	a.Add(b)
	a.Finish()
	if a.Total != 6 || a.Closed != 4 || a.Overdue != 1 || a.OnTimeRate == nil || *a.OnTimeRate != 60 || *a.AvgDaysToClose != 10 {
		t.Fatalf("%+v rate %v", a, a.OnTimeRate)
	}
}
