package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"zeren/internal/auth"
	"zeren/internal/roster"
)

// ExportUnits calls fn with the active units the reader sees, parents
// before children and siblings by name, so that the order depends on the
// tree alone (not on ids) and an export imported into an empty database
// exports again the same.
func (s *Store) ExportUnits(ctx context.Context, sees func(path string) bool, fn func(roster.UnitRow) error) error {
	tr, err := loadTree(ctx, s.rd(ctx), sees)
	if err != nil {
		return err
	}
	kids := map[*rnode][]*rnode{}
	for _, n := range tr.all {
		if !n.archived {
			kids[n.parent] = append(kids[n.parent], n)
		}
	}
	for _, list := range kids {
		slices.SortFunc(list, func(a, b *rnode) int { return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.id, b.id)) })
	}
	var walk func(*rnode) error
	walk = func(at *rnode) error {
		for _, n := range kids[at] {
			if sees(n.path) {
				row := roster.UnitRow{Number: n.code, Name: n.name, Kind: n.kind, Leader: n.leader}
				if n.parent != nil {
					row.Parent = n.parent.ref()
				}
				if err := fn(row); err != nil {
					return err
				}
			}
			if err := walk(n); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(nil)
}

// ExportUsers calls fn with the users the reader manages (manages answers
// for a user's grants), by login, each grant's unit named as the units
// sheet names it.
func (s *Store) ExportUsers(ctx context.Context, manages func([]auth.Grant) bool, fn func(roster.UserRow) error) error {
	var users map[string]*ruser
	var tr *rtree
	err := s.readTx(ctx, func(q querier) error {
		var err error
		if tr, err = loadTree(ctx, q, func(string) bool { return true }); err != nil {
			return err
		}
		users, err = loadUsers(ctx, q)
		return err
	})
	if err != nil {
		return err
	}
	logins := make([]string, 0, len(users))
	for login, u := range users {
		if len(u.grants) > 0 && manages(u.grants) {
			logins = append(logins, login)
		}
	}
	slices.Sort(logins)
	for _, login := range logins {
		u := users[login]
		row := roster.UserRow{Login: u.login, Name: u.name, Phone: u.phone, Email: u.email, Active: !u.disabled}
		for _, g := range u.grants {
			n := tr.byID[g.UnitID]
			if n == nil {
				return fmt.Errorf("grant %d: unit %d not loaded", g.ID, g.UnitID)
			}
			row.Grants = append(row.Grants, roster.GrantRef{Role: g.Role, Unit: n.ref()})
		}
		slices.SortFunc(row.Grants, func(a, b roster.GrantRef) int {
			return cmp.Or(cmp.Compare(roster.RoleOrder(a.Role), roster.RoleOrder(b.Role)), cmp.Compare(a.Unit, b.Unit))
		})
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}

// readTx runs fn in one read transaction, so that what it reads in
// several queries is one state.
func (s *Store) readTx(ctx context.Context, fn func(querier) error) error {
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}
