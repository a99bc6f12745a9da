package api

import (
	"net/http"

	"zeren/internal/auth"
	"zeren/internal/todo"
)

// todoEntry is one entry of GET /me/todo; absent values are null.
type todoEntry struct {
	Kind     todo.Kind `json:"kind"`
	Deadline *string   `json:"deadline"`
	Overdue  bool      `json:"overdue"`
	Count    int       `json:"count"`
	Link     string    `json:"link"`
	Title    *string   `json:"title"`
	UnitID   *int64    `json:"unit_id"`
	Unit     *string   `json:"unit"`
	CycleID  *int64    `json:"cycle_id"`
	ObjectID *int64    `json:"object_id"`
	Detail   *string   `json:"detail"`
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// meTodo answers what waits on the token's user, most urgent first.
func (a *API) meTodo(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	es, err := a.act.Todo(r.Context(), p)
	if err != nil {
		return err
	}
	today := todo.Today(a.st.Now())
	items := make([]todoEntry, len(es))
	for i, e := range es {
		items[i] = todoEntry{Kind: e.Kind, Deadline: nullString(e.Deadline), Overdue: e.Overdue(today), Count: e.Count, Link: e.Link,
			Title: nullString(e.Title), UnitID: nullID(e.UnitID), Unit: nullString(e.Unit), CycleID: nullID(e.CycleID),
			ObjectID: nullID(e.ObjectID), Detail: nullString(e.Detail)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "count": len(items), "today": today})
	return nil
}
