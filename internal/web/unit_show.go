package web

import (
	"net/http"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/rectification"
	"zeren/internal/store"
	"zeren/internal/unit"
)

type unitData struct {
	Unit     unit.Unit
	Draft    unit.Draft // the form's values
	Children []unit.Unit
	Trail    map[int64]string
	Manage   bool
	Kinds    []unit.Kind
	Mine     *unit.Draft         // the user's edit that lost to a newer version
	Stats    rectification.Stats // the subtree's items in every cycle, from the counters
	Channels *channelsView       // the group robots, for admins of the unit or above
}

// unitShow shows one unit, its sub-units and, for admins, its forms.
func (s *Server) unitShow(w http.ResponseWriter, r *http.Request) error {
	u, err := s.readableUnit(r)
	if err != nil {
		return err
	}
	return s.renderUnit(w, r, http.StatusOK, u, nil, nil)
}

// renderUnit renders the unit page, with an error and the user's rejected
// values when a form failed.
func (s *Server) renderUnit(w http.ResponseWriter, r *http.Request, status int, u unit.Unit, mine *unit.Draft, formErr error) error {
	return s.renderUnitPage(w, r, status, u, mine, formErr, nil)
}

// renderUnitPage is renderUnit with the robots' section as a channels
// form left it (nil: as saved).
func (s *Server) renderUnitPage(w http.ResponseWriter, r *http.Request, status int, u unit.Unit, mine *unit.Draft, formErr error, ch *channelsView) error {
	p := principal(r)
	d := unitData{Unit: u, Draft: unit.Draft{Name: u.Name, Kind: u.Kind, Leader: u.Leader},
		Manage: action.Can(p, action.UnitChange, action.UnitAt(u.Path)), Kinds: unit.Kinds}
	var err error
	if d.Children, err = s.st.Units(r.Context(), store.UnitFilter{Scopes: p.Scopes(auth.ReadUnit), ParentID: &u.ID, IncludeArchived: true}); err != nil {
		return err
	}
	if d.Trail, err = s.trail(r, []unit.Unit{u}); err != nil {
		return err
	}
	if d.Stats, err = s.st.UnitStats(r.Context(), u.ID, 0); err != nil {
		return err
	}
	if d.Channels = ch; ch == nil {
		if d.Channels, err = s.channelsFor(r, u); err != nil {
			return err
		}
	}
	v := s.newView(w, r, "title.unit", d)
	v.Title = u.Name
	if formErr != nil {
		if apperr.Is(formErr, apperr.Conflict) {
			d.Mine = mine // keep the current values in the form, show theirs lost
		} else if mine != nil {
			d.Draft = *mine
		}
		v.Data = d
		v.withError(formErr)
	}
	return s.render(w, status, "unit", v)
}
