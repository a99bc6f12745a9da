// Package backup is zeren's engine-neutral archive format: a gzip'd tar
// holding, in order, a header (format, format version, schema version,
// source engine, time, application version), each table's columns and its
// rows as JSON lines, a manifest with every table's row count and SHA-256,
// and a checksum over everything before it. The store writes and reads the
// tables; this package only knows the format, so that a SQLite archive loads
// into PostgreSQL and back.
package backup

import (
	"errors"
	"fmt"
	"time"
)

// FormatName and FormatVersion identify the archive; a reader refuses others.
const (
	FormatName    = "zeren-backup"
	FormatVersion = 1
)

// The entries of the archive. A table's rows are split into parts of about
// partSize bytes, because a tar entry's size is written before its content
// and the rows must stream, not be held whole in memory.
const (
	headerName   = "header.json"
	manifestName = "manifest.json"
	checksumName = "checksum.sha256"
	tablesDir    = "tables/"
	partSize     = 4 << 20
)

// Header is the archive's first entry.
type Header struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Schema  int       `json:"schema"` // the highest migration applied to the source
	Engine  string    `json:"engine"` // sqlite or postgres
	Created time.Time `json:"created"`
	App     string    `json:"app"` // the zeren version that wrote it
}

// Type is a column's engine-neutral type. SQLite keeps booleans as 0/1
// integers and PostgreSQL as booleans; the reader converts to the target's
// column type, so both round-trip.
type Type string

// The column types.
const (
	Int   Type = "int"
	Float Type = "float"
	Bool  Type = "bool"
	Text  Type = "text"
	Bytes Type = "bytes" // base64 in the JSON lines
)

// Column is a column's name and type.
type Column struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
}

// Table is a table's entry in the manifest: its rows and the SHA-256 of
// its JSON lines.
type Table struct {
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
	Rows    int64    `json:"rows"`
	SHA256  string   `json:"sha256"`
}

// Manifest is the archive's last entry but the checksum.
type Manifest struct {
	Tables []Table `json:"tables"`
}

// Rows counts the rows of every table.
func (m Manifest) Rows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// ErrNotArchive is returned for a file that is not a zeren backup at all.
var ErrNotArchive = errors.New("not a zeren backup")

// ErrDamaged is returned for an archive that was cut short or altered.
var ErrDamaged = errors.New("the backup is damaged")

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}
