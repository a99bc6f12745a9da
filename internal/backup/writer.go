package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"math"
	"strconv"
	"time"
)

// Writer writes an archive: NewWriter, then for each table Begin, Row…,
// and at last Close. Memory stays at a few parts whatever the table sizes.
type Writer struct {
	out   *asyncWriter
	gz    *gzip.Writer
	tw    *tar.Writer
	whole hash.Hash // over every entry's name and content: the checksum
	now   time.Time

	table    *Table
	tsum     hash.Hash
	buf      bytes.Buffer
	part     int
	line     []byte
	manifest Manifest
}

// NewWriter starts an archive on w with its header.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	h.Format, h.Version = FormatName, FormatVersion
	if h.Created.IsZero() {
		h.Created = time.Now()
	}
	h.Created = h.Created.UTC()
	// BestSpeed: the rows are JSON, which compresses well even so, and
	// the default level would take most of a province's backup time. The
	// compression runs on its own goroutine, beside the one reading rows.
	gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	out := newAsyncWriter(gz)
	bw := &Writer{out: out, gz: gz, tw: tar.NewWriter(out), whole: sha256.New(), now: h.Created}
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return nil, err
	}
	return bw, bw.entry(headerName, b)
}

// entry writes one tar entry and adds it to the checksum.
func (w *Writer) entry(name string, content []byte) error {
	w.whole.Write([]byte(name + "\n"))
	w.whole.Write(content)
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(content)), ModTime: w.now, Format: tar.FormatPAX}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return err
	}
	_, err := w.tw.Write(content)
	return err
}

// Begin starts a table.
func (w *Writer) Begin(name string, cols []Column) error {
	if w.table != nil {
		if err := w.end(); err != nil {
			return err
		}
	}
	w.table = &Table{Name: name, Columns: cols}
	w.tsum = sha256.New()
	w.part = 0
	b, err := json.Marshal(cols)
	if err != nil {
		return err
	}
	return w.entry(tablesDir+name+"/columns.json", b)
}

// Row adds one row to the current table; vals hold what the drivers scan:
// int64, float64, bool, string, []byte, time.Time or nil.
func (w *Writer) Row(vals []any) error {
	cols := w.table.Columns
	if len(vals) != len(cols) {
		return fmt.Errorf("table %s: %d values for %d columns", w.table.Name, len(vals), len(cols))
	}
	l := append(w.line[:0], '[')
	for i, v := range vals {
		if i > 0 {
			l = append(l, ',')
		}
		var err error
		if l, err = appendValue(l, v, cols[i].Type); err != nil {
			return fmt.Errorf("table %s, column %s: %w", w.table.Name, cols[i].Name, err)
		}
	}
	l = append(l, ']', '\n')
	w.line = l
	w.tsum.Write(l)
	w.buf.Write(l)
	w.table.Rows++
	if w.buf.Len() >= partSize {
		return w.flush()
	}
	return nil
}

// flush writes the rows buffered so far as the table's next part.
func (w *Writer) flush() error {
	if w.buf.Len() == 0 {
		return nil
	}
	w.part++
	err := w.entry(fmt.Sprintf("%s%s/%06d.jsonl", tablesDir, w.table.Name, w.part), w.buf.Bytes())
	w.buf.Reset()
	return err
}

func (w *Writer) end() error {
	if err := w.flush(); err != nil {
		return err
	}
	w.table.SHA256 = hex.EncodeToString(w.tsum.Sum(nil))
	w.manifest.Tables = append(w.manifest.Tables, *w.table)
	w.table = nil
	return nil
}

// Close ends the last table, writes the manifest and the checksum, and
// flushes everything to the underlying writer (which it does not close).
func (w *Writer) Close() (Manifest, error) {
	if w.table != nil {
		if err := w.end(); err != nil {
			return w.manifest, w.abort(err)
		}
	}
	b, err := json.MarshalIndent(w.manifest, "", "  ")
	if err != nil {
		return w.manifest, w.abort(err)
	}
	if err := w.entry(manifestName, b); err != nil {
		return w.manifest, w.abort(err)
	}
	sum := hex.EncodeToString(w.whole.Sum(nil)) + "\n"
	if err := w.entry(checksumName, []byte(sum)); err != nil {
		return w.manifest, w.abort(err)
	}
	if err := w.tw.Close(); err != nil {
		return w.manifest, w.abort(err)
	}
	if err := w.out.Close(); err != nil {
		return w.manifest, err
	}
	return w.manifest, w.gz.Close()
}

// Abort stops the compressing goroutine after a failure.
func (w *Writer) Abort() { _ = w.out.Close() }

func (w *Writer) abort(err error) error {
	w.Abort()
	return err
}

// appendValue appends v as JSON, normalized to the column's type.
func appendValue(b []byte, v any, t Type) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case int64:
		if t == Bool {
			return strconv.AppendBool(b, x != 0), nil
		}
		if t == Float {
			return appendFloat(b, float64(x))
		}
		return strconv.AppendInt(b, x, 10), nil
	case float64:
		return appendFloat(b, x)
	case bool:
		if t == Int {
			return strconv.AppendInt(b, int64(b2i(x)), 10), nil
		}
		return strconv.AppendBool(b, x), nil
	case []byte:
		if t == Bytes {
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, x)
			return append(b, '"'), nil
		}
		return appendString(b, string(x)), nil
	case string:
		if t == Bytes {
			return appendValue(b, []byte(x), t)
		}
		return appendString(b, x), nil
	case time.Time:
		return appendString(b, x.UTC().Format(time.RFC3339Nano)), nil
	}
	return b, fmt.Errorf("cannot write a %T", v)
}

func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("%v has no JSON form", f)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64), nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// appendString quotes s as JSON, escaping only what JSON requires, so that
// the reader's unquote gives back the very bytes, even of text that is not
// UTF-8 (which encoding/json would replace).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
