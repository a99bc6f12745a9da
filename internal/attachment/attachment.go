// Package attachment checks evidence files by their content, not their
// name: only the kinds of document an organization exchanges are accepted.
package attachment

import (
	"archive/zip"
	"bytes"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// Kinds are the accepted file kinds, as named to users.
var Kinds = []string{"pdf", "doc", "docx", "xls", "xlsx", "ofd", "jpg", "png"}

// DefaultMaxSize is the default largest file, in bytes (20 MB).
const DefaultMaxSize = 20 << 20

// Attachment is a stored file's description.
type Attachment struct {
	ID        int64     `json:"id"`
	ReportID  int64     `json:"report_id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	MIME      string    `json:"mime"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

var mimes = map[string]string{
	"pdf": "application/pdf", "doc": "application/msword", "xls": "application/vnd.ms-excel",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"ofd":  "application/ofd", "jpg": "image/jpeg", "png": "image/png",
}

var ole = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Check names the kind of a file from its bytes, refusing anything else.
// The name only tells a legacy .doc from a .xls, which share a container.
func Check(name string, data []byte, maxSize int64) (kind, mime string, err error) {
	name = strings.TrimSpace(path.Base(strings.ReplaceAll(name, "\\", "/")))
	switch {
	case len(data) == 0:
		return "", "", apperr.Field("file", "err.empty_file")
	case int64(len(data)) > maxSize:
		return "", "", TooLarge(maxSize)
	case name == "" || name == "." || utf8.RuneCountInString(name) > 200:
		return "", "", apperr.Field("file", "err.bad_file_name")
	}
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		kind = "pdf"
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		kind = "jpg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		kind = "png"
	case bytes.HasPrefix(data, ole) && (ext == "doc" || ext == "xls"):
		kind = ext
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		kind = zipKind(data)
	}
	if kind == "" {
		return "", "", apperr.Field("file", "err.file_type", strings.Join(Kinds, ", "))
	}
	return kind, mimes[kind], nil
}

// zipKind tells the zip-based formats apart by the entries they must hold.
func zipKind(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	has := map[string]bool{}
	for _, f := range zr.File {
		has[f.Name] = true
		if strings.HasPrefix(f.Name, "word/") {
			has["word/"] = true
		}
		if strings.HasPrefix(f.Name, "xl/") {
			has["xl/"] = true
		}
	}
	switch {
	case has["[Content_Types].xml"] && has["word/"]:
		return "docx"
	case has["[Content_Types].xml"] && has["xl/"]:
		return "xlsx"
	case has["OFD.xml"]:
		return "ofd"
	}
	return ""
}

// TooLarge is the error for a file over the limit, which it names in MB.
func TooLarge(maxSize int64) error {
	return &apperr.Error{Kind: apperr.TooLarge, Field: "file", Key: "err.file_too_large", Args: []any{maxSize >> 20}}
}
