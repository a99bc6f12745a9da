package store

import (
	"context"
	"fmt"
	"strings"

	"zeren/internal/rectification"
	"zeren/internal/unit"
)

// rollupRaised adds to the counters of the level that raised an item's
// finding and of each of its ancestors (migration 0022): items awaiting
// verification and pending extension requests, both decided on that level.
// The to-do reads a supervisor's figures there in one row per cycle.
func (t *Tx) rollupRaised(ctx context.Context, raiserPath string, cycleID int64, awaiting, extensions int) error {
	if (awaiting == 0 && extensions == 0) || raiserPath == "" {
		return nil
	}
	ids := unit.Ancestors(raiserPath)
	var sb strings.Builder
	args := make([]any, 0, len(ids)*4)
	for i, id := range ids {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?)")
		args = append(args, id, cycleID, awaiting, extensions)
	}
	if _, err := t.exec(ctx, `INSERT INTO rollup_raised (unit_id, cycle_id, awaiting, extensions) VALUES `+sb.String()+`
		ON CONFLICT (unit_id, cycle_id) DO UPDATE SET awaiting = rollup_raised.awaiting + excluded.awaiting,
		extensions = rollup_raised.extensions + excluded.extensions`, args...); err != nil {
		return fmt.Errorf("rollup raised: %w", err)
	}
	return nil
}

// moveRaised carries a moved unit's raised counters (its subtree's, kept
// on its own row) from its old ancestors to its new ones.
func (t *Tx) moveRaised(ctx context.Context, id int64, oldUp, newUp []int64) error {
	for _, m := range []struct {
		ids  []int64
		sign int
	}{{oldUp, -1}, {newUp, 1}} {
		for _, a := range m.ids {
			if _, err := t.exec(ctx, `INSERT INTO rollup_raised (unit_id, cycle_id, awaiting, extensions)
				SELECT ?, cycle_id, ?*awaiting, ?*extensions FROM rollup_raised WHERE unit_id = ?
				ON CONFLICT (unit_id, cycle_id) DO UPDATE SET awaiting = rollup_raised.awaiting + excluded.awaiting,
				extensions = rollup_raised.extensions + excluded.extensions`, a, m.sign, m.sign, id); err != nil {
				return fmt.Errorf("move rollup raised: %w", err)
			}
		}
	}
	return nil
}

// awaiting is 1 for an item awaiting verification, else 0.
func awaiting(s rectification.Status) int {
	if s == rectification.AwaitingVerification {
		return 1
	}
	return 0
}
