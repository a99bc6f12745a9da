package web

import "zeren/internal/auth"

// Rows of the role matrix for recording findings in the browser and
// splitting one into several items, on the items of rectFixture
// ({rectp:T} in planning, its finding {finding:T} open). Recording is
// RecordFinding on the unit, or for self-examination also RecordOwnFinding
// (a unit leader's); the form is for either. A unit outside the grant
// named in the query or the form is bad input (400), as in the API.
func init() {
	recorders := []auth.Role{auth.Admin, auth.Organizer, auth.Supervisor}
	selfExaminers := []auth.Role{auth.Admin, auth.Organizer, auth.Supervisor, auth.UnitLeader}
	const form = "unit_id={T1}&cycle_id={cycle:vT}&severity=major&text=民主生活会质量不高&source="
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /findings/new", method: "GET", path: "/findings/new?cycle={cycle:vT}&unit={T1}", allowed: selfExaminers, ok: 200, outsideAllowed: 400, outsideDenied: 400},
		{route: "POST /findings", method: "POST", path: "/findings", body: form + "supervision", allowed: recorders, ok: 303, outsideAllowed: 400, outsideDenied: 400},
		{route: "POST /findings", method: "POST", path: "/findings", body: form + "self_examination", allowed: selfExaminers, ok: 303, outsideAllowed: 400, outsideDenied: 400},
		{route: "POST /rectifications/{id}/split", method: "POST", path: "/rectifications/{rectp:T}/split", body: "note=建立长效机制", allowed: recorders, ok: 303},
		{route: "POST /api/v1/findings/{id}/items", method: "POST", path: "/api/v1/findings/{finding:T}/items", body: `{"note": "建立长效机制"}`, allowed: recorders, ok: 201},
	}...)
}
