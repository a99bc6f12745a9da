package web

import (
	"net/http"
	"strconv"

	"zeren/internal/apperr"
	"zeren/internal/auth"
)

// grantAdd gives the {id} user a role on a unit the admin manages.
func (s *Server) grantAdd(w http.ResponseWriter, r *http.Request) error {
	u, grants, err := s.managedUser(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	role := auth.Role(r.PostForm.Get("role"))
	unitID, err := requiredInt(r, "unit_id")
	if err == nil && !role.Valid() {
		err = apperr.Field("role", "err.unknown_role", role)
	}
	if err == nil {
		if _, uerr := s.unitFor(r, unitID, auth.ManageUsers); uerr != nil {
			err = apperr.Field("unit_id", "err.no_such_unit", unitID)
		}
	}
	if err == nil {
		err = s.st.AddGrant(r.Context(), principal(r).Actor(), u.ID, role, unitID)
	}
	if apperr.Is(err, apperr.Invalid) {
		return s.renderUser(w, r, http.StatusBadRequest, u, grants, nil, err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "flash.grant_added")
}

// grantRemove deletes a grant on a unit the admin manages.
func (s *Server) grantRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	userID, g, err := s.st.Grant(r.Context(), id)
	if err != nil {
		return err
	}
	if err := principal(r).Check(auth.ManageUsers, g.UnitPath); err != nil {
		return err
	}
	if userID == principal(r).UserID && g.Role == auth.Admin {
		return apperr.Field("role", "err.remove_own_admin")
	}
	if err := s.st.RemoveGrant(r.Context(), principal(r).Actor(), id); err != nil {
		return err
	}
	return s.redirect(w, r, "/users/"+strconv.FormatInt(userID, 10), "flash.grant_removed")
}
