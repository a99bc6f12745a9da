package web

import (
	"net/http"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/unit"
)

type unitNewData struct {
	Parent unit.Unit
	Draft  unit.Draft
	Kinds  []unit.Kind
}

// unitNew shows the form for a new sub-unit of ?parent=ID.
func (s *Server) unitNew(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.URL.Query().Get("parent"), 10, 64)
	if err != nil {
		return apperr.Field("parent", "err.not_a_number")
	}
	parent, err := s.unitFor(r, id, action.UnitCreate)
	if err != nil {
		return err
	}
	d := unitNewData{Parent: parent, Draft: unit.Draft{Kind: unit.Committee}, Kinds: unit.Kinds}
	return s.render(w, http.StatusOK, "unit_new", s.newView(w, r, "title.unit_new", d))
}

// unitCreate adds a sub-unit; bad input re-renders the form with the field named.
func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	parentID, err := requiredInt(r, "parent_id")
	if err != nil {
		return err
	}
	parent, err := s.unitFor(r, parentID, action.UnitCreate)
	if err != nil {
		return err
	}
	d := unitDraft(r)
	u, err := s.act.CreateUnit(r.Context(), principal(r), parent.ID, d)
	if apperr.Is(err, apperr.Invalid) {
		v := s.newView(w, r, "title.unit_new", unitNewData{Parent: parent, Draft: d, Kinds: unit.Kinds}).withError(err)
		return s.render(w, http.StatusBadRequest, "unit_new", v)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/units/"+strconv.FormatInt(u.ID, 10), "flash.unit_created")
}

func unitDraft(r *http.Request) unit.Draft {
	return unit.Draft{Name: r.PostForm.Get("name"), Kind: unit.Kind(r.PostForm.Get("kind")), Leader: r.PostForm.Get("leader")}
}
