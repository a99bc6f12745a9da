package web

// Rows of the role matrix for the appraisal and comment API. The fixture's
// appraisal {appraisal:T} is open and every role-* user is invited to A's
// (none to B's), so some allowed calls are conflicts (409), and there is no
// comment to publish yet (400).
func init() {
	roleMatrix = append(roleMatrix, []access{
		{route: "POST /api/v1/cycles/{id}/appraisal", method: "POST", path: "/api/v1/cycles/{cycle:pT}/appraisal", body: `{"groups": [{"name": "市领导", "weight": 100}]}`, allowed: organizers, ok: 201},
		{route: "GET /api/v1/appraisals/{id}", method: "GET", path: "/api/v1/appraisals/{appraisal:T}", allowed: everyone, ok: 200},
		{route: "PATCH /api/v1/appraisals/{id}", method: "PATCH", path: "/api/v1/appraisals/{appraisal:T}", body: `{"version": {av:T}, "min_ballots": 5}`, allowed: organizers, ok: 409},
		{route: "POST /api/v1/appraisals/{id}/open", method: "POST", path: "/api/v1/appraisals/{appraisal:T}/open", body: `{"version": {av:T}}`, allowed: organizers, ok: 409},
		{route: "POST /api/v1/appraisals/{id}/close", method: "POST", path: "/api/v1/appraisals/{appraisal:T}/close", body: `{"version": {av:T}}`, allowed: organizers, ok: 200},
		{route: "POST /api/v1/appraisals/{id}/codes", method: "POST", path: "/api/v1/appraisals/{appraisal:T}/codes", body: `{"group_id": {group:T}, "count": 2}`, allowed: organizers, ok: 201},
		{route: "POST /api/v1/appraisals/{id}/voters", method: "POST", path: "/api/v1/appraisals/{appraisal:T}/voters", body: `{"group_id": {group:T}, "logins": ["member-a"]}`, allowed: organizers, ok: 200},
		// Voting is by invitation, not by role: every role-* user is invited to A's.
		{route: "GET /api/v1/appraisals/{id}/ballot", method: "GET", path: "/api/v1/appraisals/{appraisal:T}/ballot", allowed: everyone, ok: 200},
		{route: "POST /api/v1/appraisals/{id}/ballots", method: "POST", path: "/api/v1/appraisals/{appraisal:T}/ballots", body: `{"submission": "x", "ballots": [{"report_id": {report:vT}, "grade": 1}, {"report_id": {report:v2T}, "grade": 0}]}`, allowed: everyone, ok: 201},
		{route: "POST /api/v1/vote", method: "POST", path: "/api/v1/vote", body: `{"code": "{code:T}", "submission": "x", "ballots": [{"report_id": {report:vT}, "grade": 2}, {"report_id": {report:v2T}, "grade": 4}]}`, public: true, ok: 201},
		{route: "GET /api/v1/appraisals/{id}/results", method: "GET", path: "/api/v1/appraisals/{appraisal:T}/results", allowed: readers, ok: 409},
		// A draft comment (here the empty one) is invisible to all but its authors.
		{route: "GET /api/v1/reports/{id}/comment", method: "GET", path: "/api/v1/reports/{report:vT}/comment", allowed: organizers, ok: 200, denied: 404},
		{route: "PUT /api/v1/reports/{id}/comment", method: "PUT", path: "/api/v1/reports/{report:vT}/comment", body: `{"version": 0, "affirmations": "肯定成绩", "problems": [{"severity": "major", "text": "问题"}]}`, allowed: organizers, ok: 200},
		{route: "POST /api/v1/reports/{id}/comment/publish", method: "POST", path: "/api/v1/reports/{report:vT}/comment/publish", body: `{"version": 1}`, allowed: organizers, ok: 400},
	}...)
}
