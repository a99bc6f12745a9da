package web

import (
	"net/http"
	"strconv"
	"zeren/internal/action"

	"zeren/internal/apperr"
	"zeren/internal/cycle"
	"zeren/internal/report"
)

// meetingSave stores the review meeting's date, place, chair and attendees.
func (s *Server) meetingSave(w http.ResponseWriter, r *http.Request) error {
	c, err := s.organizedCycle(r)
	if err != nil {
		return err
	}
	version, err := formInt(r, "version")
	if err == nil {
		f := r.PostForm
		_, err = s.act.SaveMeeting(r.Context(), principal(r), c.ID, cycle.Meeting{
			HeldOn: f.Get("held_on"), Place: f.Get("place"), Chair: f.Get("chair"),
			Voting: f.Get("voting"), NonVoting: f.Get("non_voting"), Observers: f.Get("observers"), Version: version})
	}
	return s.afterCycleChange(w, r, c, err, "flash.saved")
}

type meetingData struct {
	Cycle   cycle.Cycle
	Meeting cycle.Meeting
	Parts   map[int64]cycle.Participant
	Reports []report.Report // in agenda order; for the booklet and the projector, handed-in ones only
	Current int             // the projector's report, from 1
}

// Names splits an attendee list for the templates.
func (d meetingData) Names(list string) []string { return cycle.Names(list) }

// meetingDoc loads what the agenda, the projector and the booklet show; they
// are the meeting's papers, for those whose grant covers the reviewing unit.
func (s *Server) meetingDoc(r *http.Request, doneOnly bool) (meetingData, error) {
	c, err := s.readableCycle(r)
	if err != nil {
		return meetingData{}, err
	}
	if err := action.Check(principal(r), action.UnitRead, action.UnitAt(c.UnitPath)); err != nil {
		return meetingData{}, err
	}
	d := meetingData{Cycle: c, Parts: map[int64]cycle.Participant{}}
	if d.Meeting, err = s.st.Meeting(r.Context(), c.ID); err != nil {
		return d, err
	}
	parts, err := s.st.Participants(r.Context(), c.ID)
	if err != nil {
		return d, err
	}
	for _, p := range parts {
		d.Parts[p.UnitID] = p
	}
	reports, err := s.st.CycleReports(r.Context(), c.ID, []string{c.UnitPath})
	if err != nil {
		return d, err
	}
	for _, rp := range reports {
		if doneOnly && !rp.Status.Done() {
			continue
		}
		if doneOnly {
			if rp, err = s.st.Report(r.Context(), rp.ID); err != nil {
				return d, err
			}
		}
		d.Reports = append(d.Reports, rp)
	}
	return d, nil
}

// agenda lists the on-the-spot reports in their order, then the written ones.
func (s *Server) agenda(w http.ResponseWriter, r *http.Request) error {
	d, err := s.meetingDoc(r, false)
	if err != nil {
		return err
	}
	v := s.newView(w, r, "title.agenda", d)
	v.Title = d.Cycle.Title + " · " + v.T("title.agenda")
	return s.render(w, http.StatusOK, "agenda", v)
}

// present shows one handed-in report at a time for the projector (?n=1…).
func (s *Server) present(w http.ResponseWriter, r *http.Request) error {
	d, err := s.meetingDoc(r, true)
	if err != nil {
		return err
	}
	d.Current = 1
	if n := r.URL.Query().Get("n"); n != "" {
		if d.Current, err = strconv.Atoi(n); err != nil || d.Current < 1 || (len(d.Reports) > 0 && d.Current > len(d.Reports)) {
			return apperr.Field("n", "err.out_of_range", len(d.Reports))
		}
	}
	v := s.newView(w, r, "title.present", d)
	v.Title = d.Cycle.Title
	return s.render(w, http.StatusOK, "present", v)
}

// booklet prints every handed-in report in agenda order, each on new pages,
// after a cover and a table of contents.
func (s *Server) booklet(w http.ResponseWriter, r *http.Request) error {
	d, err := s.meetingDoc(r, true)
	if err != nil {
		return err
	}
	v := s.newView(w, r, "title.booklet", d)
	v.Title = d.Cycle.Title + " · " + v.T("title.booklet")
	return s.render(w, http.StatusOK, "booklet", v)
}
