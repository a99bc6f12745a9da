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
	if err == nil {
		err = s.act.AddGrant(r.Context(), principal(r), u.ID, role, unitID)
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
	userID, err := s.act.RemoveGrant(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/users/"+strconv.FormatInt(userID, 10), "flash.grant_removed")
}
