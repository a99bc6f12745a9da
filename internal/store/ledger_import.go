package store

import (
	"context"
	"errors"
	"fmt"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/ledger"
	"zeren/internal/rectification"
	"zeren/internal/unit"
)

// LedgerImport is an edited ledger to import into a cycle's items.
type LedgerImport struct {
	CycleID int64
	Sheet   ledger.Sheet
	Read    []string // subtrees whose items the importer sees (auth.ReadUnit)
	Edit    []string // subtrees whose plans and progress the importer keeps (auth.PlanRectification)
	DryRun  bool     // check and report, change nothing
}

// errNothingToApply ends an import's transaction without committing.
var errNothingToApply = errors.New("ledger import: nothing to apply")

// ImportLedger updates plans and progress in bulk from an edited ledger,
// matching rows to items by id. Every row is checked first, with the rules
// of SavePlan and AddUpdate; the result lists each bad row with its reason.
// Nothing is applied unless every row is valid, and then everything is, in
// one transaction, with the timeline events, audit events and counters that
// SavePlan and AddUpdate write. A dry run reports what would change.
func (s *Store) ImportLedger(ctx context.Context, by audit.Actor, in LedgerImport) (ledger.Result, error) {
	res := ledger.Result{Rows: len(in.Sheet.Rows) + len(in.Sheet.Errors), DryRun: in.DryRun,
		Errors: append([]ledger.RowError(nil), in.Sheet.Errors...)}
	err := s.Tx(ctx, func(tx *Tx) error {
		type todo struct {
			x rectification.Rectification
			c ledger.Change
		}
		var work []todo
		seen := map[int64]int{} // item → the row that named it first
		for _, row := range in.Sheet.Rows {
			x, c, err := tx.checkLedgerRow(ctx, row, in, seen)
			switch {
			case err != nil && apperr.KindOf(err) == apperr.Internal:
				return err
			case err != nil:
				res.Errors = append(res.Errors, ledger.NewRowError(row, err))
			case c == nil:
				res.Unchanged++
			default:
				work = append(work, todo{x, *c})
				res.Changes = append(res.Changes, *c)
			}
		}
		if len(res.Errors) > 0 || in.DryRun || len(work) == 0 {
			return errNothingToApply
		}
		for _, w := range work {
			if len(w.c.Fields) > 0 {
				if err := tx.applyPlan(ctx, by, w.x, w.c.Plan); err != nil {
					return err
				}
			}
			if w.c.Progress != "" {
				if err := tx.applyUpdate(ctx, by, w.x, w.c.Progress, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if errors.Is(err, errNothingToApply) {
		err = nil
	}
	res.SortErrors()
	return res, err
}

// checkLedgerRow reads a row's item for update and decides what the row
// changes: nil when nothing, an error naming the column when the row may
// not be imported.
func (t *Tx) checkLedgerRow(ctx context.Context, row ledger.Row, in LedgerImport, seen map[int64]int) (rectification.Rectification, *ledger.Change, error) {
	item := string(ledger.ItemID)
	if first, dup := seen[row.ID]; dup {
		return rectification.Rectification{}, nil, apperr.Field(item, "err.ledger_duplicate_row", row.ID, first)
	}
	seen[row.ID] = row.Line
	x, err := t.rectForUpdate(ctx, row.ID, 0)
	if apperr.Is(err, apperr.NotFound) || err == nil && !inScopes(x.UnitPath, in.Read) {
		return x, nil, apperr.Field(item, "err.ledger_no_such_item", row.ID)
	}
	if err != nil {
		return x, nil, err
	}
	if x.CycleID != in.CycleID {
		return x, nil, apperr.Field(item, "err.ledger_other_cycle", row.ID)
	}
	if f := row.Mismatch(x); f != "" {
		return x, nil, apperr.Field(string(f), "err.ledger_mismatch", row.ID)
	}
	c := ledger.Change{Line: row.Line, ID: x.ID, Unit: x.UnitName, Problem: x.Finding.Text, Fields: row.PlanChanges(x)}
	if text, ok := row.NewProgress(x); ok {
		again, err := t.repeatsUpdate(ctx, x.ID, text)
		if err != nil {
			return x, nil, err
		}
		if !again {
			c.Progress = text
		}
	}
	if len(c.Fields) == 0 && c.Progress == "" {
		return x, nil, nil
	}
	if !inScopes(x.UnitPath, in.Edit) {
		return x, nil, apperr.New(apperr.Forbidden, "err.ledger_not_editable", x.UnitName)
	}
	if len(c.Fields) > 0 {
		// A plan edited on a copy older than the item's last change would
		// undo that change: the copy's version says so.
		if row.Version != 0 && row.Version != x.Version {
			return x, nil, staleVersion()
		}
		c.Plan = row.PlanFor(x)
		if err := checkPlan(x, &c.Plan, t.s.Now()); err != nil {
			return x, nil, err
		}
	}
	if c.Progress != "" {
		if err := checkUpdate(x, c.Progress); err != nil {
			return x, nil, err
		}
	}
	return x, &c, nil
}

// inScopes reports whether the unit at path lies in one of the subtrees.
func inScopes(path string, scopes []string) bool {
	for _, s := range scopes {
		if unit.Contains(s, path) {
			return true
		}
	}
	return false
}

// repeatsUpdate reports whether text is an earlier update of the item: a
// copy exported before a later update still holds the older text, which is
// not news.
func (t *Tx) repeatsUpdate(ctx context.Context, id int64, text string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM rectification_events WHERE rectification_id = ? AND kind = 'update' AND text = ?`,
		id, text).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("earlier updates: %w", err)
	}
	return n > 0, nil
}
