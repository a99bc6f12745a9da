package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/audit"
	"zeren/internal/unit"
)

const unitCols = `u.id, COALESCE(u.parent_id, 0), u.name, u.kind, u.path, u.depth, u.leader,
	u.archived, u.version, u.created_at, u.updated_at, u.code`

func scanUnit(row interface{ Scan(...any) error }, extra ...any) (unit.Unit, error) {
	var u unit.Unit
	var created, updated int64
	dest := append([]any{&u.ID, &u.ParentID, &u.Name, &u.Kind, &u.Path, &u.Depth, &u.Leader,
		&u.Archived, &u.Version, &created, &updated, &u.Code}, extra...)
	if err := row.Scan(dest...); err != nil {
		return u, err
	}
	u.CreatedAt, u.UpdatedAt = fromUnix(created), fromUnix(updated)
	return u, nil
}

func unitNotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "err.not_found")
	}
	return err
}

// Unit returns one unit.
func (s *Store) Unit(ctx context.Context, id int64) (unit.Unit, error) {
	row := s.rd(ctx).QueryRowContext(ctx, s.q(`SELECT `+unitCols+`,
		(SELECT count(*) FROM units c WHERE c.parent_id = u.id)
		FROM units u WHERE u.id = ?`), id)
	var n int
	u, err := scanUnit(row, &n)
	u.Children = n
	if err != nil {
		return u, fmt.Errorf("unit %d: %w", id, unitNotFound(err))
	}
	return u, nil
}

func (t *Tx) unitForUpdate(ctx context.Context, id int64) (unit.Unit, error) {
	lock := t.forUpdate("")
	u, err := scanUnit(t.queryRow(ctx, `SELECT `+unitCols+` FROM units u WHERE u.id = ?`+lock, id))
	if err != nil {
		return u, fmt.Errorf("unit %d: %w", id, unitNotFound(err))
	}
	return u, nil
}

// CreateUnit adds a unit under parentID (0 makes a root) and returns it.
func (s *Store) CreateUnit(ctx context.Context, by audit.Actor, parentID int64, d unit.Draft) (unit.Unit, error) {
	if err := d.Normalize(); err != nil {
		return unit.Unit{}, err
	}
	var id int64
	err := s.Tx(ctx, func(tx *Tx) error {
		parentPath, depth := "", 1
		var parent any // NULL for a root
		if parentID != 0 {
			p, err := tx.unitForUpdate(ctx, parentID)
			if apperr.Is(err, apperr.NotFound) {
				return apperr.Field("parent_id", "err.no_such_unit", parentID)
			}
			if err != nil {
				return err
			}
			if p.Archived {
				return apperr.Field("parent_id", "err.parent_archived")
			}
			parentPath, depth, parent = p.Path, p.Depth+1, parentID
		}
		now := unix(s.Now())
		// The path holds the unit's own id, known only after the insert.
		err := tx.queryRow(ctx, `INSERT INTO units (parent_id, name, kind, path, depth, leader, created_at, updated_at)
			VALUES (?, ?, ?, '', ?, ?, ?, ?) RETURNING id`,
			parent, d.Name, string(d.Kind), depth, d.Leader, now, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert unit: %w", err)
		}
		if _, err = tx.exec(ctx, `UPDATE units SET path = ? WHERE id = ?`, unit.ChildPath(parentPath, id), id); err != nil {
			return err
		}
		u, err := tx.unitForUpdate(ctx, id)
		if err != nil {
			return err
		}
		return tx.audit(ctx, by, change{action: "unit.create", objectType: "unit", objectID: id, unit: &u, after: u})
	})
	if err != nil {
		return unit.Unit{}, err
	}
	return s.Unit(ctx, id)
}

// staleVersion is the error for an edit based on an old version.
func staleVersion() error { return apperr.New(apperr.Conflict, "err.stale_version") }

// UpdateUnit renames a unit or changes its kind and leader, if version is current.
func (s *Store) UpdateUnit(ctx context.Context, by audit.Actor, id, version int64, d unit.Draft) (unit.Unit, error) {
	if err := d.Normalize(); err != nil {
		return unit.Unit{}, err
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		before, err := tx.unitForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if version != 0 && before.Version != version {
			return staleVersion()
		}
		if _, err := tx.exec(ctx, `UPDATE units SET name = ?, kind = ?, leader = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, d.Name, string(d.Kind), d.Leader, unix(s.Now()), id); err != nil {
			return fmt.Errorf("update unit: %w", err)
		}
		return tx.auditUnit(ctx, by, "unit.update", before)
	})
	if err != nil {
		return unit.Unit{}, err
	}
	return s.Unit(ctx, id)
}

// auditUnit records a change of a unit, reading its state after the change.
func (t *Tx) auditUnit(ctx context.Context, by audit.Actor, action string, before unit.Unit) error {
	after, err := t.unitForUpdate(ctx, before.ID)
	if err != nil {
		return err
	}
	return t.audit(ctx, by, change{action: action, objectType: "unit", objectID: before.ID, unit: &after, before: before, after: after})
}

// MoveUnit puts a unit and its whole subtree under newParentID, re-pathing
// every descendant in one statement inside one transaction.
func (s *Store) MoveUnit(ctx context.Context, by audit.Actor, id, version, newParentID int64) (unit.Unit, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		u, err := tx.unitForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if version != 0 && u.Version != version {
			return staleVersion()
		}
		if newParentID == u.ParentID {
			return nil
		}
		var parent *unit.Unit
		newPath, newDepth := unit.ChildPath("", id), 1
		if newParentID != 0 {
			p, err := tx.unitForUpdate(ctx, newParentID)
			if apperr.Is(err, apperr.NotFound) {
				return apperr.Field("parent_id", "err.no_such_unit", newParentID)
			}
			if err != nil {
				return err
			}
			parent = &p
			newPath, newDepth = unit.ChildPath(p.Path, id), p.Depth+1
		}
		if err := unit.CheckMove(u, parent); err != nil {
			return err
		}
		lo, hi := unit.SubtreeRange(u.Path)
		_, err = tx.exec(ctx, `UPDATE units SET path = ? || substr(path, ?), depth = depth + ?, updated_at = ?
			WHERE path >= ? AND path < ?`,
			newPath, len(u.Path)+1, newDepth-u.Depth, unix(s.Now()), lo, hi)
		if err != nil {
			return fmt.Errorf("re-path subtree: %w", err)
		}
		var p any
		if newParentID != 0 {
			p = newParentID
		}
		if _, err = tx.exec(ctx, `UPDATE units SET parent_id = ?, version = version + 1 WHERE id = ?`, p, id); err != nil {
			return err
		}
		if err := tx.moveRollups(ctx, id, u.Path, newPath); err != nil {
			return err
		}
		return tx.auditUnit(ctx, by, "unit.move", u)
	})
	if err != nil {
		return unit.Unit{}, err
	}
	return s.Unit(ctx, id)
}

// ArchiveUnit archives or restores a unit. An archived unit keeps its history
// but leaves pickers; a unit with active sub-units cannot be archived, so
// that nothing live hangs under an archived node.
func (s *Store) ArchiveUnit(ctx context.Context, by audit.Actor, id, version int64, archived bool) (unit.Unit, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		u, err := tx.unitForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if version != 0 && u.Version != version {
			return staleVersion()
		}
		if archived {
			var n int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM units WHERE parent_id = ? AND archived = ?`, id, false).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Field("archived", "err.active_children", n)
			}
		} else if u.ParentID != 0 {
			p, err := tx.unitForUpdate(ctx, u.ParentID)
			if err != nil {
				return err
			}
			if p.Archived {
				return apperr.Field("archived", "err.parent_archived")
			}
		}
		if _, err = tx.exec(ctx, `UPDATE units SET archived = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			archived, unix(s.Now()), id); err != nil {
			return err
		}
		action := "unit.archive"
		if !archived {
			action = "unit.restore"
		}
		return tx.auditUnit(ctx, by, action, u)
	})
	if err != nil {
		return unit.Unit{}, err
	}
	return s.Unit(ctx, id)
}

// UnitFilter selects units for the tree, searches and pickers. Scopes are the
// subtree paths the reader may see; an empty Scopes selects nothing.
type UnitFilter struct {
	Scopes          []string
	ParentID        *int64 // direct children of this unit; nil: the scope roots (or a search)
	Query           string // substring of the name
	IncludeArchived bool
	Limit           int
}

// Units lists the units matching f, ordered by path (so a search result
// reads as the tree does), each with its number of direct children.
func (s *Store) Units(ctx context.Context, f UnitFilter) ([]unit.Unit, error) {
	if len(f.Scopes) == 0 {
		return nil, nil
	}
	scope, args := scopeClause("u.path", f.Scopes)
	where := []string{scope}
	switch {
	case f.ParentID != nil:
		where = append(where, "u.parent_id = ?")
		args = append(args, *f.ParentID)
	case f.Query != "":
		where = append(where, "u.name LIKE ? ESCAPE '\\'")
		args = append(args, "%"+likeEscape(f.Query)+"%")
	default:
		in := make([]string, len(f.Scopes))
		for i, p := range f.Scopes {
			in[i] = "?"
			args = append(args, p)
		}
		where = append(where, "u.path IN ("+strings.Join(in, ",")+")")
	}
	if !f.IncludeArchived {
		where = append(where, "u.archived = ?")
		args = append(args, false)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	// Siblings read in the order of the organization chart: committees,
	// parks, departments, grassroots, then the order they were added in. A
	// search reads in path order, so that units of one subtree stay together.
	order := "u.path"
	if f.Query == "" {
		order = kindOrder + ", u.id"
	}
	args = append(args, f.Limit)
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT `+unitCols+`,
		(SELECT count(*) FROM units c WHERE c.parent_id = u.id)
		FROM units u WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	return collect(rows, scanUnitWithChildren)
}

// scanUnitWithChildren reads a unit followed by its number of children.
func scanUnitWithChildren(row interface{ Scan(...any) error }) (unit.Unit, error) {
	var n int
	u, err := scanUnit(row, &n)
	u.Children = n
	return u, err
}

// kindOrder sorts units by kind in the order of unit.Kinds.
var kindOrder = func() string {
	var b strings.Builder
	b.WriteString("CASE u.kind")
	for i, k := range unit.Kinds {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", k, i)
	}
	b.WriteString(" END")
	return b.String()
}()

// likeEscape escapes LIKE wildcards in user text.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UnitNames returns the names of the given units, for breadcrumbs.
func (s *Store) UnitNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.rd(ctx).QueryContext(ctx, s.q(`SELECT id, name FROM units WHERE id IN (`+in+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("unit names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// CountUnits returns the number of units, archived included.
func (s *Store) CountUnits(ctx context.Context) (int, error) {
	var n int
	err := s.rd(ctx).QueryRowContext(ctx, "SELECT count(*) FROM units").Scan(&n)
	return n, err
}
