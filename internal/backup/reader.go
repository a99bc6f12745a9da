package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Reader reads an archive: NewReader checks the header; NextTable and
// TableReader.Next give the rows; the NextTable that returns io.EOF has
// checked the manifest, the checksum and the gzip trailer. Any damage is
// an error wrapping ErrDamaged (or ErrNotArchive for a foreign file).
type Reader struct {
	gz      *gzip.Reader
	tr      *tar.Reader
	whole   hash.Hash
	header  Header
	pending *tar.Header // read ahead by the previous table's end
	cur     *TableReader
	tables  []Table // as read, with the sums computed
	buf     []byte
}

// maxMeta bounds the entries that are not rows (header, columns, manifest).
const maxMeta = 16 << 20

// NewReader reads and checks the header.
func NewReader(r io.Reader) (*Reader, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNotArchive, err)
	}
	br := &Reader{gz: gz, tr: tar.NewReader(gz), whole: sha256.New()}
	hdr, err := br.tr.Next()
	if err != nil || hdr.Name != headerName {
		return nil, fmt.Errorf("%w (no %s first)", ErrNotArchive, headerName)
	}
	b, err := br.content(hdr, maxMeta)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &br.header); err != nil || br.header.Format != FormatName {
		return nil, fmt.Errorf("%w (its header names no %s format)", ErrNotArchive, FormatName)
	}
	if br.header.Version != FormatVersion {
		return nil, fmt.Errorf("the backup's format version %d is not %d, the one this zeren reads", br.header.Version, FormatVersion)
	}
	return br, nil
}

// Header is the archive's header.
func (r *Reader) Header() Header { return r.header }

// content reads an entry whole and adds it to the checksum.
func (r *Reader) content(hdr *tar.Header, limit int64) ([]byte, error) {
	if hdr.Size < 0 || hdr.Size > limit {
		return nil, damaged("entry %s is %d bytes", hdr.Name, hdr.Size)
	}
	if int64(cap(r.buf)) < hdr.Size {
		r.buf = make([]byte, hdr.Size)
	}
	b := r.buf[:hdr.Size]
	if _, err := io.ReadFull(r.tr, b); err != nil {
		return nil, damaged("entry %s: %v", hdr.Name, err)
	}
	r.whole.Write([]byte(hdr.Name + "\n"))
	r.whole.Write(b)
	return b, nil
}

func (r *Reader) next() (*tar.Header, error) {
	if h := r.pending; h != nil {
		r.pending = nil
		return h, nil
	}
	h, err := r.tr.Next()
	if err == io.EOF {
		return nil, damaged("it ends before its manifest")
	}
	if err != nil {
		return nil, damaged("%v", err)
	}
	return h, nil
}

// NextTable returns the next table, or io.EOF once the manifest and the
// checksum have been read and match what was read before them.
func (r *Reader) NextTable() (*TableReader, error) {
	if r.cur != nil {
		for {
			if _, err := r.cur.Next(); err == io.EOF {
				break
			} else if err != nil {
				return nil, err
			}
		}
	}
	hdr, err := r.next()
	if err != nil {
		return nil, err
	}
	if hdr.Name == manifestName {
		return nil, r.finish(hdr)
	}
	name, ok := strings.CutSuffix(strings.TrimPrefix(hdr.Name, tablesDir), "/columns.json")
	if !ok || !strings.HasPrefix(hdr.Name, tablesDir) || name == "" {
		return nil, damaged("unexpected entry %s", hdr.Name)
	}
	b, err := r.content(hdr, maxMeta)
	if err != nil {
		return nil, err
	}
	t := &TableReader{r: r, sum: sha256.New(), Table: Table{Name: name}}
	if err := json.Unmarshal(b, &t.Columns); err != nil || len(t.Columns) == 0 {
		return nil, damaged("columns of %s", name)
	}
	r.cur = t
	return t, nil
}

// finish checks the manifest against the tables read, then the checksum,
// then that nothing follows and the gzip trailer's CRC.
func (r *Reader) finish(hdr *tar.Header) error {
	b, err := r.content(hdr, maxMeta)
	if err != nil {
		return err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return damaged("manifest: %v", err)
	}
	if len(m.Tables) != len(r.tables) {
		return damaged("the manifest lists %d tables, the archive holds %d", len(m.Tables), len(r.tables))
	}
	for i, t := range m.Tables {
		got := r.tables[i]
		if t.Name != got.Name || t.Rows != got.Rows || t.SHA256 != got.SHA256 {
			return damaged("table %s: %d rows with SHA-256 %.12s…, the manifest says %s: %d rows, %.12s…",
				got.Name, got.Rows, got.SHA256, t.Name, t.Rows, t.SHA256)
		}
	}
	want := hex.EncodeToString(r.whole.Sum(nil))
	hdr, err = r.next()
	if err != nil {
		return err
	}
	if hdr.Name != checksumName {
		return damaged("unexpected entry %s after the manifest", hdr.Name)
	}
	b, err = r.content(hdr, 1024)
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(b)) != want {
		return damaged("checksum mismatch")
	}
	if _, err := r.tr.Next(); err != io.EOF {
		return damaged("entries after the checksum")
	}
	if _, err := io.Copy(io.Discard, r.gz); err != nil {
		return damaged("%v", err)
	}
	r.cur = nil
	return io.EOF
}

// Tables are the tables read so far, with their computed sums.
func (r *Reader) Tables() []Table { return r.tables }

// TableReader reads one table's rows.
type TableReader struct {
	Table
	r     *Reader
	sum   hash.Hash
	part  int
	lines []byte
	done  bool
	vals  []any
}

// Next returns the next row, its values as int64, float64, bool, string,
// []byte (Bytes columns) or nil, or io.EOF after the last. The slice is
// reused by the next call.
func (t *TableReader) Next() ([]any, error) {
	if t.done {
		return nil, io.EOF
	}
	for len(t.lines) == 0 {
		ok, err := t.nextPart()
		if err != nil {
			return nil, err
		}
		if !ok {
			t.done = true
			t.SHA256 = hex.EncodeToString(t.sum.Sum(nil))
			t.r.tables = append(t.r.tables, t.Table)
			return nil, io.EOF
		}
	}
	i := bytes.IndexByte(t.lines, '\n')
	if i < 0 {
		return nil, damaged("table %s: a row without its end", t.Name)
	}
	line := t.lines[:i]
	t.lines = t.lines[i+1:]
	var err error
	if t.vals, err = parseRow(line, t.Columns, t.vals[:0]); err != nil {
		return nil, damaged("table %s, row %d: %v", t.Name, t.Rows+1, err)
	}
	t.Rows++
	return t.vals, nil
}

// nextPart loads the table's next part, or reports that the table ended
// (keeping the entry that follows for NextTable).
func (t *TableReader) nextPart() (bool, error) {
	hdr, err := t.r.next()
	if err != nil {
		return false, err
	}
	want := fmt.Sprintf("%s%s/%06d.jsonl", tablesDir, t.Name, t.part+1)
	if hdr.Name != want {
		if strings.HasPrefix(hdr.Name, tablesDir+t.Name+"/") {
			return false, damaged("entry %s where %s was expected", hdr.Name, want)
		}
		t.r.pending = hdr
		return false, nil
	}
	b, err := t.r.content(hdr, 1<<30)
	if err != nil {
		return false, err
	}
	t.part++
	t.sum.Write(b)
	t.lines = b
	return true, nil
}

// parseRow reads a JSON array of scalars, one per column.
func parseRow(b []byte, cols []Column, out []any) ([]any, error) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return nil, errors.New("not a JSON array")
	}
	b = b[1 : len(b)-1]
	for i, c := range cols {
		if i > 0 {
			if len(b) == 0 || b[0] != ',' {
				return nil, fmt.Errorf("%d values for %d columns", i, len(cols))
			}
			b = b[1:]
		}
		v, rest, err := parseValue(b, c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		out = append(out, v)
		b = rest
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("more values than the %d columns", len(cols))
	}
	return out, nil
}

func parseValue(b []byte, t Type) (any, []byte, error) {
	if len(b) == 0 {
		return nil, nil, errors.New("missing value")
	}
	switch {
	case bytes.HasPrefix(b, []byte("null")):
		return nil, b[4:], nil
	case bytes.HasPrefix(b, []byte("true")):
		return true, b[4:], nil
	case bytes.HasPrefix(b, []byte("false")):
		return false, b[5:], nil
	case b[0] == '"':
		s, rest, err := unquote(b)
		if err != nil {
			return nil, nil, err
		}
		if t == Bytes {
			d, err := base64.StdEncoding.DecodeString(s)
			return d, rest, err
		}
		return s, rest, nil
	}
	n := 0
	for n < len(b) && strings.IndexByte("+-.0123456789eE", b[n]) >= 0 {
		n++
	}
	num := string(b[:n])
	if t != Float {
		if i, err := strconv.ParseInt(num, 10, 64); err == nil {
			return i, b[n:], nil
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return nil, nil, fmt.Errorf("bad value %.20q", b)
	}
	return f, b[n:], nil
}

// unquote reads a JSON string as appendString writes it, giving back the
// very bytes (even those that are not UTF-8).
func unquote(b []byte) (string, []byte, error) {
	i := 1
	for i < len(b) && b[i] != '"' && b[i] != '\\' {
		i++
	}
	if i < len(b) && b[i] == '"' {
		return string(b[1:i]), b[i+1:], nil // the usual case: no escapes
	}
	out := append([]byte(nil), b[1:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return string(out), b[i+1:], nil
		case c != '\\':
			out = append(out, c)
			i++
			continue
		case i+1 >= len(b):
			return "", nil, errors.New("unterminated string")
		}
		e := b[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'u':
			r, n, err := hex4(b[i:])
			if err != nil {
				return "", nil, err
			}
			i += n
			if utf16.IsSurrogate(r) {
				if r2, n2, err := hex4(b[i+min(2, len(b)-i):]); err == nil && bytes.HasPrefix(b[i:], []byte(`\u`)) {
					r = utf16.DecodeRune(r, r2)
					i += 2 + n2
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", nil, fmt.Errorf("bad escape \\%c", e)
		}
	}
	return "", nil, errors.New("unterminated string")
}

func hex4(b []byte) (rune, int, error) {
	if len(b) < 4 {
		return 0, 0, errors.New("short \\u escape")
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 16)
	if err != nil {
		return 0, 0, errors.New("bad \\u escape")
	}
	return rune(v), 4, nil
}

// Verify reads a whole archive, every row included, and returns its header
// and manifest, or the first damage found.
func Verify(r io.Reader) (Header, Manifest, error) {
	br, err := NewReader(r)
	if err != nil {
		return Header{}, Manifest{}, err
	}
	for {
		if _, err := br.NextTable(); err == io.EOF {
			return br.header, Manifest{Tables: br.tables}, nil
		} else if err != nil {
			return br.header, Manifest{}, err
		}
	}
}
