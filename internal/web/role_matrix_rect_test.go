package web

import "zeren/internal/auth"

var (
	supervisors = []auth.Role{auth.Admin, auth.Supervisor}
	planners    = []auth.Role{auth.UnitLeader, auth.UnitStaff}
)

const planForm = "measures=建立台账&owner=组织委员 李四&responsible_leader=书记 王五&deadline=2021-02-26&kind=immediate"

// The rectification pages; the items are those of rectFixture.
func init() {
	roleMatrix = append(roleMatrix, []access{
		{route: "GET /ledger", method: "GET", path: "/ledger?status=in_progress", allowed: everyone, ok: 200},
		{route: "GET /rectifications/{id}", method: "GET", path: "/rectifications/{rect:T}", allowed: everyone, ok: 200},
		{route: "POST /rectifications/{id}/plan", method: "POST", path: "/rectifications/{rect:T}/plan", body: "version={rectv:T}&" + planForm, allowed: planners, ok: 303},
		{route: "POST /rectifications/{id}/start", method: "POST", path: "/rectifications/{rectp:T}/start", body: "version={rectpv:T}", allowed: leaders, ok: 409}, // no plan yet
		{route: "POST /rectifications/{id}/submit", method: "POST", path: "/rectifications/{rect:T}/submit", body: "version={rectv:T}", allowed: leaders, ok: 303},
		{route: "POST /rectifications/{id}/verify", method: "POST", path: "/rectifications/{rectw:T}/verify", body: "version={rectwv:T}", allowed: supervisors, ok: 303},
		{route: "POST /rectifications/{id}/reject", method: "POST", path: "/rectifications/{rectw:T}/reject", body: "version={rectwv:T}&reason=佐证不足", allowed: supervisors, ok: 303},
		{route: "POST /rectifications/{id}/reopen", method: "POST", path: "/rectifications/{rectc:T}/reopen", body: "version={rectcv:T}&reason=问题反弹", allowed: supervisors, ok: 303},
		{route: "POST /rectifications/{id}/updates", method: "POST", path: "/rectifications/{rect:T}/updates", body: "text=已完成第二批整改", allowed: planners, ok: 303},
		{route: "POST /rectifications/{id}/extend", method: "POST", path: "/rectifications/{rect:T}/extend", body: "deadline=2021-04-30&reason=x", allowed: leaders, ok: 409}, // one is pending
		{route: "POST /extensions/{id}/decide", method: "POST", path: "/extensions/{ext:T}/decide", body: "op=approve", allowed: organizers, ok: 303},
		{route: "POST /rectifications/{id}/urges", method: "POST", path: "/rectifications/{rect:T}/urges", body: "level=yellow&text=请加快&reply_by=2021-01-30", allowed: supervisors, ok: 303},
		{route: "POST /urges/{id}/reply", method: "POST", path: "/urges/{urge:T}/reply", body: "reply=已整改", allowed: planners, ok: 303},
		{route: "POST /urges/{id}/escalate", method: "POST", path: "/urges/{urge:T}/escalate", body: "text=升级&reply_by=2021-01-30", allowed: supervisors, ok: 303},
		{route: "GET /evidence/{id}", method: "GET", path: "/evidence/{evidence:T}", allowed: everyone, ok: 200},
	}...)
}
