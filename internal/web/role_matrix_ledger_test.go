package web

import (
	"archive/zip"
	"bytes"
	"io"

	"github.com/xuri/excelize/v2"
)

// Rows of the role matrix for the ledger's export and import. Everyone who
// may read the cycle under review ({cycle:vT}) may export its ledger (the
// items of their grants); importing is for those who keep plans and
// progress (leaders and staff). The import sent is an empty ledger: a
// title row only, which changes nothing.
func init() {
	empty := multipartFile("台账.xlsx", titleOnlyLedger())
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /cycles/{id}/ledger.xlsx", method: "GET", path: "/cycles/{cycle:vT}/ledger.xlsx", allowed: everyone, ok: 200},
		{route: "GET /cycles/{id}/ledger/import", method: "GET", path: "/cycles/{cycle:vT}/ledger/import", allowed: writers, ok: 200},
		{route: "POST /cycles/{id}/ledger/import", method: "POST", path: "/cycles/{cycle:vT}/ledger/import", body: empty, allowed: writers, ok: 200},
		{route: "GET /api/v1/cycles/{id}/ledger.xlsx", method: "GET", path: "/api/v1/cycles/{cycle:vT}/ledger.xlsx", allowed: everyone, ok: 200},
	}...)
}

// titleOnlyLedger is a workbook whose only row names the item id column.
// Its parts are stored, not deflated, so that the bytes are XML text in
// which the fixture's {placeholders} cannot appear by chance.
func titleOnlyLedger() string {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"item_id", "progress"}); err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return storedZip{zip.NewWriter(&buf)} })
	if err := f.Write(io.Discard); err != nil {
		panic(err)
	}
	return buf.String()
}

// storedZip writes every part without compression.
type storedZip struct{ *zip.Writer }

func (z storedZip) Create(name string) (io.Writer, error) {
	return z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
}
