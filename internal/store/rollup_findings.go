package store

import (
	"context"
	"fmt"
	"strings"

	"zeren/internal/finding"
	"zeren/internal/unit"
)

// countFinding adds to the findings counters of a unit and its ancestors in
// a cycle, by source and area, in the transaction of the change.
func (t *Tx) countFinding(ctx context.Context, path string, cycleID int64, source finding.Source, area string, total, closed int) error {
	if total == 0 && closed == 0 {
		return nil
	}
	ids := unit.Ancestors(path)
	var sb strings.Builder
	args := make([]any, 0, len(ids)*6)
	for i, id := range ids {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?)")
		args = append(args, id, cycleID, string(source), area, total, closed)
	}
	if _, err := t.exec(ctx, `INSERT INTO rollup_findings (unit_id, cycle_id, source, area, total, closed) VALUES `+sb.String()+`
		ON CONFLICT (unit_id, cycle_id, source, area) DO UPDATE SET total = rollup_findings.total + excluded.total,
		closed = rollup_findings.closed + excluded.closed`, args...); err != nil {
		return fmt.Errorf("findings counters: %w", err)
	}
	return nil
}

// findingState is what the findings counters count of a finding.
type findingState struct {
	path    string
	cycleID int64
	source  finding.Source
	area    string
	closed  bool
}

func (t *Tx) findingState(ctx context.Context, id int64) (findingState, error) {
	var s findingState
	var status string
	err := t.queryRow(ctx, `SELECT un.path, f.cycle_id, f.source, f.area, f.status FROM findings f JOIN units un ON un.id = f.unit_id
		WHERE f.id = ?`+t.forUpdate("f"), id).Scan(&s.path, &s.cycleID, &s.source, &s.area, &status)
	s.closed = status == string(finding.Closed)
	return s, err
}

// recount moves a finding's count from its state before a change to its
// state after.
func (t *Tx) recount(ctx context.Context, before, after findingState) error {
	if before == after {
		return nil
	}
	if err := t.countFinding(ctx, before.path, before.cycleID, before.source, before.area, -1, -b2i(before.closed)); err != nil {
		return err
	}
	return t.countFinding(ctx, after.path, after.cycleID, after.source, after.area, 1, b2i(after.closed))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// moveFindingCounts carries a moved unit's findings counters from its old
// ancestors to its new ones, in the transaction of the move.
func (t *Tx) moveFindingCounts(ctx context.Context, id int64, oldUp, newUp []int64) error {
	for _, m := range []struct {
		ids  []int64
		sign int
	}{{oldUp, -1}, {newUp, 1}} {
		for _, a := range m.ids {
			if _, err := t.exec(ctx, `INSERT INTO rollup_findings (unit_id, cycle_id, source, area, total, closed)
				SELECT ?, cycle_id, source, area, ?*total, ?*closed FROM rollup_findings WHERE unit_id = ?
				ON CONFLICT (unit_id, cycle_id, source, area) DO UPDATE SET total = rollup_findings.total + excluded.total,
				closed = rollup_findings.closed + excluded.closed`, a, m.sign, m.sign, id); err != nil {
				return fmt.Errorf("move findings counters: %w", err)
			}
		}
	}
	return nil
}
