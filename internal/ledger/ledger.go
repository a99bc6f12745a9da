// Package ledger is the rectification ledger (台账) as a spreadsheet: its
// columns, the cells of an item, and the rows read back from an edited copy.
// Import equals export (DESIGN.md section 7): a sheet written here, edited
// and read again names the same items, by the id in its last columns. No
// SQL and no HTTP here; the store applies what a sheet asks for.
package ledger

import (
	"strings"

	"zeren/internal/rectification"
)

// Catalog is what a sheet needs of the message catalog.
type Catalog interface {
	T(locale, key string, args ...any) string
}

// Field names a column by what it holds; it is also the field named in a
// row's error.
type Field string

// The fields, in the order of the standard ledger, then the kind and the
// columns that match a row to its item.
const (
	Serial   Field = "serial"             // 序号
	Problem  Field = "problem"            // 问题: the finding's text
	Source   Field = "source"             // 问题来源
	Measures Field = "measures"           // 整改措施
	Leader   Field = "responsible_leader" // 责任领导
	Unit     Field = "unit"               // 责任单位
	Owner    Field = "owner"              // 责任人
	Deadline Field = "deadline"           // 整改时限
	Progress Field = "progress"           // 整改进展: the latest update
	Status   Field = "status"             // 整改状态
	ClosedOn Field = "closed_on"          // 销号日期
	Kind     Field = "kind"               // 整改类型: immediate or long-term
	ItemID   Field = "item_id"            // 事项编号, hidden: matches a row to its item
	Version  Field = "version"            // 版本, hidden: the item's version when exported
)

// Column is one column of the sheet.
type Column struct {
	Field    Field
	Width    float64
	Editable bool // read back on import
	Hidden   bool
}

// Key is the catalog key of the column's title.
func (c Column) Key() string { return "ledger.col." + string(c.Field) }

// Columns are the sheet's columns in order: the standard ledger's eleven,
// the kind (needed to complete a plan), and the item's id and version,
// hidden, last.
var Columns = []Column{
	{Field: Serial, Width: 6},
	{Field: Problem, Width: 40},
	{Field: Source, Width: 12},
	{Field: Measures, Width: 40, Editable: true},
	{Field: Leader, Width: 12, Editable: true},
	{Field: Unit, Width: 18},
	{Field: Owner, Width: 12, Editable: true},
	{Field: Deadline, Width: 12, Editable: true},
	{Field: Progress, Width: 40, Editable: true},
	{Field: Status, Width: 12},
	{Field: ClosedOn, Width: 12},
	{Field: Kind, Width: 12, Editable: true},
	{Field: ItemID, Width: 10, Hidden: true},
	{Field: Version, Width: 8, Hidden: true},
}

// StatusKey is the catalog key of an item's status.
func StatusKey(s rectification.Status) string { return "rect_status." + string(s) }

// KindKey is the catalog key of a kind of rectification.
func KindKey(k rectification.Kind) string { return "rect_kind." + string(k) }

// Header is the title row in a locale.
func Header(cat Catalog, locale string) []any {
	row := make([]any, len(Columns))
	for i, c := range Columns {
		row[i] = cat.T(locale, c.Key())
	}
	return row
}

// Cells is an item's row: serial is its number in the sheet. Texts are
// written as they are stored, dates as YYYY-MM-DD text, so that reading
// them back gives the same values in any spreadsheet locale.
func Cells(cat Catalog, locale string, serial int, x rectification.Rectification) []any {
	row := make([]any, len(Columns))
	for i, c := range Columns {
		row[i] = cell(cat, locale, serial, x, c.Field)
	}
	return row
}

func cell(cat Catalog, locale string, serial int, x rectification.Rectification, f Field) any {
	switch f {
	case Serial:
		return serial
	case Problem:
		return x.Finding.Text
	case Source:
		return label(cat, locale, "source.", string(x.Finding.Source))
	case Measures:
		return x.Measures
	case Leader:
		return x.ResponsibleLeader
	case Unit:
		return x.UnitName
	case Owner:
		return x.Owner
	case Deadline:
		return x.Deadline
	case Progress:
		return x.Progress
	case Status:
		return label(cat, locale, "rect_status.", string(x.Status))
	case ClosedOn:
		return x.ClosedOn
	case Kind:
		return label(cat, locale, "rect_kind.", string(x.Kind))
	case ItemID:
		return x.ID
	case Version:
		return x.Version
	}
	return ""
}

// label translates a code, leaving an empty one empty.
func label(cat Catalog, locale, prefix, code string) string {
	if code == "" {
		return ""
	}
	return cat.T(locale, prefix+code)
}

// clean is how cells compare: without surrounding space, with Windows
// line ends read as Unix ones.
func clean(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}
