package store

import (
	"context"
	"database/sql"
	"fmt"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/roster"
	"zeren/internal/unit"
)

// RosterPolicy is how the importer's rights reach an import: the action
// layer answers each question from its decision table (action.Roster), the
// store only asks.
type RosterPolicy struct {
	// Sees reports whether the importer may see the unit at path: another
	// unit is, to them, no unit at all.
	Sees func(path string) bool
	// Units decides a change of units: Create on the parent's path (the
	// nearest one already saved; "/" for a root), Update, Restore and
	// Archive on the unit's, Move on the unit's and again on the new
	// parent's. It returns a typed error.
	Units func(op roster.Op, path string) error
	// GrantOn reports whether the importer may give a grant on the unit at path.
	GrantOn func(path string) bool
	// User decides a change of an existing user with these grants: nil,
	// or a typed error (not found: someone the importer does not manage).
	User func(userID int64, grants []auth.Grant) error
	// Scopes are the subtrees whose units and users missing from a sheet
	// an import with ArchiveMissing archives or disables.
	Scopes []string
}

// RosterImport is an import of a units or users sheet.
type RosterImport struct {
	Policy         RosterPolicy
	DryRun         bool
	ArchiveMissing bool
	// MailLinks, if set, hands the new users with an address to the mail
	// job (jobs.MailPasswordLinks, in the import's transaction), which
	// makes and mails each one's link; the users it returns get a link
	// shown to the importer instead.
	MailLinks func(ctx context.Context, userIDs []int64) (unmailed []int64, err error)
	// Progress, if set, hears how far the writing is.
	Progress func(done, total int)
}

func (in RosterImport) progress(done, total int) {
	if in.Progress != nil {
		in.Progress(done, total)
	}
}

// rnode is a unit as an import sees it: saved (id != 0 before the import)
// or new, where the rows put it.
type rnode struct {
	id       int64
	parent   *rnode
	name     string
	code     string
	kind     unit.Kind
	leader   string
	archived bool
	version  int64
	path     string // as saved; "" for a new unit
	line     int    // the row that named it; 0 if none
	depth    int    // as saved
	children int    // active children, as the rows leave them
}

type kidKey struct {
	parent *rnode
	name   string
}

// rtree is the whole unit tree in memory, changed as the rows are read so
// that each row sees what the rows above it did.
type rtree struct {
	byID   map[int64]*rnode
	byCode map[string]*rnode
	kids   map[kidKey][]*rnode
	all    []*rnode
	sees   func(string) bool
}

// loadTree reads every unit: a province's 250,000 take a few tens of
// megabytes, and names are resolved against the whole tree.
func loadTree(ctx context.Context, q querier, sees func(string) bool) (*rtree, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+unitCols+`, COALESCE(u.parent_id, 0) FROM units u ORDER BY u.depth, u.id`)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	defer rows.Close()
	tr := &rtree{byID: map[int64]*rnode{}, byCode: map[string]*rnode{}, kids: map[kidKey][]*rnode{}, sees: sees}
	for rows.Next() {
		var parent int64
		u, err := scanUnit(rows, &parent)
		if err != nil {
			return nil, err
		}
		n := &rnode{id: u.ID, name: u.Name, code: u.Code, kind: u.Kind, leader: u.Leader, archived: u.Archived,
			version: u.Version, path: u.Path, depth: u.Depth}
		if parent != 0 {
			n.parent = tr.byID[parent]
			if n.parent == nil {
				return nil, fmt.Errorf("unit %d: parent %d not loaded", u.ID, parent)
			}
			if !u.Archived {
				n.parent.children++
			}
		}
		tr.add(n)
	}
	return tr, rows.Err()
}

func (tr *rtree) add(n *rnode) {
	if n.id != 0 {
		tr.byID[n.id] = n
	}
	if n.code != "" {
		tr.byCode[n.code] = n
	}
	k := kidKey{n.parent, n.name}
	tr.kids[k] = append(tr.kids[k], n)
	tr.all = append(tr.all, n)
}

// unlink takes n out of its parent's names, before a rename or a move.
func (tr *rtree) unlink(n *rnode) {
	k := kidKey{n.parent, n.name}
	list := tr.kids[k]
	for i, x := range list {
		if x == n {
			tr.kids[k] = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if n.parent != nil && !n.archived {
		n.parent.children--
	}
}

func (tr *rtree) link(n *rnode) {
	k := kidKey{n.parent, n.name}
	tr.kids[k] = append(tr.kids[k], n)
	if n.parent != nil && !n.archived {
		n.parent.children++
	}
}

// visible reports whether the importer sees n: a unit of theirs, or one
// this import creates.
func (tr *rtree) visible(n *rnode) bool { return n.path == "" || tr.sees(n.path) }

// child is the one unit the importer sees with the name under parent;
// an active one is preferred to archived namesakes.
func (tr *rtree) child(parent *rnode, name string) (*rnode, error) {
	var found, archived []*rnode
	for _, n := range tr.kids[kidKey{parent, name}] {
		switch {
		case !tr.visible(n):
		case n.archived:
			archived = append(archived, n)
		default:
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		found = archived
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	return nil, apperr.Field("", "err.roster_ambiguous", name, len(found))
}

// resolve finds the unit a cell names: by number, else by full name path.
func (tr *rtree) resolve(ref string) (*rnode, error) {
	if n := tr.byCode[ref]; n != nil && tr.visible(n) {
		return n, nil
	}
	var at *rnode
	names := roster.SplitPath(ref)
	if len(names) == 0 {
		return nil, apperr.Field("", "err.roster_unknown_unit", ref)
	}
	if n := tr.byCode[names[0]]; n != nil && tr.visible(n) {
		at, names = n, names[1:] // a path may start at a number: "M01/游仙区委"
	}
	for _, name := range names {
		n, err := tr.child(at, name)
		if err != nil {
			return nil, err
		}
		if n == nil {
			return nil, apperr.Field("", "err.roster_unknown_unit", ref)
		}
		at = n
	}
	return at, nil
}

// namePath is n's full name path as the rows leave it.
func (n *rnode) namePath() string {
	var names []string
	for x := n; x != nil; x = x.parent {
		names = append(names, x.name)
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return roster.JoinPath(names)
}

// ref is how a sheet names n: its number, else its full name path.
func (n *rnode) ref() string {
	if n.code != "" {
		return n.code
	}
	return n.namePath()
}

// anchor is the path decisions about a new child of n are taken on: n's
// own, or the nearest saved ancestor's ("/" above the roots).
func (n *rnode) anchor() string {
	for x := n; x != nil; x = x.parent {
		if x.path != "" {
			return x.path
		}
	}
	return "/"
}

// under reports whether n lies in the subtree of a, as the rows leave it.
func (n *rnode) under(a *rnode) bool {
	for x := n; x != nil; x = x.parent {
		if x == a {
			return true
		}
	}
	return false
}

// reserveIDs returns n fresh ids of a table: on PostgreSQL from its
// identity sequence (other processes keep inserting), on SQLite after the
// largest, which the write transaction holds.
func (t *Tx) reserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if t.s.engine == Postgres {
		rows, err := t.tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
		if err != nil {
			return nil, fmt.Errorf("reserve %s ids: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	var last sql.NullInt64
	if err := t.tx.QueryRowContext(ctx, `SELECT max(id) FROM `+table).Scan(&last); err != nil {
		return nil, fmt.Errorf("reserve %s ids: %w", table, err)
	}
	for i := range n {
		ids = append(ids, last.Int64+int64(i)+1)
	}
	return ids, nil
}
