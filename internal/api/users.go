package api

import (
	"net/http"
	"strconv"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/user"
)

// userOut is a user with their grants.
type userOut struct {
	user.User
	Grants []auth.Grant `json:"grants"`
}

// userList lists the users the caller may read, with their grants,
// filtered by search, unit subtree (unit_id) and role (action.Users).
func (a *API) userList(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if !action.CanListUsers(p) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	limit, err := queryLimit(r, 100, 500)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	q, err := action.ParseUserQuery(v.Get("q"), v.Get("unit_id"), v.Get("role"), v.Get("after"))
	if err != nil {
		return err
	}
	q.Limit = limit
	page, err := a.act.Users(r.Context(), p, q)
	if err != nil {
		return err
	}
	out := list[userOut]{Items: make([]userOut, len(page.Users))}
	for i, m := range page.Users {
		out.Items[i] = userOut{User: m.User, Grants: nonNil(m.Grants)}
	}
	if page.Next != 0 {
		out.Next = &page.Next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// managedUser loads a user the caller manages (action.User).
func (a *API) managedUser(r *http.Request, p *auth.Principal) (userOut, error) {
	id, err := pathID(r)
	if err != nil {
		return userOut{}, err
	}
	m, err := a.act.User(r.Context(), p, id)
	return userOut{User: m.User, Grants: nonNil(m.Grants)}, err
}

func (a *API) userGet(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	u, err := a.managedUser(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

type grantIn struct {
	Role   string `json:"role"`
	UnitID int64  `json:"unit_id"`
}

type userIn struct {
	Login    *string   `json:"login"`
	Name     *string   `json:"name"`
	Password *string   `json:"password"`
	Locale   *string   `json:"locale"`
	Disabled *bool     `json:"disabled"`
	Grants   []grantIn `json:"grants"`
	Version  *int64    `json:"version"`
}

func (a *API) userCreate(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	if _, err := p.ScopesOrForbidden(auth.ManageUsers); err != nil {
		return err
	}
	var in userIn
	if err := decode(r, &in); err != nil {
		return err
	}
	d := user.Draft{Login: deref(in.Login), Name: deref(in.Name), Locale: deref(in.Locale), Disabled: deref(in.Disabled)}
	var grants []auth.Grant
	for _, g := range in.Grants {
		grants = append(grants, auth.Grant{Role: auth.Role(g.Role), UnitID: g.UnitID})
	}
	u, err := a.act.CreateUser(r.Context(), p, d, deref(in.Password), grants)
	if err != nil {
		return err
	}
	stored, err := a.st.Grants(r.Context(), u.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, userOut{User: u, Grants: nonNil(stored)})
	return nil
}

// userPatch changes name, locale and the disabled flag; login and grants
// are not changed here.
func (a *API) userPatch(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	cur, err := a.managedUser(r, p)
	if err != nil {
		return err
	}
	var in userIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return apperr.Field("version", "err.required")
	}
	if in.Login != nil && *in.Login != cur.Login {
		return apperr.Field("login", "err.login_fixed")
	}
	if in.Password != nil || in.Grants != nil {
		return apperr.Field("password", "err.not_here")
	}
	d := user.Draft{Login: cur.Login, Name: cur.Name, Locale: cur.Locale, Disabled: cur.Disabled}
	if in.Name != nil {
		d.Name = *in.Name
	}
	if in.Locale != nil {
		d.Locale = *in.Locale
	}
	if in.Disabled != nil {
		d.Disabled = *in.Disabled
	}
	u, err := a.act.UpdateUser(r.Context(), p, cur.ID, *in.Version, d, "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userOut{User: u, Grants: cur.Grants})
	return nil
}
