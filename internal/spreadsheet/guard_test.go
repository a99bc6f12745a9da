package spreadsheet

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	// writes is a call that writes cells of a workbook or CSV file.
	writes = regexp.MustCompile(`\.(SetRow|SetSheetRow|SetSheetCol|SetCellValue|SetCellStr|SetCellDefault|SetCellRichText)\(|csv\.NewWriter\(`)
	// reads is a call that reads them.
	reads = regexp.MustCompile(`\.(Columns|GetRows|GetCols|GetCellValue)\(|csv\.NewReader\(`)
)

// TestEveryWriterEscapes reads the code (tests aside): each call that
// writes cells has Cells or Escape on its line or the line above, and
// each file that reads cells calls Unescape or UnescapeCells. A new
// export or import that skips the rule fails here.
func TestEveryWriterEscapes(t *testing.T) {
	root := filepath.Join("..", "..")
	var writers, readers int
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
				strings.Contains(path, string(filepath.Separator)+"spreadsheet"+string(filepath.Separator)) {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			lines := strings.Split(string(b), "\n")
			for i, line := range lines {
				if !writes.MatchString(line) {
					continue
				}
				writers++
				if !strings.Contains(line, "spreadsheet.") && (i == 0 || !strings.Contains(lines[i-1], "spreadsheet.")) {
					t.Errorf("%s:%d writes cells without spreadsheet.Cells: %s", path, i+1, strings.TrimSpace(line))
				}
			}
			if (reads.Match(b) && strings.Contains(string(b), "excelize")) || strings.Contains(string(b), "csv.NewReader(") {
				readers++
				if !strings.Contains(string(b), "spreadsheet.Unescape") {
					t.Errorf("%s reads cells without spreadsheet.Unescape", path)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The check must look at something: the ledger, the findings sheet,
	// the results and the summary write; the ledger reads (the other
	// imports read through EachRow, which unescapes).
	if writers < 6 || readers < 1 {
		t.Fatalf("found %d writing calls and %d reading files: the search is broken", writers, readers)
	}
}
