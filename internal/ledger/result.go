package ledger

import (
	"sort"

	"zeren/internal/apperr"
	"zeren/internal/rectification"
)

// RowError is what is wrong with one row: its number in the sheet, the
// item it names (0 if unreadable) and the error, naming the column.
type RowError struct {
	Line int
	ID   int64
	Err  *apperr.Error
}

// rowError wraps any error as a row's; errors without a kind become a
// generic bad value.
func rowError(line int, id int64, err error) RowError {
	e, ok := apperr.As(err)
	if !ok {
		e = apperr.New(apperr.Invalid, "err.bad_form")
	}
	return RowError{Line: line, ID: id, Err: e}
}

// NewRowError is a row's error.
func NewRowError(r Row, err error) RowError { return rowError(r.Line, r.ID, err) }

// Change is what importing one row does to its item: the plan's fields it
// changes (with the new plan), and the progress it adds as an update.
type Change struct {
	Line     int
	ID       int64
	Unit     string
	Problem  string
	Fields   []Field
	Plan     rectification.Plan
	Progress string
}

// Result is the outcome of an import: the rows read, those that change
// nothing, the changes and the errors. Nothing is applied when there is an
// error or on a dry run.
type Result struct {
	Rows      int
	Unchanged int
	Changes   []Change
	Errors    []RowError
	DryRun    bool
}

// Updates counts the changes that add progress.
func (r Result) Updates() int {
	n := 0
	for _, c := range r.Changes {
		if c.Progress != "" {
			n++
		}
	}
	return n
}

// Plans counts the changes that change a plan.
func (r Result) Plans() int {
	n := 0
	for _, c := range r.Changes {
		if len(c.Fields) > 0 {
			n++
		}
	}
	return n
}

// SortErrors orders the errors by row.
func (r *Result) SortErrors() {
	sort.SliceStable(r.Errors, func(i, j int) bool { return r.Errors[i].Line < r.Errors[j].Line })
}

// Message is a bad row's reason in a locale, naming the column by its
// title, as the person who edited the sheet sees it.
func Message(cat Catalog, locale string, e RowError) string {
	msg := cat.T(locale, e.Err.Key, e.Err.Args...)
	if e.Err.Field == "" {
		return msg
	}
	title := e.Err.Field
	for _, c := range Columns {
		if string(c.Field) == e.Err.Field {
			title = cat.T(locale, c.Key())
		}
	}
	return title + ": " + msg
}
