package web

// Rows of the role matrix for the assessment. Its page is for those who
// read the cycle's results; a unit sees its own row only once published
// (tested in assessment_test.go). Changes are the organizer's; the cycle
// under review ({cycle:vT}) is not yet assessing, so computing is refused
// with 409.
func init() {
	scheme := "version=0&ind_name_0=党建工作&ind_key_0=pb&ind_points_0=100&ind_source_0=manual" +
		"&band_grade_0=好&band_min_0=60&band_max_0=100&band_grade_1=差&band_min_1=0&band_max_1=60"
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /cycles/{id}/assessment", method: "GET", path: "/cycles/{cycle:vT}/assessment", allowed: readers, ok: 200},
		{route: "POST /cycles/{id}/assessment/scheme", method: "POST", path: "/cycles/{cycle:vT}/assessment/scheme", body: scheme, allowed: organizers, ok: 303},
		{route: "POST /cycles/{id}/assessment/manual", method: "POST", path: "/cycles/{cycle:vT}/assessment/manual", body: "unit_id={A1}&manual_party_building=10", allowed: organizers, ok: 303},
		{route: "POST /cycles/{id}/assessment/compute", method: "POST", path: "/cycles/{cycle:vT}/assessment/compute", allowed: organizers, ok: 409},
		{route: "POST /cycles/{id}/assessment/adjust", method: "POST", path: "/cycles/{cycle:vT}/assessment/adjust", body: "unit_id={A1}&adjustment=1&reason=x", allowed: organizers, ok: 409},
		{route: "POST /cycles/{id}/assessment/publish", method: "POST", path: "/cycles/{cycle:vT}/assessment/publish", body: "version=0", allowed: organizers, ok: 409},
		{route: "POST /cycles/{id}/assessment/reopen", method: "POST", path: "/cycles/{cycle:vT}/assessment/reopen", body: "version=0&reason=x", allowed: organizers, ok: 409},
	}...)
}
