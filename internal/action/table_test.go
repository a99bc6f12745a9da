package action

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"zeren/internal/auth"
)

// TestEveryActionDecides: every exported method of Actions reaches a
// decision of the table (directly or through a helper of this package),
// and every row of the table is asked somewhere outside the table, so that
// an action without a row or a row without an action fails.
func TestEveryActionDecides(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range Table {
		for n, v := range nameConsts {
			if v == r.Name {
				names[n] = true
			}
		}
	}
	refs := map[string]map[string]bool{}  // function → identifiers it uses
	calls := map[string]map[string]bool{} // function → functions of the package it calls
	exported := []string{}
	used := map[string]bool{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, file, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			key := fd.Name.Name
			if fd.Recv != nil {
				key = "Actions." + key
				if fd.Name.IsExported() {
					exported = append(exported, key)
				}
			}
			refs[key], calls[key] = map[string]bool{}, map[string]bool{}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.Ident:
					refs[key][x.Name] = true
					if names[x.Name] {
						used[x.Name] = true
					}
				case *ast.CallExpr:
					switch fn := x.Fun.(type) {
					case *ast.Ident:
						calls[key][fn.Name] = true
					case *ast.SelectorExpr:
						if id, ok := fn.X.(*ast.Ident); ok && id.Name == "a" {
							calls[key]["Actions."+fn.Sel.Name] = true
						}
					}
				}
				return true
			})
		}
	}
	// Rows asked by the pages and the API through Check and Can (the
	// loaders they still hold) count as asked.
	for _, dir := range []string{"../web", "../api", "../cli"} {
		others, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range others {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for n := range names {
				if strings.Contains(string(src), "action."+n+",") || strings.Contains(string(src), "action."+n+")") {
					used[n] = true
				}
			}
		}
	}
	// The decision functions: whoever calls them with a row decides.
	memo := map[string]bool{"decide": true, "decideUser": true, "Can": true, "canUser": true}
	var decides func(string, map[string]bool) bool
	decides = func(fn string, seen map[string]bool) bool {
		if v, ok := memo[fn]; ok {
			return v
		}
		if seen[fn] {
			return false
		}
		seen[fn] = true
		for id := range refs[fn] {
			if names[id] {
				memo[fn] = true
				return true
			}
		}
		for c := range calls[fn] {
			if decides(c, seen) {
				memo[fn] = true
				return true
			}
		}
		return false
	}
	if len(exported) < 30 {
		t.Fatalf("found only %d actions: the parse is wrong", len(exported))
	}
	for _, fn := range exported {
		if !decides(fn, map[string]bool{}) {
			t.Errorf("%s decides nothing of the table", fn)
		}
	}
	for n := range names {
		if !used[n] {
			t.Errorf("row %s is asked by no action", n)
		}
	}
}

// nameConsts maps each constant's identifier to its value, for the parse.
var nameConsts = map[string]Name{
	"UnitRead": UnitRead, "UnitCreate": UnitCreate, "UnitChange": UnitChange, "UnitChannels": UnitChannels, "UserRead": UserRead, "UserCreate": UserCreate,
	"UserChange": UserChange, "SettingsChange": SettingsChange, "AuditRead": AuditRead, "CycleCreate": CycleCreate,
	"CycleManage": CycleManage, "ReportEdit": ReportEdit, "ReportSubmit": ReportSubmit, "ReportReview": ReportReview,
	"AppraisalManage": AppraisalManage, "AppraisalResults": AppraisalResults, "BallotCast": BallotCast,
	"CommentWrite": CommentWrite, "FindingRecord": FindingRecord, "FindingRecordOwn": FindingRecordOwn,
	"FindingEdit": FindingEdit, "FindingEditOwn": FindingEditOwn, "RectPlan": RectPlan, "RectSubmit": RectSubmit,
	"RectVerify": RectVerify, "ExtensionDecide": ExtensionDecide, "UrgeIssue": UrgeIssue, "UrgeReply": UrgeReply,
	"AssessmentManage": AssessmentManage, "AssessmentReadFull": AssessmentReadFull, "DashboardRead": DashboardRead,
	"CycleEscalation": CycleEscalation, "JobsManage": JobsManage,
}

// TestTableNames: every row has a constant and a distinct name.
func TestTableNames(t *testing.T) {
	if len(nameConsts) != len(Table) {
		t.Errorf("%d constants for %d rows", len(nameConsts), len(Table))
	}
	seen := map[Name]bool{}
	for _, r := range Table {
		if seen[r.Name] {
			t.Errorf("row %s twice", r.Name)
		}
		seen[r.Name] = true
		if r.What == "" || (r.Need == "" && r.On != OnVoter) {
			t.Errorf("row %s is incomplete: %+v", r.Name, r)
		}
	}
}

// onText says in words which unit a row is decided on.
var onText = map[On]string{
	OnUnit:   "the object's unit",
	OnCycle:  "the cycle's reviewing unit",
	OnRaiser: "the level that raised the finding",
	OnUser:   "every grant of the user",
	OnPeer:   "every grant of the user, none at or above the admin's own level (top admins excepted)",
	OnTop:    "a root unit",
	OnVoter:  "the appraisal's voter list",
}

// markdown is the decision table as the README shows it.
func markdown() string {
	var b strings.Builder
	b.WriteString("| decision | what it decides | role | on |\n|---|---|---|---|\n")
	for _, r := range Table {
		roles := "an invited voter"
		if r.Need != "" {
			var rs []string
			for _, role := range auth.Roles {
				p := &auth.Principal{Grants: []auth.Grant{{Role: role, UnitPath: "/1/"}}}
				if p.Can(r.Need, "/1/") {
					rs = append(rs, string(role))
				}
			}
			roles = strings.Join(rs, ", ")
		}
		b.WriteString("| `" + string(r.Name) + "` | " + r.What + " | " + roles + " | " + onText[r.On] + " |\n")
	}
	return b.String()
}

// TestREADMETable: the README carries the decision table as the code has
// it (ZEREN_DECISION_TABLE=1 prints it).
func TestREADMETable(t *testing.T) {
	want := markdown()
	if os.Getenv("ZEREN_DECISION_TABLE") != "" {
		fmt.Print(want)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), want) {
		t.Error("README.md does not carry the decision table as the code has it; regenerate with ZEREN_DECISION_TABLE=1 go test -run TestREADMETable ./internal/action/")
	}
}
