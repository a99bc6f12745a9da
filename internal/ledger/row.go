package ledger

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/i18n"
	"zeren/internal/rectification"
)

// Layout maps the columns of a sheet read back to their fields. Columns are
// found by their titles in any language (or their field names), so a sheet
// whose columns were moved, or that has columns of its own, still reads.
type Layout struct {
	index map[Field]int                 // position of each field present
	kinds map[string]rectification.Kind // a kind's label in any language, or its code → kind
}

// ReadLayout reads a title row. It fails when the item id column, which
// matches rows to items, is missing, or when a column appears twice.
func ReadLayout(cat Catalog, titles []string) (Layout, error) {
	byTitle := map[string]Field{}
	for _, c := range Columns {
		byTitle[fold(string(c.Field))] = c.Field
		for _, loc := range i18n.Locales {
			byTitle[fold(cat.T(loc, c.Key()))] = c.Field
		}
	}
	l := Layout{index: map[Field]int{}, kinds: map[string]rectification.Kind{}}
	for i, t := range titles {
		f, ok := byTitle[fold(t)]
		if !ok {
			continue
		}
		if _, dup := l.index[f]; dup {
			return l, apperr.Field("file", "err.ledger_duplicate_column", clean(t))
		}
		l.index[f] = i
	}
	if _, ok := l.index[ItemID]; !ok {
		return l, noIDColumn()
	}
	for _, k := range []rectification.Kind{rectification.Immediate, rectification.LongTerm} {
		l.kinds[fold(string(k))] = k
		for _, loc := range i18n.Locales {
			l.kinds[fold(cat.T(loc, KindKey(k)))] = k
		}
	}
	return l, nil
}

// noIDColumn is the error of a sheet without the item id column.
func noIDColumn() error { return apperr.Field("file", "err.ledger_no_id_column") }

// fold is how titles and labels compare: trimmed, case and inner spaces ignored.
func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// Has reports whether the sheet has the field's column.
func (l Layout) Has(f Field) bool {
	_, ok := l.index[f]
	return ok
}

// Row is one row of a sheet read back: the item it names and the values of
// its cells. Columns the sheet lacks leave the item's values as they are.
type Row struct {
	Line     int   // the row's number in the sheet, as the spreadsheet shows it
	ID       int64 // the item
	Version  int64 // the item's version when exported; 0 if unknown
	Problem  string
	Unit     string
	Plan     rectification.Plan
	Progress string
	has      map[Field]int // the layout's columns, shared by its rows
}

// Has reports whether the row's sheet has the field's column.
func (r Row) Has(f Field) bool {
	_, ok := r.has[f]
	return ok
}

// MaxCellLen bounds what a cell may hold, well above every field's limit,
// so that a bad file cannot make a row's error message huge.
const MaxCellLen = 32767 // Excel's own limit

// Row parses the cells of the row numbered line. A row whose ledger cells
// are all empty is no row: ok is false. A malformed cell is an error naming its
// field.
func (l Layout) Row(line int, cells []string) (r Row, ok bool, err error) {
	get := func(f Field) string {
		i, ok := l.index[f]
		if !ok || i >= len(cells) {
			return ""
		}
		return clean(cells[i])
	}
	// Only the ledger's columns count: a row with nothing but a note in a
	// column of one's own (a total, a remark) is no item's.
	blank := true
	for f := range l.index {
		blank = blank && get(f) == ""
	}
	if blank {
		return r, false, nil
	}
	r = Row{Line: line, has: l.index}
	for f := range l.index {
		if utf8.RuneCountInString(get(f)) > MaxCellLen {
			return r, true, apperr.Field(string(f), "err.too_long", MaxCellLen)
		}
	}
	if r.ID, err = parseID(get(ItemID), true); err != nil {
		return r, true, apperr.Field(string(ItemID), err.Error())
	}
	if r.Version, err = parseID(get(Version), false); err != nil {
		return r, true, apperr.Field(string(Version), err.Error())
	}
	r.Problem, r.Unit, r.Progress = get(Problem), get(Unit), get(Progress)
	r.Plan = rectification.Plan{Measures: get(Measures), Owner: get(Owner), ResponsibleLeader: get(Leader)}
	if r.Plan.Deadline, err = ParseDate(get(Deadline)); err != nil {
		return r, true, apperr.Field(string(Deadline), "err.bad_date")
	}
	if k := get(Kind); k != "" {
		if r.Plan.Kind, ok = l.kinds[fold(k)]; !ok {
			return r, true, apperr.Field(string(Kind), "err.unknown_rect_kind")
		}
	}
	return r, true, nil
}

// parseID reads a positive whole number, as typed or as a spreadsheet
// stores one ("12" or "12.0"); the error is a catalog key.
func parseID(s string, required bool) (int64, error) {
	if s == "" {
		if required {
			return 0, errKey("err.required")
		}
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || f < 1 || f > 1<<53 {
			return 0, errKey("err.not_a_number")
		}
		n = int64(f)
	}
	if n <= 0 {
		return 0, errKey("err.not_a_number")
	}
	return n, nil
}

type errKey string

func (e errKey) Error() string { return string(e) }

var dateForms = []string{"2006-01-02", "2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z"}

var serialDate = regexp.MustCompile(`^[0-9]{1,7}(\.[0-9]+)?$`)

// ParseDate reads a deadline as people type one, or as a spreadsheet stores
// a date cell (a serial number of days), and writes it YYYY-MM-DD. An
// empty cell is no date.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if serialDate.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		// Serials count days from 1899-12-30 (past Excel's invented leap
		// day of 1900). Deadlines lie after 1970 (serial 25569): a bare
		// year such as "2021" is a mistake, not a day in 1905.
		if err != nil || f < 25569 || f >= 2958466 {
			return "", errKey("err.bad_date")
		}
		d := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(f))
		return d.Format(rectification.Date), nil
	}
	for _, form := range dateForms {
		if d, err := time.Parse(form, s); err == nil && d.Year() >= 1900 && d.Year() <= 9999 {
			return d.Format(rectification.Date), nil
		}
	}
	return "", errKey("err.bad_date")
}

// PlanFor is the plan the row asks of item x: its cells, and x's values for
// the columns the sheet lacks.
func (r Row) PlanFor(x rectification.Rectification) rectification.Plan {
	p := r.Plan
	keep := func(f Field, v *string, cur string) {
		if !r.Has(f) {
			*v = cur
		}
	}
	keep(Measures, &p.Measures, x.Measures)
	keep(Owner, &p.Owner, x.Owner)
	keep(Leader, &p.ResponsibleLeader, x.ResponsibleLeader)
	keep(Deadline, &p.Deadline, x.Deadline)
	if !r.Has(Kind) {
		p.Kind = x.Kind
	}
	return p
}

// PlanChanges lists the plan's fields that the row changes on item x.
func (r Row) PlanChanges(x rectification.Rectification) []Field {
	p := r.PlanFor(x)
	var out []Field
	for _, c := range []struct {
		f        Field
		now, was string
	}{
		{Measures, p.Measures, x.Measures}, {Leader, p.ResponsibleLeader, x.ResponsibleLeader},
		{Owner, p.Owner, x.Owner}, {Deadline, p.Deadline, x.Deadline}, {Kind, string(p.Kind), string(x.Kind)},
	} {
		if clean(c.now) != clean(c.was) {
			out = append(out, c.f)
		}
	}
	return out
}

// NewProgress returns the progress the row reports when it differs from
// item x's latest: an empty cell reports nothing (updates are never taken
// back). Whether it repeats an earlier update is the store's to check.
func (r Row) NewProgress(x rectification.Rectification) (string, bool) {
	if !r.Has(Progress) || r.Progress == "" || r.Progress == clean(x.Progress) {
		return "", false
	}
	return r.Progress, true
}

// Mismatch names a read-only cell that contradicts item x (its problem or
// unit), which means the row no longer lines up with its id, as when rows
// were sorted without the hidden columns; "" if none does. Empty cells
// contradict nothing.
func (r Row) Mismatch(x rectification.Rectification) Field {
	switch {
	case r.Problem != "" && r.Problem != clean(x.Finding.Text):
		return Problem
	case r.Unit != "" && r.Unit != clean(x.UnitName):
		return Unit
	}
	return ""
}
