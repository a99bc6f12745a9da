package web

import (
	"net/http"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/cycle"
	"zeren/internal/unit"
)

// participantsAdd adds one unit, or every unit of a subtree (optionally of
// one kind), with the chosen way of reporting.
func (s *Server) participantsAdd(w http.ResponseWriter, r *http.Request) error {
	c, version, err := s.managedCycle(r)
	if err != nil {
		return err
	}
	mode := cycle.Mode(r.PostForm.Get("mode"))
	kind := unit.Kind(r.PostForm.Get("kind"))
	unitID, err := requiredInt(r, "unit_id")
	if err == nil && !mode.Valid() {
		err = apperr.Field("mode", "err.unknown_mode")
	}
	if err == nil && kind != "" && !kind.Valid() {
		err = apperr.Field("kind", "err.unknown_kind")
	}
	var picked unit.Unit
	if err == nil {
		if picked, err = s.unitFor(r, unitID, action.UnitRead); err != nil {
			err = apperr.Field("unit_id", "err.no_such_unit", unitID)
		}
	}
	if err != nil {
		return s.afterCycleChange(w, r, c, err, "")
	}
	list, err := s.st.Participants(r.Context(), c.ID)
	if err != nil {
		return err
	}
	var add []unit.Unit
	if r.PostForm.Get("subtree") == "on" {
		if add, err = s.st.CandidateUnits(r.Context(), c, picked.Path, kind); err != nil {
			return err
		}
	} else {
		add = []unit.Unit{picked}
	}
	for _, u := range add {
		list = append(list, cycle.Participant{UnitID: u.ID, Mode: mode})
	}
	_, err = s.act.PatchCycle(r.Context(), principal(r), c.ID, version, action.CyclePatch{Participants: list, SetParts: true})
	return s.afterCycleChange(w, r, c, err, "flash.saved")
}

// participantEdit changes one participant: op is up, down, remove, mode
// (with mode=…) or excuse (with excused=reason, empty to undo).
func (s *Server) participantEdit(w http.ResponseWriter, r *http.Request) error {
	c, version, err := s.managedCycle(r)
	if err != nil {
		return err
	}
	unitID, perr := strconv.ParseInt(r.PathValue("unit"), 10, 64)
	if perr != nil {
		return apperr.New(apperr.NotFound, "err.not_found")
	}
	if op := r.PostForm.Get("op"); op == "excuse" {
		err = s.act.ExcuseParticipant(r.Context(), principal(r), c.ID, version, unitID, r.PostForm.Get("excused"))
	} else {
		list, lerr := s.st.Participants(r.Context(), c.ID)
		if lerr != nil {
			return lerr
		}
		list, err = cycle.EditParticipants(list, unitID, op, cycle.Mode(r.PostForm.Get("mode")))
		if err == nil {
			_, err = s.act.PatchCycle(r.Context(), principal(r), c.ID, version, action.CyclePatch{Participants: list, SetParts: true})
		}
	}
	return s.afterCycleChange(w, r, c, err, "flash.saved")
}
