package web

import (
	"net/http"
	"strconv"
	"strings"

	"zeren/internal/action"
	"zeren/internal/apperr"
	"zeren/internal/remind"
)

// cycleStallDays sets the days an overdue item may go without progress
// before the system urges it (0: never), for those who may urge at the
// cycle's unit; bad input is shown on the cycle page and changes nothing.
func (s *Server) cycleStallDays(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p := principal(r)
	c, err := s.act.CycleFor(r.Context(), p, id, action.CycleEscalation)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	days, err := stallDays(r.PostForm.Get("stall_days"))
	if err == nil {
		err = s.act.SetStallDays(r.Context(), p, c.ID, days)
	}
	return s.afterCycleChange(w, r, c, err, "flash.saved")
}

// stallDays reads the form's number of days.
func stallDays(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, apperr.Field("stall_days", "err.required")
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.Field("stall_days", "err.stall_days_range", 0, remind.MaxStallDays)
	}
	return n, nil
}
