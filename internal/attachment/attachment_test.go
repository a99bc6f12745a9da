package attachment

import (
	"archive/zip"
	"bytes"
	"testing"

	"zeren/internal/apperr"
)

func zipOf(names ...string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		f, _ := w.Create(n)
		f.Write([]byte("<x/>"))
	}
	w.Close()
	return buf.Bytes()
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		kind string // "" for refused
	}{
		{"报告.pdf", []byte("%PDF-1.7\n..."), "pdf"},
		{"photo.JPG", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2}, "jpg"},
		{"chart.png", []byte("\x89PNG\r\n\x1a\n...."), "png"},
		{"old.doc", append(append([]byte{}, ole...), 1, 2, 3), "doc"},
		{"old.xls", append(append([]byte{}, ole...), 1, 2, 3), "xls"},
		{"macro.exe", append(append([]byte{}, ole...), 1, 2, 3), ""},
		{"a.docx", zipOf("[Content_Types].xml", "word/document.xml"), "docx"},
		{"a.xlsx", zipOf("[Content_Types].xml", "xl/workbook.xml"), "xlsx"},
		{"a.ofd", zipOf("OFD.xml", "Doc_0/Document.xml"), "ofd"},
		{"a.zip", zipOf("readme.txt"), ""},
		{"evil.pdf", []byte("<script>alert(1)</script>"), ""},
		{"evil.png", []byte("MZ\x90\x00"), ""},
		{"empty.pdf", nil, ""},
		{"", []byte("%PDF-1.7"), ""},
	} {
		kind, mime, err := Check(tc.name, tc.data, 1<<20)
		if kind != tc.kind || (tc.kind != "" && (err != nil || mime == "")) || (tc.kind == "" && !apperr.Is(err, apperr.Invalid)) {
			t.Errorf("%s: %q %q %v, want %q", tc.name, kind, mime, err, tc.kind)
		}
	}
	_, _, err := Check("big.pdf", append([]byte("%PDF-"), make([]byte, 3<<20)...), 2<<20)
	if e, ok := apperr.As(err); !ok || e.Key != "err.file_too_large" || e.Args[0] != int64(2) {
		t.Fatalf("too large: %v", err)
	}
	_, _, err = Check("x.txt", []byte("hello"), 1<<20)
	if e, ok := apperr.As(err); !ok || e.Key != "err.file_type" {
		t.Fatalf("type: %v", err)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("a.docx", zipOf("[Content_Types].xml", "word/document.xml"))
	f.Add("a.pdf", []byte("%PDF-1.4"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		kind, _, err := Check(name, data, 1<<20)
		if (err == nil) != (kind != "") {
			t.Fatalf("%q: kind %q err %v", name, kind, err)
		}
	})
}
