package web

import (
	"net/http"
	"strings"
	"zeren/internal/action"

	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/unit"
)

type unitListData struct {
	Query string
	Units []unit.Unit
	Trail map[int64]string // names of ancestors, for search results
}

// unitList shows the tree from the roots of the user's grants, or the units
// whose names match a search, each with its path.
func (s *Server) unitList(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	d := unitListData{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	if len([]rune(d.Query)) > unit.MaxNameLen {
		d.Query = string([]rune(d.Query)[:unit.MaxNameLen])
	}
	var err error
	d.Units, err = s.st.Units(r.Context(), store.UnitFilter{Scopes: p.Scopes(auth.ReadUnit), Query: d.Query, Limit: 200, IncludeArchived: d.Query != ""})
	if err != nil {
		return err
	}
	if d.Query != "" {
		if d.Trail, err = s.trail(r, d.Units); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, "units", s.newView(w, r, "title.units", d))
}

// trail loads the names of every ancestor of the given units.
func (s *Server) trail(r *http.Request, units []unit.Unit) (map[int64]string, error) {
	var ids []int64
	for _, u := range units {
		ids = append(ids, unit.Ancestors(u.Path)...)
	}
	return s.st.UnitNames(r.Context(), ids)
}

// Node pairs a unit with the view, for the recursive tree template.
func (v *view) Node(u unit.Unit) nodeView { return nodeView{V: v, U: u} }

type nodeView struct {
	V *view
	U unit.Unit
}

// Breadcrumb returns the names of a unit's ancestors, root first.
func (v *view) Breadcrumb(names map[int64]string, path string) []string {
	ids := unit.Ancestors(path)
	out := make([]string, 0, len(ids))
	for _, id := range ids[:max(len(ids)-1, 0)] {
		out = append(out, names[id])
	}
	return out
}

// unitChildren is the htmx fragment that expands one node of the tree.
func (s *Server) unitChildren(w http.ResponseWriter, r *http.Request) error {
	u, err := s.readableUnit(r)
	if err != nil {
		return err
	}
	kids, err := s.st.Units(r.Context(), store.UnitFilter{Scopes: principal(r).Scopes(auth.ReadUnit), ParentID: &u.ID})
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "#unit_children", s.newView(w, r, "title.units", kids))
}

// readableUnit loads the {id} unit if the user may see it.
func (s *Server) readableUnit(r *http.Request) (unit.Unit, error) {
	id, err := pathID(r)
	if err != nil {
		return unit.Unit{}, err
	}
	return s.unitFor(r, id, action.UnitRead)
}

// unitFor loads a unit for decision n on it (action.UnitFor); an
// invisible unit is not found.
func (s *Server) unitFor(r *http.Request, id int64, n action.Name) (unit.Unit, error) {
	return s.act.UnitFor(r.Context(), principal(r), id, n)
}
