package web

import (
	"net/http"

	"zeren/internal/todo"
)

// todoData is the to-do (待办): what waits on the signed-in person.
type todoData struct {
	Entries []todo.Entry
	Today   string
}

// Overdue reports whether an entry's deadline has passed.
func (d todoData) Overdue(e todo.Entry) bool { return e.Overdue(d.Today) }

// todoList shows the to-do, the home page of everyone signed in.
func (s *Server) todoList(w http.ResponseWriter, r *http.Request) error {
	es, err := s.act.Todo(r.Context(), principal(r))
	if err != nil {
		return err
	}
	v := s.newView(w, r, "title.todo", todoData{Entries: es, Today: todo.Today(s.st.Now())})
	v.todoCount = len(es)
	return s.render(w, http.StatusOK, "todo", v)
}

// TodoText is an entry's sentence: what to do, with its figure.
func (v *view) TodoText(e todo.Entry) string {
	if e.Kind.Counts() {
		return v.T("todo.kind."+string(e.Kind), e.Count)
	}
	return v.T("todo.kind." + string(e.Kind))
}

// TodoDetail is an entry's word of state, translated: a notice's level, a
// cycle's next status, an extension's requested deadline.
func (v *view) TodoDetail(e todo.Entry) string {
	switch {
	case e.Detail == "":
		return ""
	case e.Kind == todo.UrgeReply:
		return v.T("urge." + e.Detail)
	case e.Kind == todo.CycleStep:
		return v.T("todo.next", v.T("cycle_status."+e.Detail))
	case e.Kind == todo.Extension:
		return v.T("todo.asked", e.Detail)
	}
	return e.Detail
}

// TodoCount is how many entries wait on the user, for the menu's badge:
// the to-do's own query, run once per page and only for a page that shows
// the menu.
func (v *view) TodoCount() int {
	if v.todoCount >= 0 || v.User == nil || v.User.Pending != "" {
		return max(v.todoCount, 0)
	}
	es, err := v.s.act.Todo(v.r.Context(), v.User)
	if err != nil {
		v.s.log.Error("todo count", "error", err)
		v.todoCount = 0
		return 0
	}
	v.todoCount = len(es)
	return v.todoCount
}
