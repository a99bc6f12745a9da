package web

import "net/http"

// Rows of the role matrix for the dashboards: they are for those who read
// results (admin, organizer, supervisor), within their grants. /dashboard
// sends them on to the newest cycle they may see. A unit outside the grant
// is invisible (404) on the pages named by its path; chosen for the
// comparison, it is refused as a bad field (400) to those who compare,
// while the others may not compare at all (403).
func init() {
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /dashboard", method: "GET", path: "/dashboard", allowed: readers, ok: http.StatusSeeOther},
		{route: "GET /cycles/{id}/dashboard", method: "GET", path: "/cycles/{cycle:vT}/dashboard", allowed: readers, ok: 200},
		{route: "GET /units/{id}/dashboard", method: "GET", path: "/units/{T}/dashboard", allowed: readers, ok: 200},
		{route: "GET /dashboard/compare", method: "GET", path: "/dashboard/compare?unit={T1}&unit={T}", allowed: readers, ok: 200,
			outsideAllowed: 400, outsideDenied: 403},
	}...)
}
