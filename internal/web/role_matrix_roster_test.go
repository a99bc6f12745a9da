package web

// Rows of the role matrix for importing and exporting units and users.
// The sheets sent are a title row only, which change nothing; the API
// reads a body that is not multipart as the file itself. The importers
// are the admins (auth.ManageUnits, auth.ManageUsers); anyone may export
// the units they read. api_roster_test.go and roster_import_test.go
// import real rows.
func init() {
	const units, users = "名称,上级单位\n", "登录名,姓名,授权（角色@单位）\n"
	roleMatrix = append(roleMatrix, []access{
		{route: "POST /api/v1/units/import", method: "POST", path: "/api/v1/units/import?dry_run=1", body: units, allowed: admins, ok: 200},
		{route: "GET /api/v1/units/export", method: "GET", path: "/api/v1/units/export?format=csv", allowed: everyone, ok: 200},
		{route: "POST /api/v1/users/import", method: "POST", path: "/api/v1/users/import", body: users, allowed: admins, ok: 200},
		{route: "GET /api/v1/users/export", method: "GET", path: "/api/v1/users/export", allowed: admins, ok: 200},
		{route: "GET /units/import", method: "GET", path: "/units/import", allowed: admins, ok: 200},
		{route: "POST /units/import", method: "POST", path: "/units/import", body: multipartFile("units.csv", units), allowed: admins, ok: 200},
		{route: "GET /units/export", method: "GET", path: "/units/export", allowed: everyone, ok: 200},
		{route: "GET /users/import", method: "GET", path: "/users/import", allowed: admins, ok: 200},
		{route: "POST /users/import", method: "POST", path: "/users/import", body: multipartFile("users.csv", users), allowed: admins, ok: 200},
		{route: "GET /users/export", method: "GET", path: "/users/export?format=csv", allowed: admins, ok: 200},
	}...)
}
