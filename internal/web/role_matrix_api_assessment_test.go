package web

// Rows of the role matrix for the assessment API. Scores are for readers
// of results until published (a unit's view is tested in
// api_assessment_test.go); changes are the organizers'. The cycle under
// review ({cycle:vT}) is not yet assessing, so computing is refused with
// 409, and there is nothing computed to adjust or publish, nor published
// to reopen.
func init() {
	scheme := `{"version": 0, "scheme": {"indicators": [{"key": "pb", "name": "党建工作", "points": 100, "source": "manual"}],` +
		` "grades": [{"bands": [{"grade": "好", "min": 60, "max": 100}, {"grade": "差", "min": 0, "max": 60}]}]}}`
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /api/v1/cycles/{id}/assessment", method: "GET", path: "/api/v1/cycles/{cycle:vT}/assessment", allowed: readers, ok: 200},
		{route: "PUT /api/v1/cycles/{id}/assessment/scheme", method: "PUT", path: "/api/v1/cycles/{cycle:vT}/assessment/scheme", body: scheme, allowed: organizers, ok: 200},
		{route: "PUT /api/v1/cycles/{id}/assessment/manual", method: "PUT", path: "/api/v1/cycles/{cycle:vT}/assessment/manual", body: `{"unit_id": {T1}, "indicator": "party_building", "score": 10}`, allowed: organizers, ok: 204},
		{route: "POST /api/v1/cycles/{id}/assessment/compute", method: "POST", path: "/api/v1/cycles/{cycle:vT}/assessment/compute", allowed: organizers, ok: 409},
		{route: "POST /api/v1/cycles/{id}/assessment/adjust", method: "POST", path: "/api/v1/cycles/{cycle:vT}/assessment/adjust", body: `{"unit_id": {T1}, "adjustment": 1, "reason": "x"}`, allowed: organizers, ok: 409},
		{route: "POST /api/v1/cycles/{id}/assessment/publish", method: "POST", path: "/api/v1/cycles/{cycle:vT}/assessment/publish", body: `{"version": 0}`, allowed: organizers, ok: 409},
		{route: "POST /api/v1/cycles/{id}/assessment/reopen", method: "POST", path: "/api/v1/cycles/{cycle:vT}/assessment/reopen", body: `{"version": 0, "reason": "x"}`, allowed: organizers, ok: 409},
	}...)
}
