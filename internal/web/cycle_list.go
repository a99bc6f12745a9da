package web

import (
	"net/http"
	"strconv"
	"time"

	"zeren/internal/apperr"
	"zeren/internal/auth"
	"zeren/internal/cycle"
	"zeren/internal/unit"
)

type cycleListData struct {
	Cycles  []cycle.Cycle
	Manage  []unit.Unit // units under which the user may start a cycle
	Draft   cycle.Draft
	UnitID  int64
	Ballots []int64 // open appraisals the user is invited to and has not voted in
}

// cycleList shows the cycles the user may see and, to organizers, a form to
// start one.
func (s *Server) cycleList(w http.ResponseWriter, r *http.Request) error {
	return s.renderCycleList(w, r, http.StatusOK, cycleListData{Draft: cycle.Draft{Year: time.Now().Year() - 1}}, nil)
}

func (s *Server) renderCycleList(w http.ResponseWriter, r *http.Request, status int, d cycleListData, formErr error) error {
	p := principal(r)
	var err error
	if d.Cycles, err = s.st.Cycles(r.Context(), p.Scopes(auth.ReadUnit)); err != nil {
		return err
	}
	for _, path := range p.Scopes(auth.ManageCycles) {
		ids := unit.Ancestors(path)
		u, err := s.st.Unit(r.Context(), ids[len(ids)-1])
		if err != nil {
			return err
		}
		d.Manage = append(d.Manage, u)
	}
	if d.Ballots, err = s.st.VoterAppraisals(r.Context(), p.UserID); err != nil {
		return err
	}
	if d.Draft.Title == "" {
		d.Draft.Title = strconv.Itoa(d.Draft.Year) + "年度全面从严治党主体责任述职评议"
	}
	return s.render(w, status, "cycles", s.newView(w, r, "title.cycles", d).withError(formErr))
}

// cycleCreate starts a cycle under a unit the organizer manages.
func (s *Server) cycleCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	year, _ := strconv.Atoi(r.PostForm.Get("year"))
	d := cycleListData{Draft: cycle.Draft{Year: year, Title: r.PostForm.Get("title"), Deadline: r.PostForm.Get("deadline")}}
	unitID, err := requiredInt(r, "unit_id")
	if err == nil {
		d.UnitID = unitID
	}
	var c cycle.Cycle
	if err == nil {
		c, err = s.act.CreateCycle(r.Context(), principal(r), unitID, d.Draft)
	}
	if apperr.Is(err, apperr.Invalid) {
		return s.renderCycleList(w, r, http.StatusBadRequest, d, err)
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, cyclePath(c.ID), "flash.cycle_created")
}

func cyclePath(id int64) string { return "/cycles/" + strconv.FormatInt(id, 10) }
