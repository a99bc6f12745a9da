package action

import (
	"context"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/roster"
	"zeren/internal/store"
	"zeren/internal/unit"
	"zeren/internal/user"
)

// An import changes many units and users at once, each change decided by
// the row of the table its one-by-one action uses: a new unit by UnitCreate
// on its parent, a change, move, restore or archive by UnitChange (a move
// also on the new parent), a new user by UserCreate on each grant's unit,
// a change of a user by UserChange, a grant added also by UserCreate on its
// unit. The store asks; this file answers.

// ImportOptions are the choices of one import.
type ImportOptions struct {
	DryRun         bool
	ArchiveMissing bool
	// MailLinks mails new users their set-password links
	// (jobs.MailPasswordLinks); nil shows every link to the importer.
	MailLinks func(ctx context.Context, userIDs []int64) (unmailed []int64, err error)
	Progress  func(done, total int)
}

// rosterPolicy answers an import's questions for p.
func rosterPolicy(p *auth.Principal, manage auth.Action) store.RosterPolicy {
	return store.RosterPolicy{
		Sees: func(path string) bool { return Sees(p, path) },
		Units: func(op roster.Op, path string) error {
			n := UnitChange
			if op == roster.Create {
				n = UnitCreate
			}
			return decide(p, n, Target{Unit: path})
		},
		GrantOn: func(path string) bool { return Can(p, UserCreate, Target{Unit: path}) },
		User: func(userID int64, grants []auth.Grant) error {
			return decideUser(p, UserChange, Managed{User: user.User{ID: userID}, Grants: grants})
		},
		Scopes: p.Scopes(manage),
	}
}

// Sees reports whether p may name the unit at path in a sheet: a unit p
// reads, or one above p's own units (their city and province, which p
// knows and a sheet of p's units names as the parent of the top ones).
func Sees(p *auth.Principal, path string) bool {
	if Can(p, UnitRead, Target{Unit: path}) {
		return true
	}
	for _, g := range p.Grants {
		if p.Pending == "" && unit.Contains(path, g.UnitPath) {
			return true
		}
	}
	return false
}

func (o ImportOptions) store(pol store.RosterPolicy) store.RosterImport {
	return store.RosterImport{Policy: pol, DryRun: o.DryRun, ArchiveMissing: o.ArchiveMissing, MailLinks: o.MailLinks, Progress: o.Progress}
}

// CanImport reports whether p may import the sheet at all (each row is
// then decided on its unit), for the pages' links and forms.
func CanImport(p *auth.Principal, s roster.Sheet) bool {
	if s == roster.Users {
		return p.CanAnywhere(auth.ManageUsers)
	}
	return p.CanAnywhere(auth.ManageUnits)
}

// ImportUnits brings a units sheet in, within p's rights.
func (a *Actions) ImportUnits(ctx context.Context, p *auth.Principal, sh roster.UnitSheet, o ImportOptions) (roster.Result, error) {
	if !CanImport(p, roster.Units) {
		return roster.Result{}, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a.st.ImportUnits(ctx, p.Actor(), sh, o.store(rosterPolicy(p, auth.ManageUnits)))
}

// ImportUsers brings a users sheet in, within p's rights.
func (a *Actions) ImportUsers(ctx context.Context, p *auth.Principal, sh roster.UserSheet, o ImportOptions) (roster.Result, error) {
	if !CanImport(p, roster.Users) {
		return roster.Result{}, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a.st.ImportUsers(ctx, p.Actor(), sh, o.store(rosterPolicy(p, auth.ManageUsers)))
}

// ExportUnits writes the units p reads (UnitRead).
func (a *Actions) ExportUnits(ctx context.Context, p *auth.Principal, fn func(roster.UnitRow) error) error {
	if !p.CanAnywhere(auth.ReadUnit) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a.st.ExportUnits(ctx, func(path string) bool { return Can(p, UnitRead, Target{Unit: path}) }, fn)
}

// ExportUsers writes the users p may see in the lists (UserRead).
func (a *Actions) ExportUsers(ctx context.Context, p *auth.Principal, fn func(roster.UserRow) error) error {
	if !p.CanAnywhere(auth.ManageUsers) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	return a.st.ExportUsers(ctx, func(grants []auth.Grant) bool {
		return canUser(p, UserRead, Managed{Grants: grants})
	}, fn)
}
