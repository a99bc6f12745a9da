package api

import (
	"net/http"
	"strconv"
	"strings"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/store"
	"zeren/internal/unit"
)

// unitList returns the visible units: the children of ?parent=ID, the
// units matching ?q=, or the roots of the caller's grants.
func (a *API) unitList(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	q := r.URL.Query()
	limit, err := queryLimit(r, 200, 1000)
	if err != nil {
		return err
	}
	f := store.UnitFilter{Scopes: p.Scopes(auth.ReadUnit), Query: strings.TrimSpace(q.Get("q")), Limit: limit,
		IncludeArchived: q.Get("archived") == "true"}
	if s := q.Get("parent"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return apperr.Field("parent", "err.not_a_number")
		}
		f.ParentID = &id
	}
	units, err := a.st.Units(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[unit.Unit]{Items: nonNil(units)})
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) unitGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := a.act.Unit(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

type unitIn struct {
	ParentID *int64  `json:"parent_id"`
	Name     *string `json:"name"`
	Kind     *string `json:"kind"`
	Leader   *string `json:"leader"`
	Archived *bool   `json:"archived"`
	Version  *int64  `json:"version"`
}

func (a *API) unitCreate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in unitIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.ParentID == nil {
		return apperr.Field("parent_id", "err.required")
	}
	d := unit.Draft{Name: deref(in.Name), Kind: unit.Kind(deref(in.Kind)), Leader: deref(in.Leader)}
	if d.Kind == "" {
		d.Kind = unit.Committee
	}
	u, err := a.act.CreateUnit(r.Context(), p, *in.ParentID, d)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/units/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// unitPatch edits, moves and archives a unit. Fields not sent are kept; the
// version must be the one the client read, else 409.
func (a *API) unitPatch(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := a.act.UnitFor(r.Context(), p, id, action.UnitChange)
	if err != nil {
		return err
	}
	var in unitIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return apperr.Field("version", "err.required")
	}
	patch := action.UnitPatch{ParentID: in.ParentID, Archived: in.Archived}
	if in.Name != nil || in.Kind != nil || in.Leader != nil {
		d := unit.Draft{Name: u.Name, Kind: u.Kind, Leader: u.Leader}
		if in.Name != nil {
			d.Name = *in.Name
		}
		if in.Kind != nil {
			d.Kind = unit.Kind(*in.Kind)
		}
		if in.Leader != nil {
			d.Leader = *in.Leader
		}
		patch.Draft = &d
	}
	if u, err = a.act.PatchUnit(r.Context(), p, id, *in.Version, patch); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
