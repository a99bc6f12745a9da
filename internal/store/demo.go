package store

import (
	"context"

	"zeren/internal/audit"
)

// AgeForDemo moves an open item's deadline into the past, as if the days
// between had gone by: the demo needs overdue items, and no user may plan
// a deadline before today. Counters follow as for any change.
func (s *Store) AgeForDemo(ctx context.Context, by audit.Actor, id int64, deadline string) error {
	return s.Tx(ctx, func(tx *Tx) error {
		x, err := tx.rectForUpdate(ctx, id, 0)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE rectifications SET deadline = ?, original_deadline = ?, version = version + 1 WHERE id = ?`,
			deadline, deadline, id); err != nil {
			return err
		}
		after := *stateOf(x)
		after.deadline = deadline
		if err := tx.rollup(ctx, x.UnitPath, x.CycleID, stateOf(x), &after); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "rectification.demo_age", objectType: "rectification", objectID: id,
			before: map[string]any{"deadline": x.Deadline}, after: map[string]any{"deadline": deadline}})
	})
}
