package web

import (
	"net/http"
	"strings"

	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/unit"
)

type pickData struct {
	Field string // the radio group's name
	Units []unit.Unit
	Trail map[int64]string
}

// unitPick is the htmx fragment behind unit pickers: active units matching a
// name, within the subtrees where the user may take the picker's action.
func (s *Server) unitPick(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	action := auth.ManageUnits
	switch q.Get("for") {
	case "grant":
		action = auth.ManageUsers
	case "read":
		action = auth.ReadUnit
	}
	field := q.Get("field")
	if field != "unit_id" {
		field = "parent_id"
	}
	d := pickData{Field: field}
	if query := strings.TrimSpace(q.Get("q")); query != "" && len([]rune(query)) <= unit.MaxNameLen {
		var err error
		d.Units, err = s.st.Units(r.Context(), store.UnitFilter{Scopes: principal(r).Scopes(action), Query: query, Limit: 20})
		if err != nil {
			return err
		}
		if d.Trail, err = s.trail(r, d.Units); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, "#unit_pick", s.newView(w, r, "title.units", d))
}
