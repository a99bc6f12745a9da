// Package roster reads and writes the two sheets that bring an
// organization in and keep it in step (zeren import|export units|users):
// the unit tree and the users with their grants. Export and import share
// the format, so an export edited and imported again is a sync. A sheet is
// an Excel workbook or a CSV file; its columns are found by their titles
// in Chinese or English, in any order.
package roster

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/unit"
)

// Catalog is what a sheet needs of the message catalog.
type Catalog interface {
	T(locale, key string, args ...any) string
}

// Locales are the languages whose column titles and labels a sheet may use.
var Locales = []string{"zh-CN", "en"}

// Field is a column of a sheet.
type Field string

// The columns.
const (
	Number Field = "number" // a unit's number (编号)
	Name   Field = "name"
	Parent Field = "parent" // the parent's number or full name path; empty for a root
	Kind   Field = "kind"
	Leader Field = "leader"
	Login  Field = "login"
	Person Field = "person" // a user's name
	Phone  Field = "phone"
	Email  Field = "email"
	Grants Field = "grants" // role@unit, several
	Active Field = "active"
	File   Field = "file" // the file as a whole
)

// Key is the catalog key of the column's title.
func (f Field) Key() string { return "roster.col." + string(f) }

// Sheet is one of the two sheets.
type Sheet string

// The sheets.
const (
	Units Sheet = "units"
	Users Sheet = "users"
)

// Fields are a sheet's columns in the order export writes them, and
// whether each is required in a sheet to import.
func (s Sheet) Fields() []Field {
	if s == Users {
		return []Field{Login, Person, Phone, Email, Grants, Active}
	}
	return []Field{Number, Name, Parent, Kind, Leader}
}

func (s Sheet) required() []Field {
	if s == Users {
		return []Field{Login, Person, Grants}
	}
	return []Field{Name, Parent}
}

// Required reports whether a sheet to import must have the column f.
func (s Sheet) Required(f Field) bool {
	for _, r := range s.required() {
		if r == f {
			return true
		}
	}
	return false
}

// Valid reports whether s names a sheet.
func (s Sheet) Valid() bool { return s == Units || s == Users }

// PathSep separates the names of a unit's full name path ("四川省委/绵阳市委").
const PathSep = "/"

// MaxNumberLen bounds a unit's number.
const MaxNumberLen = 50

// UnitRow is a row of the units sheet, checked on its own.
type UnitRow struct {
	Line   int
	Number string
	Name   string
	Parent string    // as written: a number or a full name path; "" for a root
	Kind   unit.Kind // "" keeps an existing unit's kind (a new unit is grassroots)
	Leader string
}

// GrantRef is a grant as a sheet writes it: a role on a unit named by its
// number or full name path.
type GrantRef struct {
	Role auth.Role
	Unit string
}

// UserRow is a row of the users sheet, checked on its own.
type UserRow struct {
	Line   int
	Login  string
	Name   string
	Phone  string
	Email  string
	Grants []GrantRef
	Active bool
}

// RowError is what is wrong with a row: its number as the spreadsheet
// shows it, the column and the reason.
type RowError struct {
	Line  int
	Field Field
	Err   *apperr.Error
}

// NewRowError is a row's error in a column; errors without a kind become a
// generic bad value.
func NewRowError(line int, f Field, err error) RowError {
	e, ok := apperr.As(err)
	if !ok {
		e = apperr.New(apperr.Invalid, "err.bad_form")
	}
	return RowError{Line: line, Field: f, Err: e}
}

// Message is the row error in words.
func (e RowError) Message(cat Catalog, locale string) string {
	msg := cat.T(locale, e.Err.Key, e.Err.Args...)
	if e.Line == 0 {
		return cat.T(locale, "roster.error_file", cat.T(locale, e.Field.Key()), msg)
	}
	return cat.T(locale, "roster.error_row", e.Line, cat.T(locale, e.Field.Key()), msg)
}

// fold is a title or label as compared: lower case, without spaces.
func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// checkText refuses what no name may hold: bytes that are not UTF-8, NUL
// and other control characters (a tab or line break inside a name is a
// pasting accident, and PostgreSQL refuses NUL).
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return apperr.Field("", "err.bad_text")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return apperr.Field("", "err.bad_text")
		}
	}
	return nil
}

// SplitPath splits a full name path into its trimmed names; a leading or
// trailing separator is allowed. A name holding the separator or a
// backslash has it escaped by a backslash ("a\/b" is the name "a/b").
func SplitPath(p string) []string {
	p = strings.TrimSpace(p)
	var names []string
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			i++
			b.WriteByte(p[i])
		case c == '/':
			names = append(names, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	names = append(names, strings.TrimSpace(b.String()))
	if len(names) > 0 && names[0] == "" {
		names = names[1:]
	}
	if len(names) > 0 && names[len(names)-1] == "" {
		names = names[:len(names)-1]
	}
	return names
}

// JoinPath is the full name path of names, root first, SplitPath's inverse.
func JoinPath(names []string) string {
	esc := strings.NewReplacer(`\`, `\\`, PathSep, `\`+PathSep)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = esc.Replace(n)
	}
	return strings.Join(out, PathSep)
}
