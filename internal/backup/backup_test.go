package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

var cols = []Column{{"id", Int}, {"name", Text}, {"ok", Bool}, {"score", Float}, {"data", Bytes}}

// rows has awkward values: quotes, control bytes, text that is not UTF-8,
// the extremes of int64, empty and nil blobs.
var rows = [][]any{
	{int64(1), "plain", true, 1.5, []byte("abc")},
	{int64(-9223372036854775808), "q\"uo\\te\n\t\x01 中文 \xff\xfe", false, 0.1, []byte{}},
	{int64(9223372036854775807), nil, nil, nil, nil},
	{int64(3), "", int64(1), int64(2), "text as blob"},
}

func write(t *testing.T, tables int, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{Schema: 7, Engine: "sqlite", App: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range tables {
		if err := w.Begin([]string{"units", "empty", "big"}[i], cols); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			continue
		}
		for k := range n {
			if err := w.Row(rows[k%len(rows)]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	b := write(t, 3, 200000) // big enough for several parts
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if h := r.Header(); h.Format != FormatName || h.Schema != 7 || h.Engine != "sqlite" {
		t.Fatalf("header %+v", h)
	}
	want := []any{
		[]any{int64(1), "plain", true, 1.5, []byte("abc")},
		[]any{int64(-9223372036854775808), "q\"uo\\te\n\t\x01 中文 \xff\xfe", false, 0.1, []byte{}},
		[]any{int64(9223372036854775807), nil, nil, nil, nil},
		[]any{int64(3), "", true, 2.0, []byte("text as blob")},
	}
	var names []string
	for {
		tr, err := r.NextTable()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tr.Name)
		k := 0
		for {
			v, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if w := want[k%len(want)]; !reflect.DeepEqual(v, w) {
				t.Fatalf("%s row %d: %#v, want %#v", tr.Name, k, v, w)
			}
			k++
		}
		if wantN := map[string]int{"units": 200000, "empty": 0, "big": 200000}[tr.Name]; k != wantN {
			t.Fatalf("%s: %d rows, want %d", tr.Name, k, wantN)
		}
	}
	if strings.Join(names, ",") != "units,empty,big" {
		t.Fatal(names)
	}
}

// Every kind of damage is found by Verify, never accepted.
func TestDamage(t *testing.T) {
	good := write(t, 3, 50000)
	if _, m, err := Verify(bytes.NewReader(good)); err != nil || m.Rows() != 100000 {
		t.Fatalf("good archive: %v, %d rows", err, m.Rows())
	}
	// A tar with rows but no header, and one whose manifest lies.
	var noHeader bytes.Buffer
	gz := gzip.NewWriter(&noHeader)
	tw := tar.NewWriter(gz)
	_ = tw.WriteHeader(&tar.Header{Name: "tables/units/columns.json", Size: 2, Mode: 0o600})
	_, _ = tw.Write([]byte("[]"))
	_ = tw.Close()
	_ = gz.Close()
	cases := map[string]struct {
		b    []byte
		want error
	}{
		"empty":     {nil, ErrNotArchive},
		"text":      {[]byte("hello, this is not a backup\n"), ErrNotArchive},
		"no header": {noHeader.Bytes(), ErrNotArchive},
		"truncated": {good[:len(good)/2], ErrDamaged},
		"no end":    {good[:len(good)-9], ErrDamaged},
	}
	for _, at := range []int{len(good) / 3, len(good) / 2, len(good) - 30, len(good) - 5} {
		b := bytes.Clone(good)
		b[at] ^= 0x20
		cases["flipped byte at "+string(rune('0'+at%10))+"/"+itoa(at)] = struct {
			b    []byte
			want error
		}{b, nil}
	}
	for name, c := range cases {
		_, _, err := Verify(bytes.NewReader(c.b))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
