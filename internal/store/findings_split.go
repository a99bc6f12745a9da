package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/finding"
	"zeren/internal/rectification"
	"zeren/internal/unit"
)

// MaxItemsPerFinding bounds a split: a problem needing more pieces of work
// than this is several problems.
const MaxItemsPerFinding = 20

// SplitFinding adds another item, in planning, to an open finding and
// returns its id. A finding may need several pieces of work, each with its
// own plan, owner and deadline; it closes only when the last of its items
// does (settleFinding). The note, if any, says what the new item is to
// answer; it opens the item's timeline.
func (s *Store) SplitFinding(ctx context.Context, by audit.Actor, findingID int64, note string) (int64, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > rectification.MaxTextLen {
		return 0, apperr.Field("note", "err.too_long", rectification.MaxTextLen)
	}
	var id int64
	err := s.Tx(ctx, func(tx *Tx) error {
		// Locked, so that two splits, or a split and an edit, take turns.
		x, err := scanFinding(tx.queryRow(ctx, `SELECT `+findingCols+findingFrom+` WHERE f.id = ?`+tx.forUpdate("f"), findingID))
		if err != nil {
			return err
		}
		if x.Status != finding.Open {
			return apperr.New(apperr.Conflict, "err.finding_closed")
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM rectifications WHERE finding_id = ?`, x.ID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxItemsPerFinding {
			return apperr.New(apperr.Conflict, "err.too_many_items", MaxItemsPerFinding)
		}
		u := unit.Unit{ID: x.UnitID, Path: x.UnitPath}
		if id, err = tx.insertRect(ctx, by, x.ID, u, x.CycleID); err != nil {
			return err
		}
		if err := tx.event(ctx, by, id, "split", note, ""); err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "finding.split", objectType: "finding", objectID: x.ID, unit: &u,
			after: map[string]any{"rectification_id": id, "note": note}})
	})
	return id, err
}
