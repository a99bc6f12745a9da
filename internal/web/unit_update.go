package web

import (
	"net/http"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/unit"
)

// manageableUnit parses the form and loads the {id} unit for an admin action,
// with the version the form was based on.
func (s *Server) manageableUnit(r *http.Request) (unit.Unit, int64, error) {
	id, err := pathID(r)
	if err != nil {
		return unit.Unit{}, 0, err
	}
	if err := parseForm(r); err != nil {
		return unit.Unit{}, 0, err
	}
	u, err := s.unitFor(r, id, action.UnitChange)
	if err != nil {
		return u, 0, err
	}
	version, err := requiredInt(r, "version")
	return u, version, err
}

// unitUpdate renames a unit or changes its kind or leader.
func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) error {
	u, version, err := s.manageableUnit(r)
	if err != nil {
		return err
	}
	d := unitDraft(r)
	_, err = s.act.PatchUnit(r.Context(), principal(r), u.ID, version, action.UnitPatch{Draft: &d})
	return s.afterUnitChange(w, r, u, &d, err, "flash.saved")
}

// afterUnitChange redirects after a successful change, or re-renders the unit
// page with the error: a stale version shows the current values and the
// user's own, which were not saved.
func (s *Server) afterUnitChange(w http.ResponseWriter, r *http.Request, u unit.Unit, mine *unit.Draft, err error, flash string) error {
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		current, gerr := s.st.Unit(r.Context(), u.ID)
		if gerr != nil {
			return gerr
		}
		return s.renderUnit(w, r, apperr.Status(err), current, mine, err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/units/"+strconv.FormatInt(u.ID, 10), flash)
}

// unitMove puts a unit and its subtree under another parent.
func (s *Server) unitMove(w http.ResponseWriter, r *http.Request) error {
	u, version, err := s.manageableUnit(r)
	if err != nil {
		return err
	}
	to, err := requiredInt(r, "parent_id")
	if err == nil {
		_, err = s.act.PatchUnit(r.Context(), principal(r), u.ID, version, action.UnitPatch{ParentID: &to})
	}
	return s.afterUnitChange(w, r, u, nil, err, "flash.unit_moved")
}

// unitArchive archives or restores a unit (archived=true|false).
func (s *Server) unitArchive(w http.ResponseWriter, r *http.Request) error {
	u, version, err := s.manageableUnit(r)
	if err != nil {
		return err
	}
	archived, perr := strconv.ParseBool(r.PostForm.Get("archived"))
	if perr != nil {
		return apperr.Field("archived", "err.not_a_boolean")
	}
	_, err = s.act.PatchUnit(r.Context(), principal(r), u.ID, version, action.UnitPatch{Archived: &archived})
	flash := "flash.unit_archived"
	if !archived {
		flash = "flash.unit_restored"
	}
	return s.afterUnitChange(w, r, u, nil, err, flash)
}
