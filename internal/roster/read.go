package roster

import (
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/spreadsheet"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// titleRows is how far down the title row may be: people put a heading
// above the table.
const titleRows = 20

// MaxRows bounds the rows of one file: a province's members, and Excel's
// own limit.
const MaxRows = 1 << 20

// layout is where a sheet's columns are, found from its title row, with
// the labels its cells may use.
type layout struct {
	col    map[Field]int
	kinds  map[string]unit.Kind
	roles  map[string]auth.Role
	yes    map[string]bool // active: yes and no in both languages
	numCol int
}

func newLayout(cat Catalog, s Sheet, titles []string) (layout, int, error) {
	l := layout{col: map[Field]int{}}
	names := map[string]Field{}
	for _, f := range s.Fields() {
		names[string(f)] = f
		for _, loc := range Locales {
			t := fold(cat.T(loc, f.Key()))
			names[t] = f
			// "授权" for "授权（角色@单位）": the words before a note
			if i := strings.IndexAny(t, "(（"); i > 0 {
				names[t[:i]] = f
			}
		}
	}
	for i, t := range titles {
		if f, ok := names[fold(t)]; ok {
			if _, dup := l.col[f]; !dup {
				l.col[f] = i
			}
		}
	}
	if len(l.col) == 0 {
		return l, 0, nil
	}
	for _, f := range s.required() {
		if _, ok := l.col[f]; !ok {
			return l, len(l.col), apperr.Field(string(File), "err.roster_missing_column", cat.T("zh-CN", f.Key()), cat.T("en", f.Key()))
		}
	}
	l.kinds, l.roles, l.yes = map[string]unit.Kind{}, map[string]auth.Role{}, map[string]bool{}
	for _, k := range unit.Kinds {
		l.kinds[string(k)] = k
		for _, loc := range Locales {
			l.kinds[fold(cat.T(loc, "kind."+string(k)))] = k
		}
	}
	for _, r := range auth.Roles {
		l.roles[string(r)] = r
		for _, loc := range Locales {
			l.roles[fold(cat.T(loc, "role."+string(r)))] = r
		}
	}
	for _, w := range []string{"1", "y", "yes", "true", "是", "启用", "有效"} {
		l.yes[w] = true
	}
	for _, w := range []string{"0", "n", "no", "false", "否", "停用", "禁用", "无效"} {
		l.yes[w] = false
	}
	for _, loc := range Locales {
		l.yes[fold(cat.T(loc, "roster.yes"))] = true
		l.yes[fold(cat.T(loc, "roster.no"))] = false
	}
	return l, len(l.col), nil
}

// cell is the trimmed text of a column in a row, checked for text no name
// may hold.
func (l layout) cell(cells []string, f Field) (string, error) {
	i, ok := l.col[f]
	if !ok || i >= len(cells) {
		return "", nil
	}
	s := strings.TrimSpace(cells[i])
	if err := checkText(s); err != nil {
		return "", apperr.Field(string(f), "err.bad_text")
	}
	return s, nil
}

// blank reports whether a row has nothing in the sheet's columns.
func (l layout) blank(cells []string) bool {
	for _, i := range l.col {
		if i < len(cells) && strings.TrimSpace(cells[i]) != "" {
			return false
		}
	}
	return true
}

// read walks a sheet: the title row, then each non-blank row under it.
func read(r io.Reader, cat Catalog, s Sheet, row func(l layout, line int, cells []string)) error {
	var l *layout
	var titleErr error
	rows := 0
	err := spreadsheet.EachRow(r, func(line int, cells []string) error {
		if l == nil {
			got, n, err := newLayout(cat, s, cells)
			switch {
			case err == nil && n > 0:
				l = &got
			case err != nil && titleErr == nil:
				titleErr = err
			}
			if l == nil && line >= titleRows {
				return spreadsheet.ErrStop
			}
			return nil
		}
		if l.blank(cells) {
			return nil
		}
		if rows++; rows > MaxRows {
			return apperr.Field(string(File), "err.roster_too_many_rows", MaxRows)
		}
		row(*l, line, cells)
		return nil
	})
	switch {
	case errors.Is(err, spreadsheet.ErrNotSheet):
		return apperr.Field(string(File), "err.roster_not_sheet")
	case err != nil:
		return err
	case l == nil && titleErr != nil:
		return titleErr
	case l == nil:
		return apperr.Field(string(File), "err.roster_no_titles")
	}
	return nil
}

// UnitSheet is a units sheet as read: its good rows and the errors of the
// others.
type UnitSheet struct {
	Rows   []UnitRow
	Errors []RowError
}

// ReadUnits reads a units sheet. A file that is not a sheet, or lacks a
// required column, is an error on the field "file"; a bad row is an error
// of its own, and the others are still read.
func ReadUnits(r io.Reader, cat Catalog) (UnitSheet, error) {
	var sh UnitSheet
	numbers := map[string]int{}
	err := read(r, cat, Units, func(l layout, line int, cells []string) {
		u, f, err := l.unitRow(line, cells)
		if err == nil && u.Number != "" {
			if first, dup := numbers[u.Number]; dup {
				f, err = Number, apperr.Field(string(Number), "err.roster_duplicate", first)
			} else {
				numbers[u.Number] = line
			}
		}
		if err != nil {
			sh.Errors = append(sh.Errors, NewRowError(line, f, err))
			return
		}
		sh.Rows = append(sh.Rows, u)
	})
	return sh, err
}

func (l layout) unitRow(line int, cells []string) (UnitRow, Field, error) {
	u := UnitRow{Line: line}
	var err error
	for _, c := range []struct {
		f   Field
		dst *string
	}{{Number, &u.Number}, {Name, &u.Name}, {Parent, &u.Parent}, {Leader, &u.Leader}} {
		if *c.dst, err = l.cell(cells, c.f); err != nil {
			return u, c.f, err
		}
	}
	if utf8.RuneCountInString(u.Number) > MaxNumberLen {
		return u, Number, apperr.Field(string(Number), "err.too_long", MaxNumberLen)
	}
	if strings.Contains(u.Number, PathSep) {
		return u, Number, apperr.Field(string(Number), "err.roster_number_slash")
	}
	kind, err := l.cell(cells, Kind)
	if err != nil {
		return u, Kind, err
	}
	if kind != "" {
		k, ok := l.kinds[fold(kind)]
		if !ok {
			return u, Kind, apperr.Field(string(Kind), "err.unknown_kind")
		}
		u.Kind = k
	}
	d := unit.Draft{Name: u.Name, Kind: unit.Other, Leader: u.Leader}
	if err := d.Normalize(); err != nil {
		e, _ := apperr.As(err)
		return u, Field(e.Field), err
	}
	for _, n := range SplitPath(u.Parent) {
		if n == "" {
			return u, Parent, apperr.Field(string(Parent), "err.roster_empty_name")
		}
	}
	return u, "", nil
}

// UserSheet is a users sheet as read.
type UserSheet struct {
	Rows   []UserRow
	Errors []RowError
}

// ReadUsers reads a users sheet, as ReadUnits. A login twice is an error
// of the second row.
func ReadUsers(r io.Reader, cat Catalog) (UserSheet, error) {
	var sh UserSheet
	logins := map[string]int{}
	err := read(r, cat, Users, func(l layout, line int, cells []string) {
		u, f, err := l.userRow(line, cells)
		if err == nil {
			if first, dup := logins[u.Login]; dup {
				f, err = Login, apperr.Field(string(Login), "err.roster_duplicate", first)
			} else {
				logins[u.Login] = line
			}
		}
		if err != nil {
			sh.Errors = append(sh.Errors, NewRowError(line, f, err))
			return
		}
		sh.Rows = append(sh.Rows, u)
	})
	return sh, err
}

func (l layout) userRow(line int, cells []string) (UserRow, Field, error) {
	u := UserRow{Line: line, Active: true}
	var err error
	for _, c := range []struct {
		f   Field
		dst *string
	}{{Login, &u.Login}, {Person, &u.Name}, {Phone, &u.Phone}, {Email, &u.Email}} {
		if *c.dst, err = l.cell(cells, c.f); err != nil {
			return u, c.f, err
		}
	}
	d := user.Draft{Login: u.Login, Name: u.Name}
	if err := d.Normalize(); err != nil {
		e, _ := apperr.As(err)
		if e.Field == string(Name) {
			return u, Person, err
		}
		return u, Field(e.Field), err
	}
	u.Login, u.Name = d.Login, d.Name
	c := user.Contact{Email: u.Email, Phone: u.Phone}
	if err := c.Normalize(); err != nil {
		e, _ := apperr.As(err)
		return u, Field(e.Field), err
	}
	active, err := l.cell(cells, Active)
	if err != nil {
		return u, Active, err
	}
	if active != "" {
		yes, ok := l.yes[fold(active)]
		if !ok {
			return u, Active, apperr.Field(string(Active), "err.roster_yes_no")
		}
		u.Active = yes
	}
	i := l.col[Grants]
	if i >= len(cells) {
		return u, Grants, apperr.Field(string(Grants), "err.roster_grant_required")
	}
	if err := checkGrantText(cells[i]); err != nil {
		return u, Grants, err
	}
	seen := map[GrantRef]bool{}
	for _, part := range splitGrants(cells[i]) {
		role, where, ok := strings.Cut(part, "@")
		if !ok || strings.TrimSpace(where) == "" {
			return u, Grants, apperr.Field(string(Grants), "err.roster_grant_format", part)
		}
		r, ok := l.roles[fold(role)]
		if !ok {
			return u, Grants, apperr.Field(string(Grants), "err.unknown_role", strings.TrimSpace(role))
		}
		g := GrantRef{Role: r, Unit: strings.TrimSpace(where)}
		if !seen[g] {
			seen[g] = true
			u.Grants = append(u.Grants, g)
		}
	}
	if len(u.Grants) == 0 {
		return u, Grants, apperr.Field(string(Grants), "err.roster_grant_required")
	}
	return u, "", nil
}

// checkGrantText is checkText for the grants cell, whose grants may be on
// lines of their own.
func checkGrantText(s string) error {
	if err := checkText(strings.NewReplacer("\n", "", "\r", "").Replace(s)); err != nil {
		return apperr.Field(string(Grants), "err.bad_text")
	}
	return nil
}

// GrantSep separates the grants of a cell as export writes them; import
// also takes the full-width semicolon and line breaks.
const GrantSep = "; "

func splitGrants(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == '\n' || r == '\r' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
