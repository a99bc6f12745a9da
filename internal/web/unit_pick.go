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
	// A picker inside a form with its own search field q (the user list's
	// filter) sends its text as unit_q.
	query := q.Get("q")
	if query == "" {
		query = q.Get("unit_q")
	}
	if query := strings.TrimSpace(query); query != "" && len([]rune(query)) <= unit.MaxNameLen {
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
