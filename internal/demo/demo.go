// Package demo loads the worked example of DESIGN.md section 9: Mianyang's
// city committee and its units, the 2019 and 2020 review cycles with their
// reports, and one demo user per role.
package demo

import (
	"context"
	"fmt"

	"zeren/internal/audit"
	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// Password is every demo user's password; the demo prints it.
const Password = "zeren-demo-2021"

// Login is one demo account.
type Login struct {
	Login string
	Name  string
	Role  auth.Role
	Unit  string
}

type node struct {
	name, leader string
	kind         unit.Kind
	children     []node
}

func n(name string, kind unit.Kind, leader string, children ...node) node {
	return node{name: name, kind: kind, leader: leader, children: children}
}

// tree is the organization of the example. The counties, parks and
// departments are those that report to the municipal committee.
var tree = n("中共绵阳市委", unit.Committee, "",
	n("中共涪城区委", unit.Committee, "",
		n("城厢街道党工委", unit.Grassroots, ""),
		n("工区街道党工委", unit.Grassroots, ""),
		n("吴家镇党委", unit.Grassroots, "")),
	n("中共游仙区委", unit.Committee, "",
		n("游仙街道党工委", unit.Grassroots, ""),
		n("魏城镇党委", unit.Grassroots, "")),
	n("中共安州区委", unit.Committee, "",
		n("花荄镇党委", unit.Grassroots, "")),
	n("中共江油市委", unit.Committee, "",
		n("太白镇党委", unit.Grassroots, ""),
		n("青莲镇党委", unit.Grassroots, "")),
	n("中共三台县委", unit.Committee, ""),
	n("中共盐亭县委", unit.Committee, ""),
	n("中共梓潼县委", unit.Committee, ""),
	n("中共平武县委", unit.Committee, ""),
	n("中共北川羌族自治县委", unit.Committee, ""),
	n("绵阳高新区党工委", unit.Park, ""),
	n("绵阳经开区党工委", unit.Park, ""),
	n("科技城新区党工委", unit.Park, ""),
	n("仙海区党工委", unit.Park, ""),
	n("市纪委监委", unit.Department, ""),
	n("市委组织部", unit.Department, ""),
	n("市委宣传部", unit.Department, ""),
	n("市教育和体育局党组", unit.Department, ""),
	n("市卫生健康委党组", unit.Department, ""),
	n("市住房城乡建设局党组", unit.Department, ""),
	n("市国资委党委", unit.Department, ""),
	n("市公安局党委", unit.Department, ""),
)

// logins are the demo accounts, one per role: the organizer and the
// supervisor work for the city committee, the leader and staff for Fucheng.
var logins = []Login{
	{"admin", "系统管理员", auth.Admin, "中共绵阳市委"},
	{"organizer", "组织部 王芳", auth.Organizer, "中共绵阳市委"},
	{"supervisor", "纪委监委 李强", auth.Supervisor, "中共绵阳市委"},
	{"leader", "涪城区委书记 张伟", auth.UnitLeader, "中共涪城区委"},
	{"staff", "涪城区委办 刘洋", auth.UnitStaff, "中共涪城区委"},
	{"participant", "市人大代表 陈静", auth.Participant, "中共绵阳市委"},
	{"observer", "省督导组 赵敏", auth.Observer, "中共绵阳市委"},
}

// actor is who the demo data is recorded as in the audit trail.
var actor = audit.Actor{Login: "demo"}

// Load fills an empty database with the example and returns the logins.
func Load(ctx context.Context, st *store.Store) ([]Login, error) {
	if n, err := st.CountUnits(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, fmt.Errorf("the demo needs an empty database; this one has %d units", n)
	}
	ids := map[string]int64{}
	if err := add(ctx, st, 0, tree, ids); err != nil {
		return nil, err
	}
	c19, c20, err := loadCycles(ctx, st, ids)
	if err != nil {
		return nil, err
	}
	hash := auth.HashPassword(Password)
	for _, l := range logins {
		_, err := st.CreateUser(ctx, actor, user.Draft{Login: l.Login, Name: l.Name, Locale: "zh-CN"}, hash,
			[]auth.Grant{{Role: l.Role, UnitID: ids[l.Unit]}})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", l.Login, err)
		}
	}
	// The meeting's appraisal and comments need the voters' accounts.
	if err := loadAppraisal(ctx, st, ids, c20); err != nil {
		return nil, err
	}
	if err := loadComments(ctx, st, c20); err != nil {
		return nil, err
	}
	if err := loadRectifications(ctx, st, c19, c20); err != nil {
		return nil, err
	}
	if err := loadTownships(ctx, st, ids); err != nil {
		return nil, err
	}
	return logins, nil
}

func add(ctx context.Context, st *store.Store, parent int64, nd node, ids map[string]int64) error {
	u, err := st.CreateUnit(ctx, actor, parent, unit.Draft{Name: nd.name, Kind: nd.kind, Leader: nd.leader})
	if err != nil {
		return fmt.Errorf("demo unit %s: %w", nd.name, err)
	}
	ids[nd.name] = u.ID
	for _, c := range nd.children {
		if err := add(ctx, st, u.ID, c, ids); err != nil {
			return err
		}
	}
	return nil
}
