package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/roster"
	"zeren/internal/unit"
)

// unitPlan is what one row does to its unit.
type unitPlan struct {
	n      *rnode
	line   int
	ops    []roster.Op
	fields []roster.Field
	parent *rnode // the new parent, for a move
}

// ImportUnits brings a units sheet in: each row names a unit by its
// number, else by its parent and name, and updates it, or creates it when
// there is none. Rows are read top down, each seeing what the rows above
// did, so a parent must come before its children. Every row is checked
// first (unknown or ambiguous parent, a move under itself, a duplicate, a
// change outside the importer's rights); nothing is written unless every
// row is good, and then everything is, in one transaction, each unit with
// its audit event, and one event for the import. With ArchiveMissing the
// units of the importer's scopes that no row names are archived.
func (s *Store) ImportUnits(ctx context.Context, by audit.Actor, sh roster.UnitSheet, in RosterImport) (roster.Result, error) {
	res := roster.Result{Sheet: roster.Units, Rows: len(sh.Rows) + len(sh.Errors), DryRun: in.DryRun,
		Errors: append([]roster.RowError(nil), sh.Errors...)}
	var plans []unitPlan
	plan := func(ctx context.Context, tx *Tx) error {
		tr, err := loadTree(ctx, tx.tx, in.Policy.Sees)
		if err != nil {
			return err
		}
		for _, row := range sh.Rows {
			p, f, err := tr.planUnit(row, in.Policy)
			if err != nil {
				if apperr.KindOf(err) == apperr.Internal {
					return err
				}
				res.Errors = append(res.Errors, roster.NewRowError(row.Line, f, err))
				continue
			}
			plans = append(plans, p)
		}
		if in.ArchiveMissing {
			missing, errs := tr.missing(in.Policy)
			plans = append(plans, missing...)
			res.Errors = append(res.Errors, errs...)
		}
		return nil
	}
	apply := func(ctx context.Context, tx *Tx) error { return tx.applyUnits(ctx, by, plans, in) }
	changes := func() []roster.Change {
		out := make([]roster.Change, len(plans))
		for i, p := range plans {
			out[i] = roster.Change{Line: p.line, Ops: p.ops, ID: p.n.id, Name: p.n.namePath(), Fields: p.fields}
		}
		return out
	}
	err := s.importSheet(ctx, by, &res, in, plan, apply, changes)
	return res, err
}

// importSheet runs an import in one transaction: plan checks every row
// (each bad one goes to res.Errors); when all are good and it is no dry
// run, apply writes them; then the import's own audit event.
func (s *Store) importSheet(ctx context.Context, by audit.Actor, res *roster.Result, in RosterImport,
	plan, apply func(ctx context.Context, tx *Tx) error, changes func() []roster.Change) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		return s.Tx(ctx, func(tx *Tx) error {
			if err := plan(ctx, tx); err != nil {
				return err
			}
			if !res.OK() || in.DryRun {
				res.Changes = changes()
				return errNothingToApply
			}
			if err := apply(ctx, tx); err != nil {
				return err
			}
			res.Changes = changes()
			res.Count()
			return tx.audit(ctx, by, change{action: string(res.Sheet) + ".import", objectType: "import", after: res.Counts})
		})
	})
	if errors.Is(err, errNothingToApply) {
		err = nil
	}
	res.SortErrors()
	if res.Counts == nil {
		res.Count()
	}
	return err
}

// planUnit checks a row against the tree as the rows above left it and
// changes the tree as the row would. It returns the column at fault.
func (tr *rtree) planUnit(row roster.UnitRow, pol RosterPolicy) (unitPlan, roster.Field, error) {
	p := unitPlan{line: row.Line}
	var parent *rnode
	if row.Parent != "" {
		var err error
		if parent, err = tr.resolve(row.Parent); err != nil {
			return p, roster.Parent, withField(err, roster.Parent)
		}
	}
	n := tr.byCode[row.Number]
	if row.Number != "" && n != nil && !tr.visible(n) {
		return p, roster.Number, apperr.Field(string(roster.Number), "err.roster_number_taken")
	}
	if n == nil {
		var err error
		if n, err = tr.child(parent, row.Name); err != nil {
			return p, roster.Name, withField(err, roster.Name)
		}
		if n != nil && row.Number != "" && n.code != "" && n.code != row.Number {
			n = nil // a namesake with another number: a unit of its own
		}
	}
	if n != nil && n.line != 0 {
		return p, roster.Name, apperr.Field(string(roster.Name), "err.roster_duplicate", n.line)
	}
	if parent != nil && parent.archived {
		return p, roster.Parent, apperr.Field(string(roster.Parent), "err.parent_archived")
	}
	if n == nil {
		if err := pol.Units(roster.Create, parent.anchor()); err != nil {
			return p, roster.Parent, asParentError(err, row.Parent)
		}
		kind := row.Kind
		if kind == "" {
			kind = unit.Grassroots
		}
		n = &rnode{parent: parent, name: row.Name, code: row.Number, kind: kind, leader: row.Leader, line: row.Line}
		tr.add(n)
		if parent != nil {
			parent.children++
		}
		p.n, p.ops = n, []roster.Op{roster.Create}
		return p, "", nil
	}
	p.n = n
	if n.archived {
		if err := pol.Units(roster.Restore, n.path); err != nil {
			return p, roster.Name, err
		}
		p.ops = append(p.ops, roster.Restore)
	}
	if parent != n.parent {
		if parent != nil && parent.under(n) {
			return p, roster.Parent, apperr.Field(string(roster.Parent), "err.move_into_own_subtree")
		}
		if err := pol.Units(roster.Move, n.path); err != nil {
			return p, roster.Parent, err
		}
		if err := pol.Units(roster.Move, parent.anchor()); err != nil {
			return p, roster.Parent, asParentError(err, row.Parent)
		}
		p.ops, p.parent = append(p.ops, roster.Move), parent
	}
	if row.Number != "" && row.Number != n.code {
		p.fields = append(p.fields, roster.Number)
	}
	if row.Name != n.name || parent != n.parent {
		if other, _ := tr.child(parent, row.Name); other != nil && other != n {
			return p, roster.Name, apperr.Field(string(roster.Name), "err.roster_name_taken")
		}
	}
	if row.Name != n.name {
		p.fields = append(p.fields, roster.Name)
	}
	if row.Kind != "" && row.Kind != n.kind {
		p.fields = append(p.fields, roster.Kind)
	}
	if row.Leader != n.leader {
		p.fields = append(p.fields, roster.Leader)
	}
	if len(p.fields) > 0 {
		if err := pol.Units(roster.Update, n.path); err != nil {
			return p, p.fields[0], err
		}
		p.ops = append(p.ops, roster.Update)
	}
	if len(p.ops) == 0 {
		p.ops = []roster.Op{roster.Keep}
	}
	tr.unlink(n)
	if row.Number != "" && row.Number != n.code {
		delete(tr.byCode, n.code)
		n.code = row.Number
		tr.byCode[n.code] = n
	}
	n.parent, n.name, n.leader, n.archived, n.line = parent, row.Name, row.Leader, false, row.Line
	if row.Kind != "" {
		n.kind = row.Kind
	}
	tr.link(n)
	return p, "", nil
}

// withField names the column of an error found without one.
func withField(err error, f roster.Field) error {
	if e, ok := apperr.As(err); ok && e.Field == "" {
		c := *e
		c.Field = string(f)
		return &c
	}
	return err
}

// asParentError is a refused decision on a parent as the row sees it: a
// parent the importer may not manage is, to them, no parent at all.
func asParentError(err error, ref string) error {
	if apperr.KindOf(err) == apperr.Internal {
		return err
	}
	return apperr.Field(string(roster.Parent), "err.roster_unknown_unit", ref)
}

// missing plans the archiving of the saved, active units of the
// importer's scopes that no row named, deepest first; one that still has
// active units under it (named by a row) is an error.
func (tr *rtree) missing(pol RosterPolicy) ([]unitPlan, []roster.RowError) {
	var out []*rnode
	for _, n := range tr.all {
		if n.path == "" || n.line != 0 || n.archived || !inScopes(n.path, pol.Scopes) {
			continue
		}
		out = append(out, n)
	}
	slices.SortStableFunc(out, func(a, b *rnode) int { return b.depth - a.depth })
	var plans []unitPlan
	var errs []roster.RowError
	for _, n := range out {
		if n.children > 0 {
			errs = append(errs, roster.NewRowError(0, roster.Name,
				apperr.Field(string(roster.Name), "err.roster_missing_has_children", n.namePath())))
			continue
		}
		if err := pol.Units(roster.Archive, n.path); err != nil {
			errs = append(errs, roster.NewRowError(0, roster.Name, err))
			continue
		}
		n.archived = true
		if n.parent != nil {
			n.parent.children--
		}
		plans = append(plans, unitPlan{n: n, ops: []roster.Op{roster.Archive}})
	}
	return plans, errs
}

// applyUnits writes the plans: new units in bulk with their events, then
// restores (parents first), fields, moves (each re-paths its subtree, new
// units included) and archives (deepest first) through the one-unit
// changes, each with its own event.
func (t *Tx) applyUnits(ctx context.Context, by audit.Actor, plans []unitPlan, in RosterImport) error {
	var created []*rnode
	for _, p := range plans {
		if p.ops[0] == roster.Create {
			created = append(created, p.n)
		}
	}
	total, done := len(plans), 0
	ids, err := t.reserveIDs(ctx, "units", len(created))
	if err != nil {
		return err
	}
	for i, n := range created {
		n.id = ids[i]
	}
	rows := t.bulk("units", "id", "parent_id", "name", "kind", "path", "depth", "leader", "code", "created_at", "updated_at")
	c, err := t.chain(ctx)
	if err != nil {
		return err
	}
	now := t.s.Now()
	paths := map[*rnode]string{} // where the new units go, under their parents as saved
	for _, n := range created {
		var parent any
		parentPath, depth := "", 1
		if n.parent != nil {
			parent = n.parent.id
			parentPath = n.parent.path
			if n.parent.path == "" {
				parentPath = paths[n.parent]
			}
			depth = len(unit.Ancestors(parentPath)) + 1
		}
		path := unit.ChildPath(parentPath, n.id)
		paths[n] = path
		if err := rows.add(ctx, n.id, parent, n.name, string(n.kind), path, depth, n.leader, n.code, unix(now), unix(now)); err != nil {
			return err
		}
		u := unit.Unit{ID: n.id, ParentID: parentID(n), Name: n.name, Kind: n.kind, Path: path, Depth: depth, Leader: n.leader,
			Code: n.code, Version: 1, CreatedAt: fromUnix(unix(now)), UpdatedAt: fromUnix(unix(now))}
		if err := c.add(ctx, audit.Event{At: now, UserID: by.UserID, Login: by.Login, Action: "unit.create", ObjectType: "unit",
			ObjectID: n.id, UnitID: n.id, UnitPath: path, After: audit.Snapshot(u)}); err != nil {
			return err
		}
		if done++; done%1000 == 0 {
			in.progress(done, total)
		}
	}
	if err := rows.flush(ctx); err != nil {
		return err
	}
	if err := c.close(ctx, t); err != nil {
		return err
	}
	for _, p := range plans {
		if slices.Contains(p.ops, roster.Restore) {
			if _, err := t.s.ArchiveUnit(ctx, by, p.n.id, 0, false); err != nil {
				return fmt.Errorf("row %d: %w", p.line, err)
			}
		}
		if slices.Contains(p.ops, roster.Update) {
			if err := t.updateUnitFields(ctx, by, p.n); err != nil {
				return fmt.Errorf("row %d: %w", p.line, err)
			}
		}
		if slices.Contains(p.ops, roster.Move) {
			if _, err := t.s.MoveUnit(ctx, by, p.n.id, 0, parentID(p.n)); err != nil {
				return fmt.Errorf("row %d: %w", p.line, err)
			}
		}
		if p.ops[0] == roster.Archive {
			if _, err := t.s.ArchiveUnit(ctx, by, p.n.id, 0, true); err != nil {
				return fmt.Errorf("%s: %w", p.n.namePath(), err)
			}
		}
		if p.ops[0] != roster.Create {
			if done++; done%1000 == 0 {
				in.progress(done, total)
			}
		}
	}
	in.progress(total, total)
	return nil
}

func parentID(n *rnode) int64 {
	if n.parent == nil {
		return 0
	}
	return n.parent.id
}

// updateUnitFields saves a unit's number, name, kind and leader.
func (t *Tx) updateUnitFields(ctx context.Context, by audit.Actor, n *rnode) error {
	before, err := t.unitForUpdate(ctx, n.id)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE units SET code = ?, name = ?, kind = ?, leader = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		n.code, n.name, string(n.kind), n.leader, unix(t.s.Now()), n.id); err != nil {
		if isUniqueViolation(err) {
			return apperr.Field(string(roster.Number), "err.roster_number_taken")
		}
		return fmt.Errorf("update unit: %w", err)
	}
	return t.auditUnit(ctx, by, "unit.update", before)
}
