package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"zeren/internal/apperr"
	"zeren/internal/appraisal"
	"zeren/internal/audit"
	"zeren/internal/cycle"
	"zeren/internal/report"
	"zeren/internal/store"
)

// ballotData is the voting page: every report offered to the voter, in
// agenda order, with the scale, on one phone-sized form.
type ballotData struct {
	Cycle      cycle.Cycle
	A          appraisal.Appraisal
	Reports    []report.Report
	Areas      []cycle.Area
	Action     string // where the form posts
	Code       string // for a code voter
	Submission string // random per page, so that a retry counts once
	Chosen     map[string]string
	Done       bool // the voter has voted
	Closed     bool // the window is not open
}

// Checked reports whether a radio button was the voter's choice.
func (d ballotData) Checked(name string, value int) bool {
	return d.Chosen[name] == strconv.Itoa(value)
}

// Grades are the scale's grade numbers, from 1.
func (d ballotData) Grades() []int {
	out := make([]int, len(d.A.Scale))
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func newSubmission() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ballotPage prepares the voting page for a resolved voter.
func (s *Server) ballotPage(r *http.Request, v store.BallotVoter, action, code string) (ballotData, error) {
	d := ballotData{A: v.Appraisal, Action: action, Code: code, Submission: newSubmission(), Chosen: map[string]string{},
		Done: v.Voted, Closed: v.Appraisal.Status != appraisal.Open}
	var err error
	if d.Cycle, err = s.st.Cycle(r.Context(), v.Appraisal.CycleID); err != nil {
		return d, err
	}
	if d.Reports, err = s.st.Offered(r.Context(), v.Appraisal, v.OwnUnits); err != nil {
		return d, err
	}
	if v.Appraisal.AreaGrades {
		if d.Areas, err = s.st.Areas(r.Context(), d.Cycle.ID); err != nil {
			return d, err
		}
	}
	return d, nil
}

// ballotsFromForm reads every grade posted (grade_REPORT, area_REPORT_AREA,
// comment_REPORT); which reports the voter may grade is the store's to
// check. It keeps the choices, to show them again if the vote is refused.
func ballotsFromForm(r *http.Request, chosen map[string]string) ([]appraisal.Ballot, error) {
	f := r.PostForm
	byReport := map[int64]*appraisal.Ballot{}
	graded := map[int64]bool{}
	var order []int64
	ballot := func(id string) (*appraisal.Ballot, error) {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, apperr.Field("ballots", "err.not_a_number")
		}
		b, ok := byReport[n]
		if !ok {
			b = &appraisal.Ballot{ReportID: n}
			byReport[n] = b
			order = append(order, n)
		}
		return b, nil
	}
	for k := range f {
		v := f.Get(k)
		chosen[k] = v
		switch {
		case strings.HasPrefix(k, "grade_") && v != "":
			b, err := ballot(strings.TrimPrefix(k, "grade_"))
			if err != nil {
				return nil, err
			}
			if b.Grade, err = strconv.Atoi(v); err != nil {
				return nil, apperr.Field("ballots", "err.not_a_number")
			}
			graded[b.ReportID] = true
		case strings.HasPrefix(k, "area_") && v != "":
			rid, aid, _ := strings.Cut(strings.TrimPrefix(k, "area_"), "_")
			b, err := ballot(rid)
			if err != nil {
				return nil, err
			}
			area, err1 := strconv.ParseInt(aid, 10, 64)
			grade, err2 := strconv.Atoi(v)
			if err1 != nil || err2 != nil {
				return nil, apperr.Field("ballots", "err.not_a_number")
			}
			if b.AreaGrades == nil {
				b.AreaGrades = map[int64]int{}
			}
			b.AreaGrades[area] = grade
		case strings.HasPrefix(k, "comment_") && strings.TrimSpace(v) != "":
			b, err := ballot(strings.TrimPrefix(k, "comment_"))
			if err != nil {
				return nil, err
			}
			b.Comment = v
		}
	}
	slices.Sort(order)
	var bs []appraisal.Ballot
	for _, id := range order {
		// A report with only a comment or area grades has no grade yet: left
		// out, so that the check names it among those not graded.
		if graded[id] {
			bs = append(bs, *byReport[id])
		}
	}
	return bs, nil
}

// castVote records the posted ballots, or shows the page again with the
// voter's choices and the error.
func (s *Server) castVote(w http.ResponseWriter, r *http.Request, v store.BallotVoter, action, code string, by audit.Actor, done string) error {
	chosen := map[string]string{}
	bs, err := ballotsFromForm(r, chosen)
	if err == nil {
		_, err = s.st.Vote(r.Context(), by, v, r.PostForm.Get("submission"), bs)
	}
	if err == nil {
		return s.redirect(w, r, done, "flash.voted")
	}
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict:
		d, derr := s.ballotPage(r, v, action, code)
		if derr != nil {
			return derr
		}
		d.Chosen, d.Submission = chosen, r.PostForm.Get("submission")
		vw := s.newView(w, r, "title.vote", d).withError(err)
		return s.render(w, apperr.Status(err), "vote", vw)
	}
	return err
}

// userVoter resolves the signed-in user as a voter of the {id} appraisal;
// one who is neither invited nor able to see the cycle gets 404.
func (s *Server) userVoter(r *http.Request) (store.BallotVoter, error) {
	id, err := pathID(r)
	if err != nil {
		return store.BallotVoter{}, err
	}
	return s.act.Voter(r.Context(), principal(r), id)
}

func (s *Server) ballotForm(w http.ResponseWriter, r *http.Request) error {
	v, err := s.userVoter(r)
	if err != nil {
		return err
	}
	d, err := s.ballotPage(r, v, r.URL.Path, "")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "vote", s.newView(w, r, "title.vote", d))
}

func (s *Server) ballotCast(w http.ResponseWriter, r *http.Request) error {
	v, err := s.userVoter(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	return s.castVote(w, r, v, r.URL.Path, "", principal(r).Actor(), r.URL.Path)
}

// codeVoteForm asks for a one-time code, or, with ?code= (the QR code's
// address), shows that code's ballot.
func (s *Server) codeVoteForm(w http.ResponseWriter, r *http.Request) error {
	code := r.URL.Query().Get("code")
	d := ballotData{Action: "/vote", Code: code}
	if r.URL.Query().Get("done") != "" {
		d.Done = true
		return s.render(w, http.StatusOK, "vote", s.newView(w, r, "title.vote", d))
	}
	if code == "" {
		return s.render(w, http.StatusOK, "vote_code", s.newView(w, r, "title.vote", d))
	}
	v, err := s.st.CodeVoter(r.Context(), code)
	if err == nil && v.Voted {
		err = apperr.Field("code", "err.code_spent")
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.Invalid {
			return s.render(w, http.StatusBadRequest, "vote_code", s.newView(w, r, "title.vote", d).withError(err))
		}
		return err
	}
	if d, err = s.ballotPage(r, v, "/vote", appraisal.NormalizeCode(code)); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "vote", s.newView(w, r, "title.vote", d))
}

// codeVote records a code voter's ballots; the code is spent.
func (s *Server) codeVote(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PostForm.Get("code")
	v, err := s.st.CodeVoter(r.Context(), code)
	if err != nil {
		if apperr.KindOf(err) == apperr.Invalid {
			d := ballotData{Action: "/vote", Code: code}
			return s.render(w, http.StatusBadRequest, "vote_code", s.newView(w, r, "title.vote", d).withError(err))
		}
		return err
	}
	return s.castVote(w, r, v, "/vote", appraisal.NormalizeCode(code), appraisal.CodeActor, "/vote?done=1")
}
