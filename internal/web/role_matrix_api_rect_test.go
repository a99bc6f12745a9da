package web

import "zeren/internal/auth"

// Rows of the role matrix for the findings and rectifications API, on the
// items of rectFixture: {rect:T} in progress (with {urge:T}, {ext:T},
// {evidence:T}), {rectw:T} awaiting verification (submitted by "admin",
// so every role-* user may verify it), {rectc:T} closed, {rectp:T} in
// planning with its finding {finding:T}. A unit outside the grant named
// in a query or a body is bad input (400); an item outside it is 404.
func init() {
	recorders := []auth.Role{auth.Admin, auth.Organizer, auth.Supervisor}                      // RecordFinding
	selfExaminers := []auth.Role{auth.Admin, auth.Organizer, auth.Supervisor, auth.UnitLeader} // … or RecordOwnFinding
	supervisors := []auth.Role{auth.Admin, auth.Supervisor}                                    // verify, urge
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /api/v1/findings", method: "GET", path: "/api/v1/findings?cycle={cycle:vT}&unit={T}", allowed: everyone, ok: 200, outsideAllowed: 400, outsideDenied: 400},
		{route: "POST /api/v1/findings", method: "POST", path: "/api/v1/findings", body: `{"unit_id": {T1}, "cycle_id": {cycle:vT}, "source": "supervision", "severity": "major", "text": "民主生活会质量不高"}`, allowed: recorders, ok: 201, outsideAllowed: 400, outsideDenied: 400},
		{route: "POST /api/v1/findings", method: "POST", path: "/api/v1/findings", body: `{"unit_id": {T1}, "cycle_id": {cycle:vT}, "source": "self_examination", "text": "理论学习不够深入"}`, allowed: selfExaminers, ok: 201, outsideAllowed: 400, outsideDenied: 400},
		{route: "GET /api/v1/findings/{id}", method: "GET", path: "/api/v1/findings/{finding:T}", allowed: everyone, ok: 200},
		{route: "PATCH /api/v1/findings/{id}", method: "PATCH", path: "/api/v1/findings/{finding:T}", body: `{"version": {fv:T}, "root_cause": "制度执行不严"}`, allowed: recorders, ok: 200},
		{route: "GET /api/v1/rectifications", method: "GET", path: "/api/v1/rectifications?cycle={cycle:vT}&unit={T}&sort=overdue", allowed: everyone, ok: 200, outsideAllowed: 400, outsideDenied: 400},
		{route: "GET /api/v1/rectifications/{id}", method: "GET", path: "/api/v1/rectifications/{rect:T}", allowed: everyone, ok: 200},
		{route: "PATCH /api/v1/rectifications/{id}", method: "PATCH", path: "/api/v1/rectifications/{rect:T}", body: `{"version": {rectv:T}, "measures": "逐月检查党员教育台账"}`, allowed: writers, ok: 200},
		{route: "PATCH /api/v1/rectifications/{id}", method: "PATCH", path: "/api/v1/rectifications/{rectp:T}", body: `{"version": {rectpv:T}, "measures": "规范发展党员程序", "owner": "组织委员", "responsible_leader": "书记", "deadline": "2021-06-30", "kind": "long_term"}`, allowed: writers, ok: 200},
		{route: "POST /api/v1/rectifications/{id}/updates", method: "POST", path: "/api/v1/rectifications/{rect:T}/updates", body: `{"text": "完成第二批整改", "files": [{"name": "记录.pdf", "data": "JVBERi0xLjQ="}]}`, allowed: writers, ok: 201},
		{route: "POST /api/v1/rectifications/{id}/submit", method: "POST", path: "/api/v1/rectifications/{rect:T}/submit", body: `{"version": {rectv:T}}`, allowed: leaders, ok: 200},
		{route: "POST /api/v1/rectifications/{id}/verify", method: "POST", path: "/api/v1/rectifications/{rectw:T}/verify", body: `{"version": {rectwv:T}}`, allowed: supervisors, ok: 200},
		{route: "POST /api/v1/rectifications/{id}/reject", method: "POST", path: "/api/v1/rectifications/{rectw:T}/reject", body: `{"version": {rectwv:T}, "reason": "佐证材料不足"}`, allowed: supervisors, ok: 200},
		{route: "POST /api/v1/rectifications/{id}/reopen", method: "POST", path: "/api/v1/rectifications/{rectc:T}/reopen", body: `{"version": {rectcv:T}, "reason": "问题反弹"}`, allowed: supervisors, ok: 200},
		{route: "POST /api/v1/rectifications/{id}/extend", method: "POST", path: "/api/v1/rectifications/{rectw:T}/extend", body: `{"deadline": "2021-12-31", "reason": "涉及跨部门协调"}`, allowed: leaders, ok: 201},
		{route: "POST /api/v1/extensions/{id}/approve", method: "POST", path: "/api/v1/extensions/{ext:T}/approve", allowed: organizers, ok: 200},
		{route: "POST /api/v1/extensions/{id}/refuse", method: "POST", path: "/api/v1/extensions/{ext:T}/refuse", allowed: organizers, ok: 200},
		{route: "POST /api/v1/rectifications/{id}/urges", method: "POST", path: "/api/v1/rectifications/{rect:T}/urges", body: `{"level": "yellow", "text": "进度滞后，请说明情况", "reply_by": "2021-01-30"}`, allowed: supervisors, ok: 201},
		{route: "POST /api/v1/urges/{id}/reply", method: "POST", path: "/api/v1/urges/{urge:T}/reply", body: `{"reply": "已加派人手，本月底完成"}`, allowed: writers, ok: 200},
		{route: "POST /api/v1/urges/{id}/escalate", method: "POST", path: "/api/v1/urges/{urge:T}/escalate", body: `{"text": "逾期未回复，升级督办", "reply_by": "2021-01-30"}`, allowed: supervisors, ok: 201},
		{route: "GET /api/v1/evidence/{id}", method: "GET", path: "/api/v1/evidence/{evidence:T}", allowed: everyone, ok: 200},
		{route: "GET /api/v1/units/{id}/stats", method: "GET", path: "/api/v1/units/{T}/stats?cycle={cycle:vT}", allowed: everyone, ok: 200},
	}...)
}
