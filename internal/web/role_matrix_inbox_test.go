package web

import "zeren/internal/auth"

// Rows of the role matrix for the inbox, the contact, the stall days and
// the jobs page. Everyone reads and marks their own notifications
// ({note:self}) and sets their own contact; the stall days are decided by
// those who urge at the cycle's unit (admin, supervisor); the jobs page is
// for admins of a whole tree only, and without a job runner in the test
// server a retry finds nothing.
func init() {
	urgers := []auth.Role{auth.Admin, auth.Supervisor}
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /inbox", method: "GET", path: "/inbox", allowed: everyone, ok: 200},
		{route: "GET /inbox/{id}", method: "GET", path: "/inbox/{note:self}", allowed: everyone, ok: 303},
		{route: "POST /inbox/read", method: "POST", path: "/inbox/read", allowed: everyone, ok: 303},
		{route: "POST /profile/contact", method: "POST", path: "/profile/contact", body: "email=zhang%40example.org&phone=13800000000&channels=email&channels=wecom", allowed: everyone, ok: 303},
		{route: "POST /cycles/{id}/stall-days", method: "POST", path: "/cycles/{cycle:T}/stall-days", body: "stall_days=7", allowed: urgers, ok: 303},
		{route: "GET /jobs", method: "GET", path: "/jobs", allowed: nil, ok: 200}, // only admins of a whole tree
		{route: "POST /jobs/{id}/retry", method: "POST", path: "/jobs/1/retry", allowed: nil, ok: 404},

		{route: "GET /api/v1/me/notifications", method: "GET", path: "/api/v1/me/notifications?limit=10", allowed: everyone, ok: 200},
		{route: "POST /api/v1/me/notifications/read", method: "POST", path: "/api/v1/me/notifications/read", allowed: everyone, ok: 200},
		{route: "POST /api/v1/me/notifications/{id}/read", method: "POST", path: "/api/v1/me/notifications/{note:self}/read", allowed: everyone, ok: 200},
		{route: "GET /api/v1/me/contact", method: "GET", path: "/api/v1/me/contact", allowed: everyone, ok: 200},
		{route: "PUT /api/v1/me/contact", method: "PUT", path: "/api/v1/me/contact", body: `{"email": "zhang@example.org", "phone": "+86 138-0000-0000", "channels": ["email", "dingtalk"]}`, allowed: everyone, ok: 200},
		{route: "PATCH /api/v1/cycles/{id}", method: "PATCH", path: "/api/v1/cycles/{cycle:T}", body: `{"stall_days": 7}`, allowed: urgers, ok: 200},
	}...)
}
