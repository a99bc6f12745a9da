// Package unit holds the organization tree's rules: kinds, names and the
// materialized path that makes subtree queries a single index range.
package unit

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zeren/internal/apperr"
)

// Kind is what sort of body a unit is (DESIGN.md section 4).
type Kind string

// The unit kinds.
const (
	Committee  Kind = "committee"
	Park       Kind = "park"
	Department Kind = "department"
	Grassroots Kind = "grassroots"
	Other      Kind = "other"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{Committee, Park, Department, Grassroots, Other}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// MaxNameLen is the longest unit name accepted, in characters; the longest
// real names (e.g. 中共绵阳市经济技术开发区工作委员会) are far shorter.
const MaxNameLen = 100

// MaxLeaderLen bounds the leader's name.
const MaxLeaderLen = 100

// Unit is a node of the organization tree.
type Unit struct {
	ID        int64     `json:"id"`
	ParentID  int64     `json:"parent_id,omitempty"` // 0 for a root
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	Path      string    `json:"path"`  // "/1/12/305/": ancestors and self
	Depth     int       `json:"depth"` // 1 for a root
	Leader    string    `json:"leader"`
	Code      string    `json:"code"` // the organization's number (编号), "" if none
	Archived  bool      `json:"archived"`
	Version   int64     `json:"version"`
	Children  int       `json:"children"` // number of direct children, when loaded
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Draft is what a user supplies to create or edit a unit.
type Draft struct {
	Name   string
	Kind   Kind
	Leader string
}

// Normalize trims the draft and checks every field, naming the first bad one.
func (d *Draft) Normalize() error {
	d.Name = strings.TrimSpace(d.Name)
	d.Leader = strings.TrimSpace(d.Leader)
	switch n := utf8.RuneCountInString(d.Name); {
	case n == 0:
		return apperr.Field("name", "err.required")
	case n > MaxNameLen:
		return apperr.Field("name", "err.too_long", MaxNameLen)
	}
	if !d.Kind.Valid() {
		return apperr.Field("kind", "err.unknown_kind")
	}
	if utf8.RuneCountInString(d.Leader) > MaxLeaderLen {
		return apperr.Field("leader", "err.too_long", MaxLeaderLen)
	}
	return nil
}

// ChildPath is the path of unit id under a parent with the given path ("" for a root).
func ChildPath(parentPath string, id int64) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + strconv.FormatInt(id, 10) + "/"
}

// SubtreeRange returns the half-open range [lo, hi) of the paths in the
// subtree rooted at path, itself included. Paths hold only digits and '/',
// and '0' is the byte after '/', so replacing the final '/' by '0' bounds
// exactly the strings that start with path under binary collation.
func SubtreeRange(path string) (lo, hi string) {
	return path, path[:len(path)-1] + "0"
}

// Contains reports whether the subtree at ancestor contains the unit at path.
func Contains(ancestor, path string) bool {
	return strings.HasPrefix(path, ancestor)
}

// Ancestors returns the ids on a path, root first, the unit itself last.
func Ancestors(path string) []int64 {
	var ids []int64
	for _, s := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// CheckMove refuses to move a unit under itself or one of its descendants.
func CheckMove(u Unit, newParent *Unit) error {
	if newParent == nil {
		return nil
	}
	if Contains(u.Path, newParent.Path) {
		return apperr.Field("parent_id", "err.move_into_own_subtree")
	}
	if newParent.Archived {
		return apperr.Field("parent_id", "err.parent_archived")
	}
	return nil
}
