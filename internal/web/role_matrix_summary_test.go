package web

// Rows of the role matrix for the cycle's summary: everyone who may read
// the cycle under review ({cycle:vT}) gets the page and the workbook, each
// part holding what their role may see (summary_test.go checks the parts);
// a cycle outside the grant is invisible.
func init() {
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /cycles/{id}/summary", method: "GET", path: "/cycles/{cycle:vT}/summary", allowed: everyone, ok: 200},
		{route: "GET /cycles/{id}/summary.xlsx", method: "GET", path: "/cycles/{cycle:vT}/summary.xlsx", allowed: everyone, ok: 200},
	}...)
}
