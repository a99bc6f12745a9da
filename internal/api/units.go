package api

import (
	"net/http"
	"strconv"
	"strings"

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

func (a *API) unitFor(r *http.Request, p *auth.Principal, id int64, act auth.Action) (unit.Unit, error) {
	u, err := a.st.Unit(r.Context(), id)
	if err != nil {
		return u, err
	}
	return u, p.Check(act, u.Path)
}

func (a *API) unitGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := a.unitFor(r, p, id, auth.ReadUnit)
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
	if _, err := a.unitFor(r, p, *in.ParentID, auth.ManageUnits); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("parent_id", "err.no_such_unit", *in.ParentID)
		}
		return err
	}
	d := unit.Draft{Name: deref(in.Name), Kind: unit.Kind(deref(in.Kind)), Leader: deref(in.Leader)}
	if d.Kind == "" {
		d.Kind = unit.Committee
	}
	u, err := a.st.CreateUnit(r.Context(), p.Actor(), *in.ParentID, d)
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
	u, err := a.unitFor(r, p, id, auth.ManageUnits)
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
	if *in.Version != u.Version {
		return apperr.New(apperr.Conflict, "err.stale_version")
	}
	ctx := r.Context()
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
		if u, err = a.st.UpdateUnit(ctx, p.Actor(), id, u.Version, d); err != nil {
			return err
		}
	}
	if in.ParentID != nil && *in.ParentID != u.ParentID {
		if _, err := a.unitFor(r, p, *in.ParentID, auth.ManageUnits); err != nil {
			return apperr.Field("parent_id", "err.no_such_unit", *in.ParentID)
		}
		if u, err = a.st.MoveUnit(ctx, p.Actor(), id, u.Version, *in.ParentID); err != nil {
			return err
		}
	}
	if in.Archived != nil && *in.Archived != u.Archived {
		if u, err = a.st.ArchiveUnit(ctx, p.Actor(), id, u.Version, *in.Archived); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
