package roster

import "sort"

// Op is what an import does to one unit or user.
type Op string

// The operations.
const (
	Create  Op = "create"
	Update  Op = "update"  // a unit's number, name, kind or leader; a user's name, contact, active or grants
	Move    Op = "move"    // a unit under another parent
	Restore Op = "restore" // an archived unit named again
	Archive Op = "archive" // a unit missing from the sheet (--archive-missing)
	Disable Op = "disable" // a user missing from the sheet (--archive-missing)
	Keep    Op = "keep"    // a row that changes nothing
)

// Change is what an import does, or would do, to one unit or user.
type Change struct {
	Line   int     // the sheet's row; 0 for one missing from it
	Ops    []Op    // Create, or what changes
	ID     int64   // the unit or user; 0 for one a dry run would create
	Name   string  // the unit's full name path, or the user's login
	Fields []Field // the columns that change
	Link   string  // a new user's set-password token, shown once
	Mailed bool    // the link goes by mail instead
}

// Result is what an import did, or a dry run would do.
type Result struct {
	Sheet   Sheet
	Rows    int
	DryRun  bool
	Errors  []RowError
	Changes []Change
	Counts  map[Op]int
}

// Count tallies the changes.
func (r *Result) Count() {
	r.Counts = map[Op]int{}
	for _, c := range r.Changes {
		for _, op := range c.Ops {
			r.Counts[op]++
		}
	}
}

// SortErrors orders the errors by row.
func (r *Result) SortErrors() {
	sort.SliceStable(r.Errors, func(i, j int) bool { return r.Errors[i].Line < r.Errors[j].Line })
}

// OK reports whether the import is, or would be, applied.
func (r *Result) OK() bool { return len(r.Errors) == 0 }
