package web

import (
	"archive/zip"
	"bytes"
	"io"

	"github.com/xuri/excelize/v2"

	"zeren/internal/auth"
)

// findingRecorders are the roles that record findings (auth.RecordFinding).
var findingRecorders = []auth.Role{auth.Admin, auth.Organizer, auth.Supervisor}

// Rows of the role matrix for importing inspection feedback into the cycle
// under review ({cycle:vT}): its template, form and upload are for those
// who record findings. The file sent is a title row only, which records
// nothing. The matrix sends API bodies as JSON, so the API's multipart
// upload answers an allowed caller 400 (no file), after the access checks
// that the row is about; findings_import_test.go uploads real files.
func init() {
	empty := multipartFile("巡视反馈.xlsx", titleOnlyFindings())
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /cycles/{id}/findings/template.xlsx", method: "GET", path: "/cycles/{cycle:vT}/findings/template.xlsx", allowed: findingRecorders, ok: 200},
		{route: "GET /cycles/{id}/findings/import", method: "GET", path: "/cycles/{cycle:vT}/findings/import", allowed: findingRecorders, ok: 200},
		{route: "POST /cycles/{id}/findings/import", method: "POST", path: "/cycles/{cycle:vT}/findings/import", body: empty, allowed: findingRecorders, ok: 200},
		{route: "POST /api/v1/cycles/{id}/findings/import", method: "POST", path: "/api/v1/cycles/{cycle:vT}/findings/import", body: empty, allowed: findingRecorders, ok: 400},
	}...)
}

// titleOnlyFindings is a findings workbook with its title row only, its
// parts stored, not deflated, as titleOnlyLedger's are.
func titleOnlyFindings() string {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"unit", "problem"}); err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return storedZip{zip.NewWriter(&buf)} })
	if err := f.Write(io.Discard); err != nil {
		panic(err)
	}
	return buf.String()
}
